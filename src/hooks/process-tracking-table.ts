/**
 * The process table of the process-tracking hook (after WHIDS's track hook): what each Sysmon 1 said about a process,
 * keyed by host + ProcessGuid, ended by its Sysmon 5, and which process held a PID on a host at a given time.
 * Pure and synchronous over a state view; its values are plain JSON, merged by an order-insensitive merge, so a
 * state store can persist them and batches can meet in any order.
 */
import { hostKey } from '../events/canonical-event.js';

/** Sysmon's process creation event. */
export const SYSMON_PROCESS_CREATE_EVENT_ID = 1;
/** Sysmon's process terminated event. */
export const SYSMON_PROCESS_TERMINATE_EVENT_ID = 5;

/** What is known about one process (host + ProcessGuid). Plain JSON: persisted as is. */
export interface ProcessRecord {
  kind: 'process';
  /** {@link hostKey} of the host. */
  host: string;
  /** Lower-case ProcessGuid. */
  guid: string;
  pid?: number;
  /** Time of its Sysmon 1 (epoch ms). Absent: only its end is known (a Sysmon 5 seen without its Sysmon 1). */
  start?: number;
  /** Time of its Sysmon 5 (epoch ms). */
  end?: number;
  image?: string;
  commandLine?: string;
  user?: string;
  integrityLevel?: string;
  /** Lower-case ParentProcessGuid. */
  parentGuid?: string;
  parentImage?: string;
  parentCommandLine?: string;
  currentDirectory?: string;
  hashes?: string;
  /** The parent's User and IntegrityLevel, when the parent was tracked at this process's creation. */
  parentUser?: string;
  parentIntegrityLevel?: string;
  /** Images from the oldest known ancestor to the direct parent (the process's own image excluded). */
  ancestors?: string[];
}

/** One process known to hold a PID on a host from `from` (its Sysmon 1, or the first event naming both). */
export interface PidHolder {
  guid: string;
  from: number;
  /** Its Sysmon 5 time, when seen. */
  until?: number;
}

/** The processes known to have held one PID on one host, newest `from` first. Plain JSON: persisted as is. */
export interface PidRecord {
  kind: 'pid';
  host: string;
  pid: number;
  holders: PidHolder[];
}

export interface ProcessTrackerOptions {
  /** How long after its Sysmon 5 a process still gives its context (events logged just after it). Default 10 000 ms. */
  terminationGraceMs?: number;
  /** Holders kept per (host, PID); beyond it the oldest `from` goes. Default 4. */
  maxHoldersPerPid?: number;
  /** Longest Ancestors chain kept; beyond it the oldest ancestors go. Default 32. */
  maxAncestors?: number;
}

export const DEFAULT_TERMINATION_GRACE_MS = 10_000;
export const DEFAULT_MAX_HOLDERS_PER_PID = 4;
export const DEFAULT_MAX_ANCESTORS = 32;
/** How long a process without a Sysmon 5 (and a PID holder without one) is kept after its start. 30 days. */
export const DEFAULT_PROCESS_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** How long an ended process's item stays readable after its Sysmon 5. 24 h. */
export const DEFAULT_ENDED_RETENTION_MS = 24 * 60 * 60 * 1000;

/** The state key of a process (`p|<hostKey>|<lower-case guid>`). */
export function processKey(host: string, guid: string): string {
  return `p|${host}|${guid}`;
}

/** The state key of the holders of a PID on a host (`i|<hostKey>|<pid>`). */
export function pidKey(host: string, pid: number): string {
  return `i|${host}|${pid}`;
}

/** A ProcessGuid in comparison form (lower-case), or undefined when absent, `-` or the null GUID. */
export function processGuidOf(text: string | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  const guid = text.trim().toLowerCase();
  if (guid === '' || guid === '-' || guid === '{00000000-0000-0000-0000-000000000000}') return undefined;
  return guid;
}

