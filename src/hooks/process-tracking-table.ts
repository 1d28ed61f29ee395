/**
 * The process table of the process-tracking hook (after WHIDS's track hook): what each Sysmon 1 said about a process,
 * keyed by host + ProcessGuid, ended by its Sysmon 5, and which process held a PID on a host at a given time.
 * Pure and synchronous; its records are plain JSON values so a state store can persist and merge them.
 */
import { hostKey } from '../events/canonical-event.js';

/** Sysmon's process creation event. */
export const SYSMON_PROCESS_CREATE_EVENT_ID = 1;
/** Sysmon's process terminated event. */
export const SYSMON_PROCESS_TERMINATE_EVENT_ID = 5;

/** What is known about one process (host + ProcessGuid). Plain JSON: persisted as is. */
export interface ProcessRecord {
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
  host: string;
  pid: number;
  holders: PidHolder[];
}

export interface ProcessTableOptions {
  /** How long after its Sysmon 5 a process still gives its context (events logged just after it). Default 10 000 ms. */
  terminationGraceMs?: number;
  /** Processes kept in memory; beyond it the least recently written goes. Default 200 000. */
  maxProcesses?: number;
  /** Holders kept per (host, PID); beyond it the oldest `from` goes. Default 4. */
  maxHoldersPerPid?: number;
  /** Longest Ancestors chain kept; beyond it the oldest ancestors go. Default 32. */
  maxAncestors?: number;
}

export const DEFAULT_TERMINATION_GRACE_MS = 10_000;
export const DEFAULT_MAX_PROCESSES = 200_000;
export const DEFAULT_MAX_HOLDERS_PER_PID = 4;
export const DEFAULT_MAX_ANCESTORS = 32;

/** The table key of a process. */
export function processKey(host: string, guid: string): string {
  return `${host}|${guid}`;
}

