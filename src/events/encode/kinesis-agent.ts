import type { CanonicalEvent } from '../canonical-event.js';
import { positionalValues } from './positional.js';

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
