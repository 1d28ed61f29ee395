/**
 * The envelope registry: JSON documents that wrap other documents, tried in this order before the shipper
 * formats (the first that recognises a document opens it). How to add one: docs/formats.md.
 */

import { cloudWatchLogs } from './cloudwatch-logs.js';
import type { Envelope } from './envelope.js';
import { splunkHec } from './splunk-hec.js';

export type { Envelope } from './envelope.js';

export const ENVELOPES: readonly Envelope[] = [cloudWatchLogs, splunkHec];

/** The envelope a JSON document is, if any. */
export function findEnvelope(document: Record<string, unknown>): Envelope | undefined {
  for (const envelope of ENVELOPES) if (envelope.recognises(document)) return envelope;
  return undefined;
}
