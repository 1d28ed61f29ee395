import type { CanonicalEvent } from '../canonical-event.js';

/** Winlogbeat 7+/ECS: `winlog.*` and `@timestamp`. */
export function encodeWinlogbeat(event: CanonicalEvent): string {
  const winlog: Record<string, unknown> = {
    computer_name: event.host,
    channel: event.channel,
    provider_name: event.provider,
    event_id: String(event.eventId),
    event_data: event.data,
  };
  if (event.recordId !== undefined) winlog.record_id = event.recordId;
  if (event.processId !== undefined) winlog.process = { pid: event.processId };
  return JSON.stringify({
    '@timestamp': new Date(event.time).toISOString(),
    event: { code: String(event.eventId), provider: event.provider },
    winlog,
  });
}
