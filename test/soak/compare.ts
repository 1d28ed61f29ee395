/**
 * What the pipeline wrote against what replay writes for the same input (processBatch over the same records as one
 * batch, with the same enrichment options and rules): events by identity (a multiset: several events can share
 * one), connection names, rejected lines by their original bytes, alerts by (rule, event), notifications by
 * de-duplication key; and what became of each hostile record.
 */
import { toAlertRecord } from '../../src/pipeline/alert-record.js';
import { toOutputRecord } from '../../src/pipeline/output-record.js';
import type { ProcessedBatch } from '../../src/pipeline/process-batch.js';
import type { ReceivedAlert } from '../helpers/lambda-harness.js';
import { connectionIdOfRow, countBy, eventIdOfRow } from '../helpers/lambda-records.js';
import type { HostileRecord } from './hostile-records.js';

type Row = Record<string, unknown>;

export interface Expected {
  /** Replay over the ordinary records and the hostile ones that must be kept. */
  replay: ProcessedBatch;
  /** The enrich function's DEDUPE_FIELDS. */
  dedupeFields: readonly string[];
  /** Every hostile record put, with where it landed (`shard/sequence`). */
  hostile: readonly { record: HostileRecord; sequenceNumber: string }[];
}

export interface Observed {
  /** Identities (eventIdOfRow) of the connections that went through the hold queue. */
  held: ReadonlySet<string>;
  events: Row[];
  alerts: Row[];
  rejected: Row[];
  notifications: ReceivedAlert[];
}

/** How a multiset came out against the one expected. */
export interface Tally {
  expected: number;
  found: number;
  /** Copies beyond the expected count, summed over identities. */
  duplicated: number;
  /** Identities found more often than expected. */
  duplicatedIds: number;
  /** Copies missing, summed over identities. */
  lost: number;
  lostIds: number;
  /** Found, but never expected at all. */
  unexpected: number;
  /** A few identities of each problem, for the report. */
  examples: { duplicated: string[]; lost: string[]; unexpected: string[] };
}

export interface HostileResult {
  name: string;
  outcome: HostileRecord['outcome'];
  expectedEvents: number;
  writtenEvents: number;
  expectedRejected: number;
  /** rejected/ lines with one of the record's expected bytes. */
  rejectedLines: number;
  /** rejected/ lines from the record's position with other bytes (e.g. the rest of a file rejected at once). */
  otherRejectedLines: number;
  reasons: string[];
  ok: boolean;
}

export interface Comparison {
  events: Tally;
  /** Of the events lost and duplicated: how many went through the hold queue. */
  heldShare: { lost: number; duplicated: number };
  /** Connections (by connection id) written with another DestinationHostname than replay gives them. */
  differentlyNamed: number;
  /** Connections compared by name (present on both sides). */
  namedCompared: number;
  namingExamples: { id: string; replay: string[]; pipeline: string[] }[];
  rejected: Tally;
  alerts: Tally;
  notifications: Tally & {
    /** Notifications whose body ends in no readable alert JSON (no key to count). */
    unreadable: number;
  };
  hostile: HostileResult[];
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const EXAMPLES = 5;

/** Compares counts per identity. */
export function tally(expected: ReadonlyMap<string, number>, found: ReadonlyMap<string, number>): Tally {
  const result: Tally = {
    expected: 0,
    found: 0,
    duplicated: 0,
    duplicatedIds: 0,
    lost: 0,
    lostIds: 0,
    unexpected: 0,
    examples: { duplicated: [], lost: [], unexpected: [] },
  };
  const note = (list: string[], id: string) => {
    if (list.length < EXAMPLES) list.push(id);
  };
  for (const [id, want] of expected) {
    result.expected += want;
    const got = found.get(id) ?? 0;
    if (got < want) {
      result.lost += want - got;
      result.lostIds++;
      note(result.examples.lost, id);
    }
  }
  for (const [id, got] of found) {
    result.found += got;
    const want = expected.get(id) ?? 0;
    if (want === 0) {
      result.unexpected += got;
      note(result.examples.unexpected, id);
    } else if (got > want) {
      result.duplicated += got - want;
      result.duplicatedIds++;
      note(result.examples.duplicated, id);
    }
  }
  return result;
}

function isConnectionRow(row: Row): boolean {
  return row.event_id === 3 && row.channel === SYSMON;
}

/** The distinct DestinationHostname values written per connection id. */
function namesById(rows: readonly Row[]): Map<string, string[]> {
  const names = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!isConnectionRow(row)) continue;
    const id = connectionIdOfRow(row);
    const set = names.get(id) ?? new Set<string>();
    names.set(id, set);
    set.add(String(row.DestinationHostname ?? ''));
  }
  return new Map([...names].map(([id, set]) => [id, [...set].sort()]));
}

/** Bytes compared without a final line break: a line's bytes are the line, not its separator. */
function rawKey(bytes: Uint8Array | Buffer): string {
  let end = bytes.byteLength;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('base64');
}