/** The table key of a (host, PID) pair. */
export function pidKey(host: string, pid: number): string {
  return `${host}|${pid}`;
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
 * Merges two records of the same process: the creation fields come from the record with the earlier `start` (the one
 * with a `start` if only one has it), `end` is the earlier of the two. Commutative and idempotent, so batches and the
 * store can merge in any order. Returns a new object.
 */
export function mergeProcessRecords(a: ProcessRecord, b: ProcessRecord): ProcessRecord {
  let creation: ProcessRecord;
  if (a.start === undefined) creation = b;
  else if (b.start === undefined) creation = a;
  else creation = a.start <= b.start ? a : b;
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

/** What {@link ProcessTable.create} did with a Sysmon 1. */
export type CreateOutcome = 'created' | 'duplicate' | 'invalid';

/**
 * The table. Lookups take the event time: a process gives its context from its Sysmon 1 to its Sysmon 5 plus the
 * grace, so the whole batch can be picked first and poked after (an event before the Sysmon 5 of its process, poked
 * after that Sysmon 5 was picked, still gets the context).
 */
export class ProcessTable {
  private readonly processes = new Map<string, ProcessRecord>();
  private readonly pids = new Map<string, PidRecord>();
  private readonly changedProcesses = new Set<string>();
  private readonly changedPids = new Set<string>();
  private readonly graceMs: number;
  private readonly maxProcesses: number;
  private readonly maxHolders: number;
  private readonly maxAncestors: number;

  constructor(options: ProcessTableOptions = {}) {
    this.graceMs = options.terminationGraceMs ?? DEFAULT_TERMINATION_GRACE_MS;
    this.maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    this.maxHolders = options.maxHoldersPerPid ?? DEFAULT_MAX_HOLDERS_PER_PID;
    this.maxAncestors = options.maxAncestors ?? DEFAULT_MAX_ANCESTORS;
  }

  /** Processes held. */
  get size(): number {
    return this.processes.size;
  }

  /** The record of a process as held (any time), or undefined. Do not mutate. */
  record(host: string, guid: string): ProcessRecord | undefined {
    return this.processes.get(processKey(hostKey(host), guid));
  }

  /** The PID record as held, or undefined. Do not mutate. */
  pidRecord(host: string, pid: number): PidRecord | undefined {
    return this.pids.get(pidKey(hostKey(host), pid));
  }

  /**
   * The process `guid` of `host` as known at `time`: its Sysmon 1 at or before `time`, and no Sysmon 5 more than the
   * grace before `time`. Undefined otherwise.
   */
  processAt(host: string, guid: string, time: number): ProcessRecord | undefined {
    const record = this.processes.get(processKey(hostKey(host), guid));
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
    const record = this.pids.get(pidKey(hostKey(host), pid));
    if (record === undefined) return undefined;
    let best: PidHolder | undefined;
    for (const holder of record.holders) {
      if (holder.from > time) continue;
      if (holder.until !== undefined && time > holder.until + this.graceMs) continue;
      if (best === undefined || holder.from > best.from) best = holder;
    }
    // A holder that started after `best` and ended before `time` still proves `best` no longer held the PID.
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
    const key = processKey(hostId, guid);
    const known = this.processes.get(key);
    if (known?.start !== undefined && known.start <= time) return 'duplicate';
    const record: ProcessRecord = { host: hostId, guid, start: time };
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
    this.put(key, known === undefined ? record : mergeProcessRecords(known, record));
    if (pid !== undefined) this.addHolder(hostId, pid, { guid, from: time });
    return 'created';
  }

  /** Ends a process at `time` (its Sysmon 5); a process not known yet gets a record holding only the end. */
  terminate(host: string, guid: string, time: number, pid?: number): void {
    const hostId = hostKey(host);
    const key = processKey(hostId, guid);
    const ended: ProcessRecord = { host: hostId, guid, end: time };
    if (pid !== undefined) ended.pid = pid;
    const known = this.processes.get(key);
    this.put(key, known === undefined ? ended : mergeProcessRecords(known, ended));
    const holderPid = pid ?? known?.pid;
    if (holderPid !== undefined) this.addHolder(hostId, holderPid, { guid, from: time, until: time });
  }

  /** Records that an event at `time` named process `guid` with `pid` (so it held the PID then). */
  sight(host: string, guid: string, pid: number, time: number): void {
    const hostId = hostKey(host);
    const record = this.pids.get(pidKey(hostId, pid));
    const known = record?.holders.find((holder) => holder.guid === guid);
    // The common case (the process seen again later): nothing changes, nothing to persist.
    if (known !== undefined && known.from <= time) return;
    this.addHolder(hostId, pid, { guid, from: time });
  }

  /** Merges a process record read from a store (not marked as changed). */
  mergeProcess(record: ProcessRecord): void {
    const key = processKey(record.host, record.guid);
    const known = this.processes.get(key);
    const merged = known === undefined ? { ...record } : mergeProcessRecords(known, record);
    this.processes.delete(key);
    this.processes.set(key, merged);
    this.bound();
  }

  /** Merges a PID record read from a store (not marked as changed). */
  mergePid(record: PidRecord): void {
    const key = pidKey(record.host, record.pid);
    const known = this.pids.get(key);
    this.pids.set(key, {
      host: record.host,
      pid: record.pid,
      holders: mergePidHolders(known?.holders ?? [], record.holders, this.maxHolders),
    });
  }

  /** The records changed by create / terminate / sight since the last call, and clears the marks. */
  takeChanges(): { processes: ProcessRecord[]; pids: PidRecord[] } {
    const processes: ProcessRecord[] = [];
    for (const key of this.changedProcesses) {
      const record = this.processes.get(key);
      if (record !== undefined) processes.push(record);
    }
    const pids: PidRecord[] = [];
    for (const key of this.changedPids) {
      const record = this.pids.get(key);
      if (record !== undefined) pids.push(record);
    }
    this.changedProcesses.clear();
    this.changedPids.clear();
    return { processes, pids };
  }

  private put(key: string, record: ProcessRecord): void {
    this.processes.delete(key);
    this.processes.set(key, record);
    this.changedProcesses.add(key);
    this.bound();
  }

  private bound(): void {
    while (this.processes.size > this.maxProcesses) {
      const oldest = this.processes.keys().next().value as string;
      this.processes.delete(oldest);
      this.changedProcesses.delete(oldest);
    }
  }

  private addHolder(host: string, pid: number, holder: PidHolder): void {
    const key = pidKey(host, pid);
    const known = this.pids.get(key);
    this.pids.set(key, { host, pid, holders: mergePidHolders(known?.holders ?? [], [holder], this.maxHolders) });
    this.changedPids.add(key);
  }
}

type StringField = {
  [K in keyof ProcessRecord]-?: ProcessRecord[K] extends string | undefined ? K : never;
}[keyof ProcessRecord];

function setIfString(record: ProcessRecord, field: StringField, value: string | undefined): void {
  if (typeof value === 'string') record[field] = value;
}
