/**
 * DNS answers (name -> IP, per host) from Sysmon 22 and DNS-Client 3008 canonical events.
 */
import { type CanonicalEvent, DNS_CLIENT_CHANNEL, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';
import { LIMITS } from '../limits.js';
import { normalizeDnsName, type ParsedQueryResults, parseQueryResults } from './query-results.js';
import type { DnsAnswer } from './resolution.js';

/** Sysmon's DNS query event. */
export const SYSMON_DNS_EVENT_ID = 22;
/** DNS-Client/Operational "DNS query is completed". */
export const DNS_CLIENT_COMPLETED_EVENT_ID = 3008;

const NO_ANSWERS: DnsAnswer[] = [];

/** The answers of one event and what the per-answer caps left out of them (counted in `summary.trimmed`). */
export interface EventAnswers {
  answers: DnsAnswer[];
  /** Addresses and CNAME steps over {@link LIMITS.ipsPerAnswer} / {@link LIMITS.cnamesPerAnswer}; 0 when none. */
  dropped: ParsedQueryResults['dropped'];
}

const NOTHING: EventAnswers = { answers: NO_ANSWERS, dropped: { ips: 0, cnames: 0 } };

/** A decimal process id, or undefined (`-`, empty, garbage). */
export function parseProcessId(text: string | undefined): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** A ProcessGuid in comparison form (lower-case), or undefined when absent or `-`. */
export function normalizeProcessGuid(text: string | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  const guid = text.trim();
  if (guid.length === 0 || guid === '-') return undefined;
  return guid.toLowerCase();
}

/**
 * The answers one event carries: one {@link DnsAnswer} per address of a successful Sysmon 22
 * (`Microsoft-Windows-Sysmon/Operational`) or DNS-Client 3008 (`Microsoft-Windows-DNS-Client/Operational`) event;
 * empty for any other event, a non-zero `QueryStatus`, no `QueryName` (or one longer than
 * {@link LIMITS.dnsNameChars}), or results holding no address (see {@link parseQueryResults}). A missing
 * `QueryStatus` counts as success when results are present. Never throws. All answers of one event share one
 * `cnames` array (do not mutate it). Same as {@link readDnsAnswers}, without the dropped counts.
 */
export function answersFromEvent(event: CanonicalEvent): DnsAnswer[] {
  return readDnsAnswers(event).answers;
}

/**
 * The answers one event carries (see {@link answersFromEvent}) and how many addresses and CNAME steps the
 * per-answer caps dropped from them: the event is kept, its first addresses and steps answer. Dropped counts are
 * 0 when the event gives no answer. Never throws.
 */
export function readDnsAnswers(event: CanonicalEvent): EventAnswers {
  let source: DnsAnswer['source'];
  if (event.eventId === SYSMON_DNS_EVENT_ID && event.channel === SYSMON_CHANNEL) source = 'sysmon-22';
  else if (event.eventId === DNS_CLIENT_COMPLETED_EVENT_ID && event.channel === DNS_CLIENT_CHANNEL)
    source = 'dns-client-3008';
  else return NOTHING;
  const data = event.data;
  if (data === undefined || data === null) return NOTHING;
  const status = data.QueryStatus;
  if (status !== undefined && status.trim() !== '0') return NOTHING;
  const results = data.QueryResults;
  if (typeof results !== 'string' || results.length === 0 || results === '-') return NOTHING;
  const queryName = data.QueryName;
  if (typeof queryName !== 'string' || typeof event.host !== 'string' || !Number.isFinite(event.time)) {
    return NOTHING;
  }
  const name = normalizeDnsName(queryName);
  // No DNS name is longer; such a name would only inflate every stored item of the answer.
  if (name.length === 0 || name.length > LIMITS.dnsNameChars) return NOTHING;
  const parsed = parseQueryResults(results);
  if (parsed.ips.length === 0) return NOTHING;

  const host = hostKey(event.host);
  let processGuid: string | undefined;
  let processId: number | undefined;
  let image: string | undefined;
  if (source === 'sysmon-22') {
    processGuid = normalizeProcessGuid(data.ProcessGuid);
    processId = parseProcessId(data.ProcessId);
    image = data.Image;
  } else {
    processId = event.processId;
    // DNS-Client names no ProcessGuid; the process-tracking hook's pick writes the PID holder's before this one runs.
    processGuid = normalizeProcessGuid(data.ProcessGuid);
  }
  const answers = parsed.ips.map((ip) => {
    const answer: DnsAnswer = { host, ip, name, cnames: parsed.cnames, time: event.time, source };
    if (processGuid !== undefined) answer.processGuid = processGuid;
    if (processId !== undefined) answer.processId = processId;
    if (image !== undefined) answer.image = image;
    return answer;
  });
  return { answers, dropped: parsed.dropped };
}
