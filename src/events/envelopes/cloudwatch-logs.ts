/**
 * A CloudWatch Logs subscription payload (`messageType`, `logEvents`, ...; gzip, which the binary layers undo):
 * each log event's message is a text of its own. CONTROL_MESSAGE payloads (the service checking the
 * destination) and envelopes without log events are filtered, not rejected.
 */

import { filtered, MAX_LAYERS, type Piece, rejected, TOO_DEEP } from '../decode/chain-piece.js';
import { isObject } from '../values.js';
import type { Envelope } from './envelope.js';

export const cloudWatchLogs: Envelope = {
  name: 'cloudwatch-logs',
  recognises: (document) => typeof document.messageType === 'string' && document.logEvents !== undefined,
  open: (envelope, piece) => {
    if (envelope.messageType === 'CONTROL_MESSAGE') return [filtered('CloudWatch Logs control message')];
    if (envelope.messageType !== 'DATA_MESSAGE') return [rejected('unknown CloudWatch Logs message type', piece.raw)];
    const logEvents = envelope.logEvents;
    if (!Array.isArray(logEvents)) return [rejected('CloudWatch Logs logEvents is not a list', piece.raw)];
    if (logEvents.length === 0) return [filtered('CloudWatch Logs envelope without log events')];
    if (piece.depth >= MAX_LAYERS) return [rejected(TOO_DEEP, piece.raw)];
    return logEvents.map((logEvent): Piece => {
      const message = isObject(logEvent) ? logEvent.message : undefined;
      if (typeof message !== 'string')
        return rejected('CloudWatch Logs event without message', JSON.stringify(logEvent) ?? '');
      return { stage: 'text', text: message, depth: piece.depth + 1, raw: message };
    });
  },
};
