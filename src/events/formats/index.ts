/**
 * The shipper format registry: one module per format (recognise, normalise, encode, DNS filter), one line here
 * to register it. Tried in this order; the first module that recognises a document's shape wins. Order matters
 * only where shapes could overlap: `Event` wrappers first, then keyed families (Elastic Agent before
 * Winlogbeat: both have `winlog`, the agent's documents also `data_stream` or its `agent.type`), NXLog (the
 * loosest test: EventID + Hostname) last. How to add a format: docs/formats.md.
 */

import type { Normalised } from './build-event.js';
import { dnsFilterPatterns } from './dns-filter.js';
import { elasticAgent } from './elastic-agent.js';
import { evtxJson } from './evtx-json.js';
import { fluentBit } from './fluent-bit.js';
import { kinesisAgent } from './kinesis-agent.js';
import { nxlog } from './nxlog.js';
import type { DocumentSyntax, ShipperFormatModule } from './shipper-format.js';
import { winlogbeat } from './winlogbeat.js';
import { xml } from './xml.js';

export type { Normalised } from './build-event.js';
export {
  DNS_ANSWER_EVENTS,
  DnsFilterOverflowError,
  type DnsFilterPattern,
  dnsFilterPatterns,
  MAX_EVENT_SOURCE_FILTERS,
  mergeFilterPatterns,
} from './dns-filter.js';
export type { DocumentSyntax, ShipperFormatModule } from './shipper-format.js';

export const FORMATS = [xml, evtxJson, elasticAgent, winlogbeat, kinesisAgent, fluentBit, nxlog] as const;

/** The registered format names (CanonicalEvent.format). */
export type FormatName = (typeof FORMATS)[number]['format'];

/** Normalise one decoded document with the first format that recognises it. */
export function normaliseDocument(document: Record<string, unknown>, syntax: DocumentSyntax): Normalised {
  for (const format of FORMATS as readonly ShipperFormatModule[]) {
    if (format.recognises(document, syntax)) return format.normalise(document);
  }
  return { ok: false, error: 'unknown event shape' };
}

/** The DNS function's event-source filter patterns, derived from every registered format. */
export function registryDnsFilterPatterns() {
  return dnsFilterPatterns(FORMATS);
}
