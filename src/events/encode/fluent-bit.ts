import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from './positional.js';

/** Fluent Bit in_winevtlog: `StringInserts` when the schema allows, else the event_data_as_map `EventData`. */
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
  const values = positionalValues(event);
  if (values !== undefined) document.StringInserts = values;
  else document.EventData = event.data;
  return JSON.stringify(document);
}
