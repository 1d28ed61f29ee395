/**
 * Fluent Bit in_winevtlog: flat `ProviderName`, `EventID`, `Channel`, `Computer`, `TimeCreated`,
 * `RecordNumber` / `EventRecordID`, `ProcessID`, `Version` (names the inserts); EventData as a positional `StringInserts` list or, with
 * event_data_as_map, an `EventData` map. `Message` and the other System fields are dropped.
 */

import { buildEvent } from './build-event.js';
import { readEventData } from './event-data.js';
import type { FormatReader } from './format-reader.js';

export const fluentBit: FormatReader = {
  format: 'fluent-bit',
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
