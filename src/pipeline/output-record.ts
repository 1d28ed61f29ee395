import type { CanonicalEvent } from '../events/canonical-event.js';

/** The canonical fields as written to S3 / `replay --out`; EventData fields follow them, flat, by Windows name. */
export const CANONICAL_COLUMNS = ['host', 'channel', 'provider', 'event_id', 'time', 'record_id', 'format'] as const;

// Compared lower-cased: Athena's JSON SerDe folds key case, so `Host` beside `host` would fail every query.
const RESERVED = new Set<string>(CANONICAL_COLUMNS);

/**
 * One output line: the canonical fields, then the EventData fields. A data field named like a column, in any case,
 * is dropped (no Windows schema has one).
 */
export type OutputRecord = Record<string, string | number | null>;

/**
 * Flattens an event into the object written as one JSON line. The time is ISO 8601 UTC with milliseconds.
 */
export function toOutputRecord(event: CanonicalEvent): OutputRecord {
  const out: OutputRecord = {
    host: event.host,
    channel: event.channel,
    provider: event.provider,
    event_id: event.eventId,
    time: new Date(event.time).toISOString(),
    record_id: event.recordId ?? null,
    format: event.format,
  };
  for (const name in event.data) {
    if (!RESERVED.has(name.toLowerCase())) out[name] = event.data[name] as string;
  }
  return out;
}
