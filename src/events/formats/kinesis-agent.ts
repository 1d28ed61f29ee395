/**
 * Amazon Kinesis Agent for Windows, WindowsEventLogSource with JSON output: `EventId`, `MachineName`,
 * `LogName`, `ProviderName`, `TimeCreated`, `Index`, `Description` (the rendered message, dropped) and, with
 * IncludeEventData, a positional `EventData` list named by the event's schema.
 */

import { buildEvent } from './build-event.js';
import { readEventData } from './event-data.js';
import type { FormatReader } from './format-reader.js';

export const kinesisAgent: FormatReader = {
  format: 'kinesis-agent',
  recognises: (document, syntax) =>
    syntax === 'json' &&
    document.EventId !== undefined &&
    (document.MachineName !== undefined || document.LogName !== undefined),
  normalise: (document) =>
    buildEvent(
      'kinesis-agent',
      {
        host: document.MachineName,
        channel: document.LogName,
        provider: document.ProviderName ?? document.SourceName,
        eventId: document.EventId,
        times: [document.TimeCreated],
        recordId: document.Index ?? document.RecordId,
        // Not in the agent's documented output; honoured when a pipeline adds it, else values are named by count.
        version: document.Version,
      },
      (context, data) => readEventData(document.EventData, context, data),
    ),
};
