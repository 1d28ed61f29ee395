/**
 * Amazon Kinesis Agent for Windows, WindowsEventLogSource with JSON output: `EventId`, `MachineName`,
 * `LogName`, `ProviderName`, `TimeCreated`, `Index`, `Description` (the rendered message, dropped) and, with
 * IncludeEventData, a positional `EventData` list named by the event's schema.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from '../encode/positional.js';
import { buildEvent } from './build-event.js';
import { dnsEventPatterns } from './dns-filter.js';
import { readEventData } from './event-data.js';
import type { ShipperFormatModule } from './shipper-format.js';

export const kinesisAgent: ShipperFormatModule<'kinesis-agent'> = {
  format: 'kinesis-agent',
  encode: encodeKinesisAgent,
  dnsFilter: dnsEventPatterns(['EventId']),
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

/**
 * Kinesis Agent for Windows JSON; EventData positional when a schema names it back by the number of values
 * (the agent sends no version). It has no process ID.
 */
export function encodeKinesisAgent(event: CanonicalEvent): string {
  const document: Record<string, unknown> = {
    EventId: event.eventId,
    ProviderName: event.provider,
    LogName: event.channel,
    MachineName: event.host,
    TimeCreated: new Date(event.time).toISOString(),
    EventData: positionalValues(event, false)?.values ?? event.data,
  };
  if (event.recordId !== undefined) document.Index = event.recordId;
  return JSON.stringify(document);
}
