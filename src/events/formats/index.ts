/**
 * The shipper format registry, tried in this order; the first reader that recognises a document's shape wins.
 * Order matters only where shapes could overlap: `Event` wrappers first, then keyed families (Elastic Agent
 * before Winlogbeat: both have `winlog`, the agent's documents also `data_stream` or its `agent.type`), NXLog
 * (the loosest test: EventID + Hostname) last.
 */

import type { Normalised } from './build-event.js';
import { elasticAgent } from './elastic-agent.js';
import { evtxJson } from './evtx-json.js';
import { fluentBit } from './fluent-bit.js';
import type { DocumentSyntax, FormatReader } from './format-reader.js';
import { kinesisAgent } from './kinesis-agent.js';
import { nxlog } from './nxlog.js';
import { winlogbeat } from './winlogbeat.js';
import { xml } from './xml.js';

export type { Normalised } from './build-event.js';
export type { DocumentSyntax, FormatReader } from './format-reader.js';

export const FORMAT_READERS: readonly FormatReader[] = [
  xml,
  evtxJson,
  elasticAgent,
  winlogbeat,
  kinesisAgent,
  fluentBit,
  nxlog,
];

/** Normalise one decoded document with the first format that recognises it. */
export function normaliseDocument(document: Record<string, unknown>, syntax: DocumentSyntax): Normalised {
  for (const reader of FORMAT_READERS) {
    if (reader.recognises(document, syntax)) return reader.normalise(document);
  }
  return { ok: false, error: 'unknown event shape' };
}
