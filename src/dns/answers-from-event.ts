/**
 * DNS answers (name -> IP, per host) from Sysmon 22 and DNS-Client 3008 canonical events.
 */
import { type CanonicalEvent, DNS_CLIENT_CHANNEL, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';
import { normalizeDnsName, parseQueryResults } from './query-results.js';
import type { DnsAnswer } from './resolution.js';

/** Sysmon's DNS query event. */
export const SYSMON_DNS_EVENT_ID = 22;
/** DNS-Client/Operational "DNS query is completed". */
export const DNS_CLIENT_COMPLETED_EVENT_ID = 3008;

const NO_ANSWERS: DnsAnswer[] = [];

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
 * empty for any other event, a non-zero `QueryStatus`, no `QueryName`, or results holding no address
 * (see {@link parseQueryResults}). A missing `QueryStatus` counts as success when results are present.
 * Never throws. All answers of one event share one `cnames` array (do not mutate it).
 */
export function answersFromEvent(event: CanonicalEvent): DnsAnswer[] {
  let source: DnsAnswer['source'];
  if (event.eventId === SYSMON_DNS_EVENT_ID && event.channel === SYSMON_CHANNEL) source = 'sysmon-22';
  else if (event.eventId === DNS_CLIENT_COMPLETED_EVENT_ID && event.channel === DNS_CLIENT_CHANNEL)
    source = 'dns-client-3008';
  else return NO_ANSWERS;
  const data = event.data;
  if (data === undefined || data === null) return NO_ANSWERS;
  const status = data.QueryStatus;
  if (status !== undefined && status.trim() !== '0') return NO_ANSWERS;
  const results = data.QueryResults;
  if (typeof results !== 'string' || results.length === 0 || results === '-') return NO_ANSWERS;
  const queryName = data.QueryName;
  if (typeof queryName !== 'string' || typeof event.host !== 'string' || !Number.isFinite(event.time)) {
    return NO_ANSWERS;
  }
  const name = normalizeDnsName(queryName);
  if (name.length === 0) return NO_ANSWERS;
  const parsed = parseQueryResults(results);
  if (parsed.ips.length === 0) return NO_ANSWERS;

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
  }
  return parsed.ips.map((ip) => {
    const answer: DnsAnswer = { host, ip, name, cnames: parsed.cnames, time: event.time, source };
    if (processGuid !== undefined) answer.processGuid = processGuid;
    if (processId !== undefined) answer.processId = processId;
    if (image !== undefined) answer.image = image;
    return answer;
  });
}
