/**
 * The resolution state (prefix `dns`): per (host, IP), the names that host resolved to that IP. Its merge is the
 * one every store applies (src/state, lambda/adapters): docs/enrichment.md, "Hook state".
 */
import { FUTURE_TOLERANCE_MS } from '../limits.js';
import type { StateSchema } from '../state/state-store.js';
import type { AnswerSource, DnsAnswer, Resolution } from './resolution.js';

/** The key prefix of the resolution state in the state table. */
export const RESOLUTION_PREFIX = 'dns';

/** How far back an answer names a connection, in event time (enforced per lookup by the hooks; also the TTL). */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Entries kept per (host, IP). */
export const DEFAULT_MAX_ENTRIES_PER_KEY = 16;

const SOURCES: ReadonlySet<string> = new Set<AnswerSource>(['sysmon-22', 'dns-client-3008']);

/** One (host, IP)'s entries. */
export type Resolutions = readonly Resolution[];

export interface ResolutionStateOptions {
  retentionMs?: number;
  maxEntriesPerKey?: number;
}

/** The state key of a (host, IP) pair. Host must already be a hostKey, IP canonical. */
export function resolutionKey(host: string, ip: string): string {
  return `${host}|${ip}`;
}

/** An answer as the one-entry value merged into its key. */
export function answerEntry(answer: DnsAnswer): Resolution {
  const entry: Resolution = {
    name: answer.name,
    cnames: answer.cnames,
    time: answer.time,
    firstTime: answer.time,
    source: answer.source,
  };
  if (answer.processGuid !== undefined) entry.processGuid = answer.processGuid;
  if (answer.processId !== undefined) entry.processId = answer.processId;
  return entry;
}

/** Same identity: one entry per (name, ProcessGuid), or (name, ProcessId) when the answer has no ProcessGuid. */
function sameIdentity(entry: Resolution, other: Resolution): boolean {
  if (entry.name !== other.name || entry.processGuid !== other.processGuid) return false;
  return other.processGuid !== undefined || entry.processId === other.processId;
}

/** A total order on identities, used only to break exact time ties, so the result does not depend on put order. */
function tieOrder(a: Resolution, b: Resolution): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const ga = a.processGuid ?? '';
  const gb = b.processGuid ?? '';
  if (ga !== gb) return ga < gb ? -1 : 1;
  return (a.processId ?? -1) - (b.processId ?? -1);
}

/** Newest first; exact ties by identity: the order every store keeps, so equal states serialise equally. */
function storedOrder(a: Resolution, b: Resolution): number {
  return b.time - a.time || tieOrder(a, b);
}

/**
 * Merges one entry into a key's entries, in place:
 * - one entry per identity (name + ProcessGuid, or name + ProcessId without a ProcessGuid);
 * - the newer answer's time, CNAME chain and source win (an exact time tie goes to the lexically smaller CNAME
 *   chain), its ProcessId too when it has one; `firstTime` keeps the oldest answer time seen;
 * - beyond `maxEntries`, the entry whose newest answer is oldest is dropped (an exact tie: the lowest identity).
 * Entries without a finite time are ignored.
 */
function mergeEntry(entries: Resolution[], incoming: Resolution, maxEntries: number): void {
  const time = incoming.time;
  if (!Number.isFinite(time)) return;
  const first = Math.min(incoming.firstTime ?? time, time);
  for (let i = 0; i < entries.length; i++) {
    const held = entries[i] as Resolution;
    if (!sameIdentity(held, incoming)) continue;
    let next = held;
    if (time > held.time || (time === held.time && incoming.cnames.join(';') < held.cnames.join(';'))) {
      next = { ...held, time, cnames: incoming.cnames, source: incoming.source };
      if (incoming.processId !== undefined) next.processId = incoming.processId;
    }
    if (first < (next.firstTime ?? next.time)) next = { ...next, firstTime: first };
    entries[i] = next;
    return;
  }
  const entry: Resolution = {
    name: incoming.name,
    cnames: incoming.cnames,
    time,
    firstTime: first,
    source: incoming.source,
  };
  if (incoming.processGuid !== undefined) entry.processGuid = incoming.processGuid;
  if (incoming.processId !== undefined) entry.processId = incoming.processId;
  entries.push(entry);
  if (entries.length > maxEntries) {
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

/** Merges `incoming` entries into `stored` ones (neither is changed): see {@link mergeEntry}; newest first. */
export function mergeResolutions(
  stored: Resolutions | undefined,
  incoming: Resolutions,
  maxEntries: number,
): Resolution[] {
  const entries = stored === undefined ? [] : [...stored];
  for (const entry of incoming) mergeEntry(entries, entry, maxEntries);
  return entries.sort(storedOrder);
}

function sameEntries(a: Resolutions, b: Resolutions): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Resolution;
    const y = b[i] as Resolution;
    if (
      x.name !== y.name ||
      x.time !== y.time ||
      (x.firstTime ?? x.time) !== (y.firstTime ?? y.time) ||
      x.source !== y.source ||
      x.processGuid !== y.processGuid ||
      x.processId !== y.processId ||
      x.cnames.join(';') !== y.cnames.join(';')
    ) {
      return false;
    }
  }
  return true;
}

/** The newest answer time of a key's entries (-Infinity for none). */
export function newestTime(entries: Resolutions): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const entry of entries) if (entry.time > newest) newest = entry.time;
  return newest;
}

/** One entry read back from its stored form; undefined when it does not parse. */
function decodeEntry(value: unknown): Resolution | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const { name, time, source } = m;
  if (typeof name !== 'string' || typeof time !== 'number' || !Number.isFinite(time)) return undefined;
  if (typeof source !== 'string' || !SOURCES.has(source)) return undefined;
  const cnames = Array.isArray(m.cnames) ? m.cnames.filter((c): c is string => typeof c === 'string') : [];
  const entry: Resolution = { name, cnames, time, source: source as AnswerSource };
  entry.firstTime = typeof m.firstTime === 'number' && Number.isFinite(m.firstTime) ? m.firstTime : time;
  if (typeof m.processGuid === 'string') entry.processGuid = m.processGuid;
  if (typeof m.processId === 'number' && Number.isFinite(m.processId)) entry.processId = m.processId;
  return entry;
}

/**
 * The resolution state's schema. The TTL of a key is its newest answer time + the retention: reads ignore the key
 * once every answer in it is past retention by the store's clock.
 */
export function resolutionSchema(options: ResolutionStateOptions = {}): StateSchema<Resolutions> {
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const maxEntries = Math.max(1, options.maxEntriesPerKey ?? DEFAULT_MAX_ENTRIES_PER_KEY);
  return {
    prefix: RESOLUTION_PREFIX,
    merge: (stored, incoming) => mergeResolutions(stored, incoming, maxEntries),
    expiresAt: (entries) => newestTime(entries) + retentionMs,
    maxLifetimeMs: retentionMs + FUTURE_TOLERANCE_MS,
    equals: sameEntries,
    encode: (entries) => entries,
    decode(encoded) {
      if (!Array.isArray(encoded)) return undefined;
      const entries = encoded.flatMap((value) => decodeEntry(value) ?? []);
      // Through the merge: a stored item over the cap or out of order reads as the merge would have left it.
      return entries.length === 0 ? undefined : mergeResolutions(undefined, entries, maxEntries);
    },
  };
}
