import type { CanonicalEvent } from '../canonical-event.js';

/** `{"Event": {"System", "EventData"}}` in the WHIDS form. */
export function encodeEvtxJson(event: CanonicalEvent): string {
  const system: Record<string, unknown> = {
    Provider: { Name: event.provider },
    EventID: event.eventId,
    Channel: event.channel,
    Computer: event.host,
    TimeCreated: { SystemTime: new Date(event.time).toISOString() },
  };
  if (event.recordId !== undefined) system.EventRecordID = event.recordId;
  if (event.processId !== undefined) system.Execution = { ProcessID: event.processId };
  return JSON.stringify({ Event: { System: system, EventData: event.data } });
}
