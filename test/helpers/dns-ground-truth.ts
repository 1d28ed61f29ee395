/**
 * TEST HELPER: what the netconn-hostname hook should find, computed independently of src/dns and src/hooks (it
 * imports neither and parses QueryResults with its own, simpler code), by brute force over a recording.
 *
 * For each Sysmon 3 connection to an enrichable address: the names its own host logged an answer listing that IP for,
 * from 24 h before to 5 s after the connection; and the same-process answer nearest in time (same ProcessGuid from
 * Sysmon 22; failing that, a DNS-Client 3008 answer whose ProcessID is the connection's ProcessId).
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const DNS_CLIENT = 'Microsoft-Windows-DNS-Client/Operational';
const BEFORE_MS = 24 * 60 * 60 * 1000;
const AFTER_MS = 5000;

interface Answer {
  host: string;
  ip: string;
  name: string;
  time: number;
  guid?: string;
  pid?: string;
}

export interface ConnectionTruth {
  event: CanonicalEvent;
  /** Names the same host resolved to the destination in the window (empty: nothing to find). */
  names: Set<string>;
  /** The same-process answer nearest in time, when there is one in the window. */
  sameProcessNearest?: string;
}

/** Full 8-group lower-case IPv6, or the dotted quad for IPv4 and ::ffff:-mapped IPv4. */
function simpleIp(text: string): string {
  let ip = text.trim().toLowerCase();
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...zeros, ...tailParts].map((part) => part.replace(/^0+(?=.)/, '')).join(':');
}

function enrichable(ip: string): boolean {
  if (ip.includes(':')) {
    if (ip === '0:0:0:0:0:0:0:1' || ip === '0:0:0:0:0:0:0:0') return false;
    return !/^fe[89ab][0-9a-f]:/.test(ip) && !/^ff[0-9a-f]{2}:/.test(ip);
  }
  const octets = ip.split('.').map(Number);
  const [a = 0, b = 0] = octets;
  if (a === 127 || (a === 169 && b === 254) || (a >= 224 && a <= 239)) return false;
  return ip !== '0.0.0.0' && ip !== '255.255.255.255';
}

function answersOf(event: CanonicalEvent): Answer[] {
  const isSysmon22 = event.channel === SYSMON && event.eventId === 22;
  const isClient3008 = event.channel === DNS_CLIENT && event.eventId === 3008;
  if (!isSysmon22 && !isClient3008) return [];
  const status = event.data.QueryStatus;
  if (status !== undefined && status !== '0') return [];
  const name = (event.data.QueryName ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (name === '') return [];
  const answers: Answer[] = [];
  for (const item of (event.data.QueryResults ?? '').split(';')) {
    const text = item.trim();
    if (text === '' || text === '-') continue;
    if (text.startsWith('type:')) {
      // A CNAME step is skipped; any other record type means the addresses after it are another name's.
      if (text.slice(5).trim().split(' ')[0] !== '5') break;
      continue;
    }
    const answer: Answer = { host: event.host.trim().toLowerCase(), ip: simpleIp(text), name, time: event.time };
    if (isSysmon22) answer.guid = event.data.ProcessGuid?.toLowerCase();
    else if (event.processId !== undefined) answer.pid = String(event.processId);
    answers.push(answer);
  }
  return answers;
}

/** Ground truth for every Sysmon 3 connection to an enrichable address in `events` (any order). */
export function dnsGroundTruth(events: readonly CanonicalEvent[]): ConnectionTruth[] {
  const answers = events.flatMap(answersOf);
  const truths: ConnectionTruth[] = [];
  for (const event of events) {
    if (event.channel !== SYSMON || event.eventId !== 3) continue;
    const ip = simpleIp(event.data.DestinationIp ?? '');
    if (ip === '' || !enrichable(ip)) continue;
    const host = event.host.trim().toLowerCase();
    const guid = event.data.ProcessGuid?.toLowerCase();
    const pid = event.data.ProcessId;
    const names = new Set<string>();
    let best: { answer: Answer; rank: number; distance: number } | undefined;
    for (const answer of answers) {
      if (answer.host !== host || answer.ip !== ip) continue;
      if (answer.time < event.time - BEFORE_MS || answer.time > event.time + AFTER_MS) continue;
      names.add(answer.name);
      const rank = guid !== undefined && answer.guid === guid ? 0 : pid !== undefined && answer.pid === pid ? 1 : -1;
      if (rank === -1) continue;
      const distance = Math.abs(answer.time - event.time);
      const better =
        best === undefined ||
        rank < best.rank ||
        (rank === best.rank && distance < best.distance) ||
        (rank === best.rank &&
          distance === best.distance &&
          (answer.time < best.answer.time || (answer.time === best.answer.time && answer.name < best.answer.name)));
      if (better) best = { answer, rank, distance };
    }
    const truth: ConnectionTruth = { event, names };
    if (best !== undefined) truth.sameProcessNearest = best.answer.name;
    truths.push(truth);
  }
  return truths;
}
