import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from './positional.js';

/** Kinesis Agent for Windows JSON; EventData positional when the schema allows. It has no process ID. */
export function encodeKinesisAgent(event: CanonicalEvent): string {
  const document: Record<string, unknown> = {
    EventId: event.eventId,
    ProviderName: event.provider,
    LogName: event.channel,
    MachineName: event.host,
    TimeCreated: new Date(event.time).toISOString(),
    EventData: positionalValues(event) ?? event.data,
  };
  if (event.recordId !== undefined) document.Index = event.recordId;
  return JSON.stringify(document);
}
