/**
 * DNS answers and what the resolution state keeps of them: (host, IP) -> the names that host resolved to that IP.
 * The state itself (merge, TTL, keys): resolution-state.ts.
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

export { resolutionKey } from './resolution-state.js';
