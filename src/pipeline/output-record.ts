import type { CanonicalEvent } from '../events/canonical-event.js';

/** The canonical fields as written to S3 / `replay --out`; EventData fields follow them, flat, by Windows name. */
export const CANONICAL_COLUMNS = ['host', 'channel', 'provider', 'event_id', 'time', 'record_id', 'format'] as const;

// Compared lower-cased: Athena's JSON SerDe folds key case, so `Host` beside `host` would fail every query.
const RESERVED = new Set<string>(CANONICAL_COLUMNS);

/** What an EventData field named like a canonical column (in any case) is written as. */
export const RESERVED_FIELD_PREFIX = 'data_';

/**
 * The key an EventData field is written under: its Windows name, except that a name equal to a canonical column in
 * any case (Eventlog 104's `Channel`, the log that was cleared) gets {@link RESERVED_FIELD_PREFIX}, so it is kept
 * and queryable (`data_channel`) without overwriting the canonical field or colliding with it in the SerDe.
 */
export function outputKeyOf(name: string): string {
  return RESERVED.has(name.toLowerCase()) ? `${RESERVED_FIELD_PREFIX}${name}` : name;
}

/**
 * The key of a field whose output key equals an earlier one in any case (a hostile or odd shipper sending both
 * `ProcessId` and `ProcessID`): `<key>_2`, `<key>_3`... the first free one. Athena's JSON SerDe folds key case and
 * cannot read a line with two such keys, so the later field is kept under a name of its own.
 */
function freeKey(key: string, used: (lower: string) => boolean): string {
  for (let n = 2; ; n++) {
    const candidate = `${key}_${n}`;
    if (!used(candidate.toLowerCase())) return candidate;
  }
}

/** One output line: the canonical fields, then every EventData field (see {@link outputKeyOf}). */
export type OutputRecord = Record<string, string | number | null>;

/**
 * Field names seen, with their output key and its lower-case form: the same few dozen names come in every event,
 * and lower-casing each twice per event was most of this function's time (replay of 1x OTRF: 39,373 events).
 * Bounded: past {@link CACHE_LIMIT} names (a hostile input's) it starts again.
 */
const keysOf = new Map<string, { key: string; lower: string }>();
/**
 * The lower-case keys of the event being flattened: each maps to the number of the event that used it last, so a
 * key is taken in this event iff it maps to this event's number (no Set made per event).
 */
const takenBy = new Map<string, number>();
let eventNumber = 0;

/** Whether the event being flattened has used the lower-case key already. */
function taken(lower: string): boolean {
  return takenBy.get(lower) === eventNumber;
}
const CACHE_LIMIT = 10_000;

function keyOf(name: string): { key: string; lower: string } {
  let known = keysOf.get(name);
  if (known === undefined) {
    if (keysOf.size >= CACHE_LIMIT) keysOf.clear();
    const key = outputKeyOf(name);
    known = { key, lower: key.toLowerCase() };
    keysOf.set(name, known);
  }
  return known;
}

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
  // No EventData key can fold like a canonical column (outputKeyOf prefixes those, and a free key ends in _<n>), so
  // only the event's own keys are checked against each other.
  if (takenBy.size >= CACHE_LIMIT) takenBy.clear();
  eventNumber++;
  for (const name in event.data) {
    let { key, lower } = keyOf(name);
    if (taken(lower)) {
      key = freeKey(key, taken);
      lower = key.toLowerCase();
    }
    takenBy.set(lower, eventNumber);
    out[key] = event.data[name] as string;
  }
  return out;
}
