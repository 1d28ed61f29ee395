/**
 * Encoders from a canonical event back to each shipper format's document text (for `hookstream send
 * --format`). Reading the output with readRecord gives the same canonical event, format aside (Kinesis Agent
 * has no process ID; see each encoder for what else cannot survive).
 */

import type { CanonicalEvent, ShipperFormat } from '../canonical-event.js';
import { encodeElasticAgent } from './elastic-agent.js';
import { encodeEvtxJson } from './evtx-json.js';
import { encodeFluentBit } from './fluent-bit.js';
import { encodeKinesisAgent } from './kinesis-agent.js';
import { encodeNxlog } from './nxlog.js';
import { encodeWinlogbeat } from './winlogbeat.js';
import { encodeXml } from './xml.js';

export type EventEncoder = (event: CanonicalEvent) => string;

export const ENCODERS: Readonly<Record<ShipperFormat, EventEncoder>> = {
  'evtx-json': encodeEvtxJson,
  nxlog: encodeNxlog,
  winlogbeat: encodeWinlogbeat,
  'elastic-agent': encodeElasticAgent,
  'kinesis-agent': encodeKinesisAgent,
  'fluent-bit': encodeFluentBit,
  xml: encodeXml,
};

/** The event as one document of the given shipper format. */
export function encodeEvent(event: CanonicalEvent, format: ShipperFormat): string {
  return ENCODERS[format](event);
}
