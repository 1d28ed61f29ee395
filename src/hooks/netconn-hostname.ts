/**
 * Poke hook: names each Sysmon 3 connection with the DNS name its host resolved to the destination IP.
 */
import { normalizeProcessGuid, parseProcessId } from '../dns/answers-from-event.js';
import { canonicalIp, isEnrichableDestination } from '../dns/canonical-ip.js';
import type { Resolution } from '../dns/resolution.js';
import { type CanonicalEvent, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';
import { type EnrichmentContext, type EnrichmentOptions, resolveEnrichmentOptions } from './enrichment-context.js';
import type { Hook } from './hook.js';

/** Sysmon's network connection event. */
export const SYSMON_NETWORK_CONNECT_EVENT_ID = 3;

/** Where the name written into `DestinationHostnameSource` came from. */
export type HostnameSource = 'dns-process' | 'dns-host';

/** The connection a name is chosen for. */
export interface ConnectionIdentity {
  /** Connection event time, epoch ms. */
  time: number;
  /** Lower-case ProcessGuid of the connecting process, when known. */
  processGuid?: string;
  /** ProcessId of the connecting process (Sysmon 3 `ProcessId`), when known. */
  processId?: number;
}

/** A chosen name. */
export interface HostnameChoice {
  resolution: Resolution;
  source: HostnameSource;
}

/** Same-process evidence ranks: the ProcessGuid proves it, a DNS-Client ProcessId only suggests it (PIDs recycle). */
const TIER_GUID = 0;
const TIER_PID = 1;

function tieBreak(a: Resolution, b: Resolution): boolean {
  return a.name < b.name;
}

/**
 * Chooses the name for a connection among the resolutions its host holds for the destination IP, or undefined.
 *
 * Each entry stands for its known answer times (`firstTime` and `time`); only those inside
 * [t - retentionMs, t + lookAheadMs] count.
 * 1. Same process (`dns-process`): an entry with the connection's ProcessGuid (Sysmon 22) or, failing that, a
 *    DNS-Client 3008 entry (no ProcessGuid) with the connection's ProcessId; the answer time nearest to t wins,
 *    an answer before t on an exact tie.
 * 2. Host (`dns-host`): any entry; the latest answer at or before t, else the earliest one in (t, t + lookAheadMs].
 * Exact ties between names are broken by name so the choice does not depend on insertion order.
 */
export function chooseHostname(
  entries: readonly Resolution[],
  connection: ConnectionIdentity,
  retentionMs: number,
  lookAheadMs: number,
): HostnameChoice | undefined {
  const t = connection.time;
  const low = t - retentionMs;
  const high = t + lookAheadMs;
  const guid = connection.processGuid;
  const pid = connection.processId;

  let process: Resolution | undefined;
  let processTier = 2;
  let processDistance = Number.POSITIVE_INFINITY;
  let processBefore = false;
  let before: Resolution | undefined;
  let beforeTime = Number.NEGATIVE_INFINITY;
  let after: Resolution | undefined;
  let afterTime = Number.POSITIVE_INFINITY;

  for (const entry of entries) {
    const newest = entry.time;
    const oldest = entry.firstTime ?? newest;
    if (oldest > high || newest < low) continue;
    let tier = -1;
    if (guid !== undefined && entry.processGuid === guid) tier = TIER_GUID;
    else if (entry.processGuid === undefined && pid !== undefined && entry.processId === pid) tier = TIER_PID;
    // The two known answer times of the entry (the same one twice when it merged a single answer).
    for (let k = 0; k < 2; k++) {
      const at = k === 0 ? oldest : newest;
      if (at < low || at > high) continue;
      if (tier !== -1) {
        const distance = at <= t ? t - at : at - t;
        const isBefore = at <= t;
        if (
          tier < processTier ||
          (tier === processTier &&
            (distance < processDistance ||
              (distance === processDistance &&
                ((isBefore && !processBefore) ||
                  (isBefore === processBefore && process !== undefined && tieBreak(entry, process))))))
        ) {
          process = entry;
          processTier = tier;
          processDistance = distance;
          processBefore = isBefore;
        }
      }
      if (at <= t) {
        if (at > beforeTime || (at === beforeTime && before !== undefined && tieBreak(entry, before))) {
          before = entry;
          beforeTime = at;
        }
      } else if (at < afterTime || (at === afterTime && after !== undefined && tieBreak(entry, after))) {
        after = entry;
        afterTime = at;
      }
    }
  }
  if (process !== undefined) return { resolution: process, source: 'dns-process' };
  if (before !== undefined) return { resolution: before, source: 'dns-host' };
  if (after !== undefined) return { resolution: after, source: 'dns-host' };
  return undefined;
}

/**
 * Creates the `netconn-hostname` poke hook over Sysmon 3. When a name is found it writes:
 * - `DestinationHostname`: the name the process asked for (mode `replace`; mode `fill-empty` leaves a Sysmon value
 *   other than `-` / empty alone and counts it as kept);
 * - `DestinationHostnameOriginal`: Sysmon's own value as it was (`''` when the field was absent), always, so a
 *   reader can tell an enriched event; never overwritten if already present (hooks run twice over an event);
 * - `DestinationHostnameSource`: `dns-process` or `dns-host`;
 * - `DestinationHostnameCnames`: the CNAME chain, `;`-joined, when there is one.
 * When nothing is found, the event is left untouched. Never throws.
 */
export function createNetconnHostnameHook(options: EnrichmentOptions = {}): Hook<EnrichmentContext> {
  const { retentionMs, lookAheadMs, mode } = resolveEnrichmentOptions(options);
  const connection: ConnectionIdentity = { time: 0 };
  return {
    name: 'netconn-hostname',
    stage: 'poke',
    selects: [{ channel: SYSMON_CHANNEL, eventIds: [SYSMON_NETWORK_CONNECT_EVENT_ID] }],
    apply(event: CanonicalEvent, context: EnrichmentContext) {
      const counters = context.counters;
      const data = event.data;
      if (data === undefined || data === null || typeof event.host !== 'string' || !Number.isFinite(event.time)) {
        counters.netconnInvalid++;
        return;
      }
      const ipText = data.DestinationIp;
      const ip = typeof ipText === 'string' ? canonicalIp(ipText) : undefined;
      if (ip === undefined) {
        counters.netconnInvalid++;
        return;
      }
      if (!isEnrichableDestination(ip)) {
        counters.netconnSkipped++;
        return;
      }
      const original = data.DestinationHostname;
      if (mode === 'fill-empty' && typeof original === 'string' && original !== '' && original !== '-') {
        counters.netconnKept++;
        return;
      }
      const entries = context.resolutions.candidates(hostKey(event.host), ip);
      if (entries.length === 0) {
        counters.netconnMissed++;
        return;
      }
      // One reused identity object per hook: no allocation per connection beyond the two normalised strings.
      connection.time = event.time;
      connection.processGuid = normalizeProcessGuid(data.ProcessGuid);
      connection.processId = parseProcessId(data.ProcessId);
      const choice = chooseHostname(entries, connection, retentionMs, lookAheadMs);
      if (choice === undefined) {
        counters.netconnMissed++;
        return;
      }
      if (choice.source === 'dns-process') counters.netconnEnrichedProcess++;
      else counters.netconnEnrichedHost++;
      if (data.DestinationHostnameOriginal === undefined) data.DestinationHostnameOriginal = original ?? '';
      data.DestinationHostname = choice.resolution.name;
      data.DestinationHostnameSource = choice.source;
      if (choice.resolution.cnames.length > 0) {
        data.DestinationHostnameCnames = choice.resolution.cnames.join(';');
      }
    },
  };
}
