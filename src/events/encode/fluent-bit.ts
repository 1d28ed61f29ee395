import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from './positional.js';

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