function rawOfRow(row: Row): string {
  return rawKey(Buffer.from(String(row.raw_base64 ?? ''), 'base64'));
}

/** The de-duplication key in a notification: the alert JSON is its last line (absent when over the SNS limit). */
function dedupeKeyOfNotification(notification: ReceivedAlert): string | undefined {
  const message = notification.message;
  try {
    const alert = JSON.parse(message.slice(message.lastIndexOf('\n') + 1)) as Row;
    return typeof alert.dedupe_key === 'string' ? alert.dedupe_key : undefined;
  } catch {
    return undefined;
  }
}

export function compare(expected: Expected, observed: Observed): Comparison {
  const { replay } = expected;
  const replayRows = replay.events.map(({ event }) => toOutputRecord(event) as Row);

  const wantEvents = countBy(replayRows, eventIdOfRow);
  const gotEvents = countBy(observed.events, eventIdOfRow);
  const events = tally(wantEvents, gotEvents);
  const heldShare = { lost: 0, duplicated: 0 };
  for (const id of observed.held) {
    const want = wantEvents.get(id) ?? 0;
    const got = gotEvents.get(id) ?? 0;
    if (got < want) heldShare.lost += want - got;
    else if (want > 0 && got > want) heldShare.duplicated += got - want;
  }

  const replayNames = namesById(replayRows);
  const pipelineNames = namesById(observed.events);
  let namedCompared = 0;
  const naming: Comparison['namingExamples'] = [];
  let differentlyNamed = 0;
  for (const [id, names] of pipelineNames) {
    const want = replayNames.get(id);
    if (want === undefined) continue;
    namedCompared++;
    if (want.join('\n') === names.join('\n')) continue;
    differentlyNamed++;
    if (naming.length < EXAMPLES) naming.push({ id, replay: want, pipeline: names });
  }

  // Rejected: replay's own rejections (its input holds the kept hostile records, e.g. the truncated line) plus the
  // hostile records that must be rejected whole (replay never saw them).
  const wantRejected = [
    ...replay.rejected.map((item) => rawKey(item.raw)),
    ...expected.hostile
      .filter(({ record }) => record.outcome === 'rejected')
      .flatMap(({ record }) => record.rejectedRaw.map(rawKey)),
  ];
  const rejected = tally(
    countBy(wantRejected, (key) => key),
    countBy(observed.rejected, rawOfRow),
  );
  // Long raw bytes make poor examples: name them by their first bytes.
  const short = (key: string) => Buffer.from(key, 'base64').subarray(0, 60).toString('utf8');
  rejected.examples = {
    duplicated: rejected.examples.duplicated.map(short),
    lost: rejected.examples.lost.map(short),
    unexpected: rejected.examples.unexpected.map(short),
  };

  const matchId = (ruleId: unknown, event: Row) => `${String(ruleId)}|${eventIdOfRow(event)}`;
  const alerts = tally(
    countBy(replay.detections, (d) => matchId(d.rule.id, toOutputRecord(d.event))),
    countBy(observed.alerts, (row) => matchId(row.rule_id, (row.event ?? {}) as Row)),
  );

  // One notification per key: every alert of the run falls in one de-duplication window.
  const wantKeys = new Set(replay.detections.map((d) => toAlertRecord(d, expected.dedupeFields).dedupe_key));
  const keys: string[] = [];
  let unreadable = 0;
  for (const notification of observed.notifications) {
    const key = dedupeKeyOfNotification(notification);
    if (key === undefined) unreadable++;
    else keys.push(key);
  }
  const notifications = {
    ...tally(
      countBy(wantKeys, (key) => key),
      countBy(keys, (key) => key),
    ),
    unreadable,
  };

  const hostile = expected.hostile.map(({ record, sequenceNumber }): HostileResult => {
    const wanted = new Set(record.rejectedRaw.map(rawKey));
    const fromRecord = observed.rejected.filter((row) => String(row.origin ?? '').includes(sequenceNumber));
    const matching = observed.rejected.filter((row) => wanted.has(rawOfRow(row)));
    const writtenEvents = observed.events.filter((row) => row.host === record.host).length;
    const result: HostileResult = {
      name: record.name,
      outcome: record.outcome,
      expectedEvents: record.events,
      writtenEvents,
      expectedRejected: record.rejectedRaw.length,
      rejectedLines: matching.length,
      otherRejectedLines: fromRecord.filter((row) => !wanted.has(rawOfRow(row))).length,
      reasons: [...new Set(matching.map((row) => String(row.reason)))],
      ok: false,
    };
    result.ok =
      result.writtenEvents === result.expectedEvents &&
      result.rejectedLines === result.expectedRejected &&
      result.otherRejectedLines === 0;
    return result;
  });

  return {
    events,
    heldShare,
    differentlyNamed,
    namedCompared,
    namingExamples: naming,
    rejected,
    alerts,
    notifications,
    hostile,
  };
}
