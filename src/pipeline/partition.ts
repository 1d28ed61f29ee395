import { gzipSync } from 'node:zlib';
import { FUTURE_TOLERANCE_MS } from '../limits.js';

/** A top-level output area; each is a table (events, alerts) or the rejected-record dump. */
export type OutputArea = 'events' | 'alerts' | 'rejected';

/** An object ready to write. */
export interface OutputObject {
  key: string;
  body: Uint8Array;
  contentType: string;
}

const HOUR_MS = 3_600_000;
/** The hour last asked for and its partition: events come in time order, so most calls ask for the same hour. */
let lastHour = Number.NaN;
let lastPartition = '';

/** `dt=YYYY-MM-DD/hour=HH` of an epoch-ms time, in UTC (the Glue partition projection's layout). */
export function partitionOf(time: number): string {
  // UTC hours are whole multiples of an hour from the epoch (no leap seconds in epoch time). NaN never equals.
  const hour = Math.floor(time / HOUR_MS);
  if (hour === lastHour) return lastPartition;
  const iso = new Date(time).toISOString();
  lastPartition = `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
  lastHour = hour;
  return lastPartition;
}

export { FUTURE_TOLERANCE_MS };

/**
 * The time an event (or its alert) is filed under: its own, or its arrival's when its own is more than
 * `toleranceMs` after it. Athena's partition projection runs from the stack's start date to NOW, so an event
 * dated in the future (a host clock set ahead, or forged by an attacker to hide from hunting queries) would be
 * stored where no query looks until that date. Its `time` field is kept; only its partition changes. The arrival
 * is the record's Kinesis arrival time, the same on every redelivery, so a retry files it the same way.
 */
export function filedTime(time: number, arrival: number, toleranceMs: number = FUTURE_TOLERANCE_MS): number {
  return time - arrival > toleranceMs ? arrival : time;
}

/**
 * Groups rows by the hour of their time and serialises each group as gzip JSON lines under
 * `<area>/dt=.../hour=.../<name>.json.gz`. `name` is derived by the caller from the input's position (shard and
 * sequence-number range, or the replayed files) so that re-running the same input overwrites the same objects.
 * Output is deterministic: rows keep their order and gzip carries no timestamp.
 */
export function partitionRows<Row>(
  area: OutputArea,
  name: string,
  rows: readonly Row[],
  timeOf: (row: Row) => number,
  serialise: (row: Row) => string = (row) => JSON.stringify(row),
): OutputObject[] {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const partition = partitionOf(timeOf(row));
    let lines = groups.get(partition);
    if (lines === undefined) {
      lines = [];
      groups.set(partition, lines);
    }
    lines.push(serialise(row));
  }
  const objects: OutputObject[] = [];
  for (const [partition, lines] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    objects.push({
      key: `${area}/${partition}/${name}.json.gz`,
      body: gzipSync(`${lines.join('\n')}\n`),
      // No Content-Encoding: the object IS a .gz file (Athena reads it by extension); clients must not unzip it.
      contentType: 'application/gzip',
    });
  }
  return objects;
}
