/**
 * The timeline's rows, read straight from the gzip JSON lines of an output folder (`alerts/`, and `events/` with
 * `--all-events`), filtered and ordered by event time.
 *
 * Why not through DuckDB like `query`: the `events` view has a column only for the EventData names the event schemas
 * know (src/query/schema.ts; any other field is reachable only as JSON text through `event_lines`), while the timeline
 * shows any EventData field (`TargetUserName` of a logon, `ScriptBlockText`, `--columns` of the user's choice) of
 * every kind of event as the lines hold it; and a filter plus a sort need no SQL.
 * Files are read one at a time, and an hour partition (`dt=.../hour=...`) outside `--from`/`--to` is not read.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Sigma levels, least severe first: `--min-level high` keeps high and critical. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export interface TimelineFilter {
  /** Also every event, not only detections. */
  allEvents: boolean;
  minLevel?: Level;
  /** Host names, compared case-insensitively; empty: every host. */
  hosts: readonly string[];
  /** Rule ids (exact) or parts of rule titles (case-insensitive); empty: every rule. */
  rules: readonly string[];
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
}

/** One line of the timeline: a detection (with its rule) or, with `--all-events`, an event. */
export interface TimelineRow {
  kind: 'alert' | 'event';
  /** Epoch ms of the event time (NaN when unreadable: such rows sort last). */
  ms: number;
  time: string;
  host: string;
  level: string;
  rule: string;
  ruleId: string;
  channel: string;
  eventId: string;
  tags: string;
  /** The event's fields (for an alert, the matched event). */
  event: Record<string, unknown>;
}

export interface TimelineRead {
  rows: TimelineRow[];
  /** Lines that are not a JSON object (not written by hookstream): skipped and counted. */
  unreadable: number;
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** The hour a partition path covers, as [start, end) epoch ms; undefined when the path has no partition. */
function partitionHour(file: string): [number, number] | undefined {
  const match = /dt=(\d{4}-\d{2}-\d{2})[/\\]hour=(\d{1,2})/.exec(file);
  if (match === null) return undefined;
  const start = Date.parse(`${match[1]}T${(match[2] as string).padStart(2, '0')}:00:00Z`);
  return Number.isNaN(start) ? undefined : [start, start + 3_600_000];
}

async function partitionFiles(folder: string, filter: TimelineFilter): Promise<string[]> {
  const files = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  return files
    .filter((file) => file.endsWith('.json.gz'))
    .filter((file) => {
      const hour = partitionHour(file);
      if (hour === undefined) return true;
      return (
        !(filter.from !== undefined && hour[1] <= filter.from) && !(filter.to !== undefined && hour[0] > filter.to)
      );
    })
    .sort()
    .map((file) => path.join(folder, file));
}

async function* jsonLines(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch {
      yield undefined;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function alertRow(record: Record<string, unknown>): TimelineRow {
  const event = isObject(record.event) ? record.event : {};
  const time = text(record.time ?? event.time);
  return {
    kind: 'alert',
    ms: Date.parse(time),
    time,
    host: text(record.host ?? event.host),
    level: text(record.level).toLowerCase(),
    rule: text(record.rule_title ?? record.rule_id),
    ruleId: text(record.rule_id),
    channel: text(record.channel ?? event.channel),
    eventId: text(record.event_id ?? event.event_id),
    tags: Array.isArray(record.tags) ? record.tags.map(text).join(' ') : '',
    event,
  };
}

function eventRow(record: Record<string, unknown>): TimelineRow {
  const time = text(record.time);
  return {
    kind: 'event',
    ms: Date.parse(time),
    time,
    host: text(record.host),
    level: '',
    rule: '',
    ruleId: '',
    channel: text(record.channel),
    eventId: text(record.event_id),
    tags: '',
    event: record,
  };
}

/** Whether a row passes the filter. `--min-level` and `--rule` select detections; events have neither. */
export function keep(row: TimelineRow, filter: TimelineFilter): boolean {
  if (filter.from !== undefined && !(row.ms >= filter.from)) return false;
  if (filter.to !== undefined && !(row.ms <= filter.to)) return false;
  if (filter.hosts.length > 0 && !filter.hosts.some((host) => host.toLowerCase() === row.host.toLowerCase()))
    return false;
  if (row.kind === 'event') return true;
  if (filter.minLevel !== undefined) {
    const rank = (LEVELS as readonly string[]).indexOf(row.level);
    if (rank < LEVELS.indexOf(filter.minLevel)) return false;
  }
  if (filter.rules.length > 0) {
    const title = row.rule.toLowerCase();
    if (!filter.rules.some((rule) => rule === row.ruleId || title.includes(rule.toLowerCase()))) return false;
  }
  return true;
}

/** Event time first; at one time, detections before events, then by host, rule. Unreadable times last. */
export function compareRows(a: TimelineRow, b: TimelineRow): number {
  const [ta, tb] = [Number.isNaN(a.ms) ? Infinity : a.ms, Number.isNaN(b.ms) ? Infinity : b.ms];
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'alert' ? -1 : 1;
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}

/** Reads, filters and orders the timeline of the output folder `out`. */
export async function readTimeline(out: string, filter: TimelineFilter): Promise<TimelineRead> {
  const rows: TimelineRow[] = [];
  let unreadable = 0;
  const areas: ['alerts' | 'events', (record: Record<string, unknown>) => TimelineRow][] = [['alerts', alertRow]];
  if (filter.allEvents) areas.push(['events', eventRow]);
  for (const [area, toRow] of areas) {
    for (const file of await partitionFiles(path.join(out, area), filter)) {
      for await (const record of jsonLines(file)) {
        if (!isObject(record)) {
          unreadable++;
          continue;
        }
        const row = toRow(record);
        if (keep(row, filter)) rows.push(row);
      }
    }
  }
  rows.sort(compareRows);
  return { rows, unreadable };
}
