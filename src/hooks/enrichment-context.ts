/**
 * The context the enrichment hooks share over one batch: the batch-local resolution table and the counters.
 */
import {
  DEFAULT_MAX_ENTRIES_PER_KEY,
  DEFAULT_MAX_KEYS,
  DEFAULT_RETENTION_MS,
  MemoryResolutionStore,
} from '../dns/memory-resolution-store.js';

/** What the enrichment hooks did over a batch. */
export interface HookCounters {
  /** dns-answers: events that carried at least one answer. */
  dnsAnswerEvents: number;
  /** dns-answers: (name, IP) answers added to the table. */
  dnsAnswers: number;
  /** dns-answers: addresses left out of answers over the per-answer cap (LIMITS.ipsPerAnswer). */
  dnsAnswerIpsDropped: number;
  /** dns-answers: CNAME steps left out of answers over the per-answer cap (LIMITS.cnamesPerAnswer). */
  dnsAnswerCnamesDropped: number;
  /** netconn-hostname: connections named from the same process's answer. */
  netconnEnrichedProcess: number;
  /** netconn-hostname: connections named from an answer of another (or an unknown) process of the same host. */
  netconnEnrichedHost: number;
  /** netconn-hostname: enrichable connections for which the host logged no usable answer. */
  netconnMissed: number;
  /** netconn-hostname: loopback, link-local, multicast, unspecified or broadcast destinations. */
  netconnSkipped: number;
  /** netconn-hostname: `DestinationIp` absent or not an IP address (or no usable host / time). */
  netconnInvalid: number;
  /** netconn-hostname, mode `fill-empty`: Sysmon's own non-empty `DestinationHostname` left as it was. */
  netconnKept: number;
}

/** How connections are named. */
export type HostnameMode = 'replace' | 'fill-empty';

/** Options of the enrichment hooks and their batch table. */
export interface EnrichmentOptions {
  /** How far back an answer can name a connection, in event time. Default 24 h (86 400 000 ms). */
  retentionMs?: number;
  /** How far after a connection an answer still names it (Sysmon can log the answer late). Default 5 000 ms. */
  lookAheadMs?: number;
  /**
   * `replace` (default): the resolved name replaces Sysmon's `DestinationHostname` (a reverse-DNS name at best).
   * `fill-empty`: only a `-` or empty `DestinationHostname` is filled.
   */
  mode?: HostnameMode;
  /** Entries kept per (host, IP) in the batch table. Default 16. */
  maxEntriesPerKey?: number;
  /** (host, IP) pairs kept in the batch table. Default 200 000. */
  maxKeys?: number;
}

export const DEFAULT_LOOK_AHEAD_MS = 5000;

/** The enrichment options with every default filled in. */
export type ResolvedEnrichmentOptions = Required<EnrichmentOptions>;

/** Fills the defaults of {@link EnrichmentOptions}. */
export function resolveEnrichmentOptions(options: EnrichmentOptions = {}): ResolvedEnrichmentOptions {
  return {
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    lookAheadMs: options.lookAheadMs ?? DEFAULT_LOOK_AHEAD_MS,
    mode: options.mode ?? 'replace',
    maxEntriesPerKey: options.maxEntriesPerKey ?? DEFAULT_MAX_ENTRIES_PER_KEY,
    maxKeys: options.maxKeys ?? DEFAULT_MAX_KEYS,
  };
}

export interface EnrichmentContext {
  /** The batch's answers (filled by the pick hooks, and by the pipeline from the remote store). */
  readonly resolutions: MemoryResolutionStore;
  readonly counters: HookCounters;
}

/** Zeroed counters. */
export function newHookCounters(): HookCounters {
  return {
    dnsAnswerEvents: 0,
    dnsAnswers: 0,
    dnsAnswerIpsDropped: 0,
    dnsAnswerCnamesDropped: 0,
    netconnEnrichedProcess: 0,
    netconnEnrichedHost: 0,
    netconnMissed: 0,
    netconnSkipped: 0,
    netconnInvalid: 0,
    netconnKept: 0,
  };
}

/** A fresh context for one batch: an empty table bounded by the options, zeroed counters. */
export function createEnrichmentContext(options: EnrichmentOptions = {}): EnrichmentContext {
  const resolved = resolveEnrichmentOptions(options);
  return {
    resolutions: new MemoryResolutionStore({
      maxEntriesPerKey: resolved.maxEntriesPerKey,
      maxKeys: resolved.maxKeys,
    }),
    counters: newHookCounters(),
  };
}