/** A decimal PID, or undefined. */
export function pidOf(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * Merges two records of the same process: the creation fields come from one record (see creationOf: the earlier
 * `start`, the longer Ancestors), `end` is the earlier of the two. Commutative and idempotent, so batches and the
 * store can merge in any order. Returns a new object.
 */
export function mergeProcessRecords(a: ProcessRecord, b: ProcessRecord): ProcessRecord {
  const creation = creationOf(a, b);
  const merged: ProcessRecord = { ...creation };
  const end = minDefined(a.end, b.end);
  if (end === undefined) delete merged.end;
  else merged.end = end;
  if (merged.pid === undefined) {
    const pid = a.pid ?? b.pid;
    if (pid !== undefined) merged.pid = pid;
  }
  return merged;
}

/**
 * The record whose creation fields win: the one with a `start`, the earlier one, on a tie the one with the longer
 * Ancestors (it knew the parent), then the larger in JSON order, so the choice never depends on argument order.
 */
function creationOf(a: ProcessRecord, b: ProcessRecord): ProcessRecord {
  if (a.start === undefined) return b;
  if (b.start === undefined) return a;
  if (a.start !== b.start) return a.start < b.start ? a : b;
  const chainA = a.ancestors?.length ?? -1;
  const chainB = b.ancestors?.length ?? -1;
  if (chainA !== chainB) return chainA > chainB ? a : b;
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

/**
 * Merges two holder lists of the same (host, PID): one holder per guid with the earliest `from` and `until`, newest
 * `from` first, at most `maxHolders`. Commutative and idempotent. Returns a new array.
 */
export function mergePidHolders(
  a: readonly PidHolder[],
  b: readonly PidHolder[],
  maxHolders = DEFAULT_MAX_HOLDERS_PER_PID,
): PidHolder[] {
  const byGuid = new Map<string, PidHolder>();
  for (const holder of [...a, ...b]) {
    const known = byGuid.get(holder.guid);
    if (known === undefined) {
      byGuid.set(holder.guid, { ...holder });
      continue;
    }
    known.from = Math.min(known.from, holder.from);
    const until = minDefined(known.until, holder.until);
    if (until !== undefined) known.until = until;
  }
  return [...byGuid.values()]
    .sort((x, y) => y.from - x.from || (x.guid < y.guid ? -1 : x.guid > y.guid ? 1 : 0))
    .slice(0, maxHolders);
}

/** What {@link ProcessTracker.create} did with a Sysmon 1. */
export type CreateOutcome = 'created' | 'duplicate' | 'invalid';

/** A value of the process-tracking state: a process record or the holders of a PID. */
export type ProcessState = ProcessRecord | PidRecord;

/**
 * Merges two values of one key (see {@link mergeProcessRecords} and {@link mergePidHolders}); `stored` undefined:
 * `incoming`. Values of different kinds never share a key (the key says the kind); `incoming` wins if they do.
 */
export function mergeProcessState(
  stored: ProcessState | undefined,
  incoming: ProcessState,
  maxHolders = DEFAULT_MAX_HOLDERS_PER_PID,
): ProcessState {
  if (stored === undefined || stored.kind !== incoming.kind) {
    return incoming.kind === 'pid'
      ? { ...incoming, holders: mergePidHolders([], incoming.holders, maxHolders) }
      : incoming;
  }
  if (stored.kind === 'process') return mergeProcessRecords(stored, incoming as ProcessRecord);
  return { ...stored, holders: mergePidHolders(stored.holders, (incoming as PidRecord).holders, maxHolders) };
}

/**
 * When a value expires, in event time: a process `endedRetentionMs` after its Sysmon 5 (the tracker stops giving
 * its context 10 s after it anyway; the item only has to outlive a lagging consumer's reads of the events before
 * that), else `retentionMs` after its Sysmon 1; PID holders when the last of them does, by the same rule (the first
 * event naming it stands for a start).
 */
export function processStateExpiresAt(
  value: ProcessState,
  retentionMs = DEFAULT_PROCESS_RETENTION_MS,
  endedRetentionMs = DEFAULT_ENDED_RETENTION_MS,
): number {
  if (value.kind === 'process') {
    if (value.end !== undefined) return value.end + endedRetentionMs;
    return (value.start ?? Number.NEGATIVE_INFINITY) + retentionMs;
  }
  let latest = Number.NEGATIVE_INFINITY;
  for (const holder of value.holders) {
    latest = Math.max(latest, holder.until !== undefined ? holder.until + endedRetentionMs : holder.from + retentionMs);
  }
  return latest;
}

/** Where the tracker keeps its values: the hook's state view (get merged values, put values to merge). */
export interface ProcessStateView {
  get(key: string): ProcessState | undefined;
  put(key: string, value: ProcessState): void;
}

/**
 * The tracker over a state view. Lookups take the event time: a process gives its context from its Sysmon 1 to its
 * Sysmon 5 plus the grace, so the whole batch can be picked first and poked after (an event before the Sysmon 5 of
 * its process, poked after that Sysmon 5 was picked, still gets the context).
 */
export class ProcessTracker {
  private readonly graceMs: number;
  private readonly maxAncestors: number;

  constructor(
    private readonly view: ProcessStateView,
    options: ProcessTrackerOptions = {},
  ) {
    this.graceMs = options.terminationGraceMs ?? DEFAULT_TERMINATION_GRACE_MS;
    this.maxAncestors = options.maxAncestors ?? DEFAULT_MAX_ANCESTORS;
  }

  /** The record of a process as held (any time), or undefined. Do not mutate. */
  record(host: string, guid: string): ProcessRecord | undefined {
    const value = this.view.get(processKey(hostKey(host), guid));
    return value?.kind === 'process' ? value : undefined;
  }

  /** The PID record as held, or undefined. Do not mutate. */
  pidRecord(host: string, pid: number): PidRecord | undefined {
    const value = this.view.get(pidKey(hostKey(host), pid));
    return value?.kind === 'pid' ? value : undefined;
  }

  /**
   * The process `guid` of `host` as known at `time`: its Sysmon 1 at or before `time`, and no Sysmon 5 more than the
   * grace before `time`. Undefined otherwise.
   */
  processAt(host: string, guid: string, time: number): ProcessRecord | undefined {
    const record = this.record(host, guid);
    if (record?.start === undefined || record.start > time) return undefined;
    if (record.end !== undefined && time > record.end + this.graceMs) return undefined;
    return record;
  }

  /**
   * The ProcessGuid holding `pid` on `host` at `time`: among the processes known to hold it from a time at or before
   * `time` (their Sysmon 1 or an earlier event naming both) and not ended more than the grace before `time`, the one
   * with the latest `from` (a PID is held by one live process at a time; a later holder replaced the earlier one).
   */
  guidForPid(host: string, pid: number, time: number): string | undefined {
    const record = this.pidRecord(host, pid);
    if (record === undefined) return undefined;
    let best: PidHolder | undefined;
    for (const holder of record.holders) {
      if (holder.from > time) continue;
      if (holder.until !== undefined && time > holder.until + this.graceMs) continue;
      if (best === undefined || holder.from > best.from) best = holder;
    }
    // A holder that started after `best` and ended before `time` proves `best` no longer held the PID.
    if (best !== undefined) {
      for (const holder of record.holders) {
        if (holder !== best && holder.from > best.from && holder.from <= time) return undefined;
      }
    }
    return best?.guid;
  }

  /**
   * Tracks a Sysmon 1 (its EventData fields, host and time): the record gets the creation fields, and the parent's
   * User, IntegrityLevel and Ancestors + Image when the parent is known at that time (else Ancestors is the event's
   * ParentImage alone). `duplicate` when the same process was already created at or before this time.
   */
  create(host: string, time: number, data: Readonly<Record<string, string>>): CreateOutcome {
    const guid = processGuidOf(data.ProcessGuid);
    if (guid === undefined || !Number.isFinite(time) || typeof host !== 'string') return 'invalid';
    const hostId = hostKey(host);
    const known = this.record(hostId, guid);
    if (known?.start !== undefined && known.start <= time) return 'duplicate';
    const record: ProcessRecord = { kind: 'process', host: hostId, guid, start: time };
    const pid = pidOf(data.ProcessId);
    if (pid !== undefined) record.pid = pid;
    setIfString(record, 'image', data.Image);
    setIfString(record, 'commandLine', data.CommandLine);
    setIfString(record, 'user', data.User);
    setIfString(record, 'integrityLevel', data.IntegrityLevel);
    const parentGuid = processGuidOf(data.ParentProcessGuid);
    if (parentGuid !== undefined) record.parentGuid = parentGuid;
    setIfString(record, 'parentImage', data.ParentImage);
    setIfString(record, 'parentCommandLine', data.ParentCommandLine);
    setIfString(record, 'currentDirectory', data.CurrentDirectory);
    setIfString(record, 'hashes', data.Hashes);
    const parent =
      parentGuid === undefined || parentGuid === guid ? undefined : this.processAt(hostId, parentGuid, time);
    if (parent !== undefined) {
      const chain = [...(parent.ancestors ?? []), parent.image ?? ''];
      record.ancestors = chain.length > this.maxAncestors ? chain.slice(chain.length - this.maxAncestors) : chain;
      if (parent.user !== undefined) record.parentUser = parent.user;
      if (parent.integrityLevel !== undefined) record.parentIntegrityLevel = parent.integrityLevel;
    } else if (record.parentImage !== undefined) {
      record.ancestors = [record.parentImage];
    }
    this.view.put(processKey(hostId, guid), record);
    if (pid !== undefined) this.holder(hostId, pid, { guid, from: time });
    return 'created';
  }

  /** Ends a process at `time` (its Sysmon 5); a process not known yet gets a record holding only the end. */
  terminate(host: string, guid: string, time: number, pid?: number): void {
    const hostId = hostKey(host);
    const ended: ProcessRecord = { kind: 'process', host: hostId, guid, end: time };
    if (pid !== undefined) ended.pid = pid;
    const known = this.record(hostId, guid);
    if (known?.end !== undefined && known.end <= time) return;
    this.view.put(processKey(hostId, guid), ended);
    const holderPid = pid ?? known?.pid;
    if (holderPid !== undefined) this.holder(hostId, holderPid, { guid, from: time, until: time });
  }

  /**
   * Records that an event at `time` named process `guid` with `pid` (so it held the PID then). Puts nothing when the
   * holder is already known from that time or earlier (the common case: the process seen again).
   */
  sight(host: string, guid: string, pid: number, time: number): boolean {
    const hostId = hostKey(host);
    const known = this.pidRecord(hostId, pid)?.holders.find((holder) => holder.guid === guid);
    if (known !== undefined && known.from <= time) return false;
    this.holder(hostId, pid, { guid, from: time });
    return true;
  }

  private holder(host: string, pid: number, holder: PidHolder): void {
    this.view.put(pidKey(host, pid), { kind: 'pid', host, pid, holders: [holder] });
  }
}

/** The optional string fields a Sysmon 1 fills. */
type StringField = Exclude<
  { [K in keyof ProcessRecord]-?: ProcessRecord[K] extends string | undefined ? K : never }[keyof ProcessRecord],
  'kind' | 'host' | 'guid'
>;

function setIfString(record: ProcessRecord, field: StringField, value: string | undefined): void {
  if (typeof value === 'string') record[field] = value;
}
