/**
 * DNS answers and the resolution store port: (host, IP) -> the names that host resolved to that IP.
 */

/** Where an answer came from. */
export type AnswerSource = 'sysmon-22' | 'dns-client-3008';

/** One name -> IP answer a host logged. */
export interface DnsAnswer {
  /** {@link hostKey} of the host that resolved it. */
  host: string;
  /** Canonical IP text: IPv4 dotted quad (no `::ffff:`), IPv6 in RFC 5952 form. */
  ip: string;
  /** The name the process asked for, lower-case, without a trailing dot. */
  name: string;
  /** CNAME steps between `name` and `ip`, in order, lower-case, no trailing dots. */
  cnames: string[];
  /** Event time of the answer, epoch ms. */
  time: number;
  /** Sysmon 22 only. */
  processGuid?: string;
  /** Sysmon 22 ProcessId, or DNS-Client System ProcessID. */
  processId?: number;
  image?: string;
  source: AnswerSource;
}

/** What the store keeps per (host, IP): one entry per recent name. */
export interface Resolution {
  name: string;
  cnames: string[];
  /** Event time of the newest answer merged into this entry, epoch ms. */
  time: number;
  /**
   * Event time of the oldest answer merged into this entry (absent means `time`). A process that resolves the same
   * name again keeps one entry; this keeps the evidence that it had resolved it before a later answer arrived.
   */
  firstTime?: number;
  processGuid?: string;
  processId?: number;
  source: AnswerSource;
}

export interface HostIp {
  host: string;
  ip: string;
}

/** The store's key for a (host, IP) pair. Host must already be a hostKey. */
export function resolutionKey(host: string, ip: string): string {
  return `${host}|${ip}`;
}

/**
 * The resolution store port. Implementations: MemoryResolutionStore (core), the DynamoDB adapter (lambda/adapters).
 * Async because the real one does I/O; hooks never call it: the pipeline prefetches at batch boundaries.
 */
/** A (host, IP) key whose item the store refused for good. */
export interface RefusedKey {
  key: string;
  reason: string;
}

export interface ResolutionStore {
  /**
   * Record answers. An older answer never replaces a newer one for the same (host, IP, name). Keys the backend
   * refuses for good (an item it will never accept) are returned with the reason, never thrown; a retryable
   * failure throws.
   */
  put(answers: readonly DnsAnswer[]): Promise<{ refused: RefusedKey[] }>;
  /** The unexpired resolutions held for each key; keys with none are absent from the map. */
  get(keys: readonly HostIp[]): Promise<ReadonlyMap<string, readonly Resolution[]>>;
}

/**
 * A put that wrote some keys and not others, for a retryable reason: the caller keeps the progress of the records
 * whose keys were all written and retries from the first one that was not.
 */
export class PartialWriteError extends Error {
  override readonly name = 'PartialWriteError';
  constructor(
    readonly failedKeys: readonly string[],
    cause: unknown,
  ) {
    super(`${failedKeys.length} resolution keys not written; retry`, { cause });
  }
}
