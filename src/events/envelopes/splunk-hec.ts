/**
 * A Splunk HTTP Event Collector event (`/services/collector/event`): `{"event": ..., "time": ..., "host": ...,
 * "source": ..., "sourcetype": ..., "index": ..., "fields": {...}}`, as shippers with a Splunk output write it
 * (several such objects back to back are split by the JSON syntax). `event` is the document: an object is read
 * as a document, a string as a text (XML as the XmlWinEventLog sourcetype renders it, or JSON). The envelope's
 * own metadata is not used: the event carries its own host and time. Recognised only when every top-level key
 * is one of HEC's, so a Winlogbeat document (`event` beside `winlog`) is never taken for one.
 */

import { MAX_LAYERS, rejected, TOO_DEEP } from '../decode/chain-piece.js';
import { isObject } from '../values.js';
import type { Envelope } from './envelope.js';

const HEC_KEYS: ReadonlySet<string> = new Set(['event', 'time', 'host', 'source', 'sourcetype', 'index', 'fields']);

export const splunkHec: Envelope = {
  name: 'splunk-hec',
  recognises: (document) => {
    if (document.event === undefined) return false;
    for (const key in document) if (!HEC_KEYS.has(key)) return false;
    return true;
  },
  open: (envelope, piece) => {
    const event = envelope.event;
    if (typeof event !== 'string' && !isObject(event))
      return [rejected('Splunk HEC event is not text or an object', piece.raw)];
    if (piece.depth >= MAX_LAYERS) return [rejected(TOO_DEEP, piece.raw)];
    // One event per envelope: a rejected event is given back as the envelope's bytes, the record as sent.
    if (typeof event === 'string') return [{ stage: 'text', text: event, depth: piece.depth + 1, raw: piece.raw }];
    return [{ stage: 'document', value: event, syntax: 'json', depth: piece.depth + 1, raw: piece.raw }];
  },
};
