/**
 * Fluent Bit in_winevtlog: flat `ProviderName`, `EventID`, `Channel`, `Computer`, `TimeCreated`,
 * `RecordNumber` / `EventRecordID`, `ProcessID`, `Version` (names the inserts); EventData as a positional `StringInserts` list or, with
 * event_data_as_map, an `EventData` map. `Message` and the other System fields are dropped.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from '../encode/positional.js';
import { buildEvent } from './build-event.js';
import { dnsEventPatterns } from './dns-filter.js';
import { readEventData } from './event-data.js';
import type { ShipperFormatModule } from './shipper-format.js';

export const fluentBit: ShipperFormatModule<'fluent-bit'> = {
  format: 'fluent-bit',
  encode: encodeFluentBit,
  dnsFilter: dnsEventPatterns(['EventID']),
  recognises: (document, syntax) =>
    syntax === 'json' &&
    document.EventID !== undefined &&
    document.Computer !== undefined &&
    (document.ProviderName !== undefined || document.StringInserts !== undefined || document.Channel !== undefined),
  normalise: (document) =>
    buildEvent(
      'fluent-bit',
      {
        host: document.Computer,
        channel: document.Channel,
        provider: document.ProviderName ?? document.SourceName,
        eventId: document.EventID,
        times: [document.TimeCreated, document.TimeGenerated],
        recordId: document.RecordNumber ?? document.EventRecordID,
        processId: document.ProcessID,
        version: document.Version,
      },
      (context, data) => {
        if (document.EventData !== undefined) return readEventData(document.EventData, context, data);
        const inserts = document.StringInserts;
        if (inserts === undefined || inserts === null) return undefined;
        if (!Array.isArray(inserts)) return 'StringInserts is not a list';
        return readEventData(inserts, context, data);
      },
    ),
};

/**
 * Fluent Bit in_winevtlog: `StringInserts` (with the template's `Version`, as the plugin sends it) when a schema
 * names them back, else the event_data_as_map `EventData`.
 */
export function encodeFluentBit(event: CanonicalEvent): string {
  const document: Record<string, unknown> = {
    ProviderName: event.provider,
    EventID: event.eventId,
    TimeCreated: new Date(event.time).toISOString(),
    Channel: event.channel,
    Computer: event.host,
  };
  if (event.recordId !== undefined) document.RecordNumber = event.recordId;
  if (event.processId !== undefined) document.ProcessID = event.processId;
  const positional = positionalValues(event, true);
  if (positional === undefined) document.EventData = event.data;
  else {
    if (positional.version !== undefined) document.Version = positional.version;
    document.StringInserts = positional.values;
  }
  return JSON.stringify(document);
}
