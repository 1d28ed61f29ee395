import type { CanonicalEvent } from '../canonical-event.js';

/**
 * Flat NXLog JSON. The process goes to HELK's `ExecutionProcessID` so an EventData `ProcessID` survives.
 * An EventData field named like NXLog metadata (e.g. `Category`) does not survive the trip: the reader drops it.
 */
export function encodeNxlog(event: CanonicalEvent): string {
  const document: Record<string, unknown> = {
    ...event.data,
    Hostname: event.host,
    Channel: event.channel,
    SourceName: event.provider,
    EventID: event.eventId,
    TimeCreated: new Date(event.time).toISOString(),
  };
  if (event.recordId !== undefined) document.RecordNumber = event.recordId;
  if (event.processId !== undefined) document.ExecutionProcessID = event.processId;
  return JSON.stringify(document);
}
