/**
 * The in-memory resolution store: the batch-local table the hooks read synchronously, and the whole store in replay.
 */
import {
  type DnsAnswer,
  type HostIp,
  type RefusedKey,
  type Resolution,
  type ResolutionStore,
  resolutionKey,
} from './resolution.js';

/** Bounds of a {@link MemoryResolutionStore}. */
export interface MemoryResolutionStoreOptions {
  /** Entries kept per (host, IP); beyond it the entry with the oldest newest-answer is dropped. Default 16. */
  maxEntriesPerKey?: number;
  /**
   * (host, IP) pairs kept; beyond it the pair least recently written is dropped (O(1): Map insertion order,
   * a pair is moved to the end on every write). Default 200 000.
   */
  maxKeys?: number;
}

/** How far back an answer names a connection, in event time (enforced per lookup by the hooks). */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Defaults of {@link MemoryResolutionStoreOptions}. */
export const DEFAULT_MAX_ENTRIES_PER_KEY = 16;
export const DEFAULT_MAX_KEYS = 200_000;

const NO_RESOLUTIONS: readonly Resolution[] = [];

/** Same identity: one entry per (name, ProcessGuid), or (name, ProcessId) when the answer has no ProcessGuid. */
function sameIdentity(entry: Resolution, answer: DnsAnswer): boolean {
  if (entry.name !== answer.name || entry.processGuid !== answer.processGuid) return false;
  return answer.processGuid !== undefined || entry.processId === answer.processId;
}

/** A total order on entries, used only to break exact time ties so the result does not depend on put order. */
function tieOrder(a: Resolution, b: Resolution): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const ga = a.processGuid ?? '';
  const gb = b.processGuid ?? '';
  if (ga !== gb) return ga < gb ? -1 : 1;
  return (a.processId ?? -1) - (b.processId ?? -1);
}

/**
 * {@link ResolutionStore} in memory, plus the synchronous {@link add} / {@link candidates} the hooks use.
 *
 * Keyed by (hostKey, canonical IP). Per key, one entry per (name, ProcessGuid|ProcessId) holding the newest answer's
 * time, CNAME chain and source, and the oldest answer's time as `firstTime`; an older answer never replaces a newer
 * one, so the content does not depend on the order answers are added in (as long as no bound drops an entry).
 */
export class MemoryResolutionStore implements ResolutionStore {
  private readonly table = new Map<string, Resolution[]>();
  private latest = Number.NEGATIVE_INFINITY;
  readonly maxEntriesPerKey: number;
  readonly maxKeys: number;

  constructor(options: MemoryResolutionStoreOptions = {}) {
    this.maxEntriesPerKey = Math.max(1, options.maxEntriesPerKey ?? DEFAULT_MAX_ENTRIES_PER_KEY);
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
  }

  /** The newest answer time seen over all hosts, epoch ms (-Infinity before any). */
  get latestTime(): number {
    return this.latest;
  }

  /** Number of (host, IP) keys held. */
  get size(): number {
    return this.table.size;
  }

  /** Records one answer (host must be a hostKey, ip canonical). Ignores answers without a finite time. */
  add(answer: DnsAnswer): void {
    const time = answer.time;
    if (!Number.isFinite(time)) return;
    if (time > this.latest) this.latest = time;
    const key = resolutionKey(answer.host, answer.ip);
    let entries = this.table.get(key);
    if (entries === undefined) {
      entries = [];
      this.table.set(key, entries);
      if (this.table.size > this.maxKeys) {
        const oldest = this.table.keys().next();
        if (!oldest.done) this.table.delete(oldest.value);
      }
    } else {
      // Move to the end: the key-count bound drops the least recently written pair.
      this.table.delete(key);
      this.table.set(key, entries);
    }
    for (const entry of entries) {
      if (!sameIdentity(entry, answer)) continue;
      if (time > entry.time || (time === entry.time && answer.cnames.join(';') < entry.cnames.join(';'))) {
        entry.time = time;
        entry.cnames = answer.cnames;
        entry.source = answer.source;
        if (answer.processId !== undefined) entry.processId = answer.processId;
      }
      if (time < (entry.firstTime ?? entry.time)) entry.firstTime = time;
      return;
    }
    const entry: Resolution = {
      name: answer.name,
      cnames: answer.cnames,
      time,
      firstTime: time,
      source: answer.source,
    };
    if (answer.processGuid !== undefined) entry.processGuid = answer.processGuid;
    if (answer.processId !== undefined) entry.processId = answer.processId;
    entries.push(entry);
    if (entries.length > this.maxEntriesPerKey) {
      let oldestIndex = 0;
      for (let i = 1; i < entries.length; i++) {
        const candidate = entries[i] as Resolution;
        const oldest = entries[oldestIndex] as Resolution;
        if (candidate.time < oldest.time || (candidate.time === oldest.time && tieOrder(candidate, oldest) < 0)) {
          oldestIndex = i;
        }
      }
      entries.splice(oldestIndex, 1);
    }
  }

  /**
   * Merges a resolution read from another store (the pipeline's prefetch of {@link ResolutionStore.get} results into
   * the batch table) under the same rules as {@link add}; its `firstTime`, when older, is kept too.
   */
  addResolution(host: string, ip: string, resolution: Resolution): void {
    const answer: DnsAnswer = {
      host,
      ip,
      name: resolution.name,
      cnames: resolution.cnames,
      time: resolution.time,
      source: resolution.source,
    };
    if (resolution.processGuid !== undefined) answer.processGuid = resolution.processGuid;
    if (resolution.processId !== undefined) answer.processId = resolution.processId;
    this.add(answer);
    const firstTime = resolution.firstTime;
    if (firstTime !== undefined && firstTime < resolution.time) this.add({ ...answer, time: firstTime });
  }

  /**
   * The unexpired entries for (host, ip), host a hostKey and ip canonical. The array is the store's own (no copy,
   * for the per-event hot path): read it before the next {@link add}, never mutate it.
   */
  candidates(host: string, ip: string): readonly Resolution[] {
    const entries = this.table.get(resolutionKey(host, ip));
    return entries ?? NO_RESOLUTIONS;
  }

  async put(answers: readonly DnsAnswer[]): Promise<{ refused: RefusedKey[] }> {
    for (const answer of answers) this.add(answer);
    return { refused: [] };
  }

  async get(keys: readonly HostIp[]): Promise<ReadonlyMap<string, readonly Resolution[]>> {
    const found = new Map<string, readonly Resolution[]>();
    for (const { host, ip } of keys) {
      const entries = this.candidates(host, ip);
      if (entries.length > 0)
        found.set(
          resolutionKey(host, ip),
          entries.map((entry) => ({ ...entry })),
        );
    }
    return found;
  }

  /**
   * Drops every entry whose newest answer is older than `time` (a long-running consumer calls it with its oldest
   * pending event time minus the retention). Nothing expires by itself: a batch is picked whole before it is poked,
   * and one replay can mix recordings made years apart, so an automatic horizon would drop answers that older
   * connections of the same batch still need. Retention is enforced per lookup, relative to each connection's time.
   */
  expireBefore(time: number): void {
    for (const [key, entries] of this.table) {
      pruneExpired(entries, time);
      if (entries.length === 0) this.table.delete(key);
    }
  }
}

/** Removes, in place, entries whose newest answer is older than the horizon. Allocates nothing. */
function pruneExpired(entries: Resolution[], horizon: number): void {
  let kept = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Resolution;
    if (entry.time >= horizon) entries[kept++] = entry;
  }
  entries.length = kept;
}
