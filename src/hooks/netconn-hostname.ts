/**
 * Poke hook: names each Sysmon 3 connection with the DNS name its host resolved to the destination IP.
 */
import { normalizeProcessGuid, parseProcessId } from '../dns/answers-from-event.js';
import { canonicalIp, isEnrichableDestination } from '../dns/canonical-ip.js';
import type { Resolution } from '../dns/resolution.js';
import { type Resolutions, resolutionKey, resolutionSchema } from '../dns/resolution-state.js';
import { type CanonicalEvent, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';
import { connectionKey } from '../pipeline/connection-keys.js';
import { type EnrichmentOptions, resolveEnrichmentOptions } from './enrichment-context.js';
import type { Hook, HookContext } from './hook.js';

/** Sysmon's network connection event. */
export const SYSMON_NETWORK_CONNECT_EVENT_ID = 3;

/** The counters of `netconn-hostname`. */
export const NETCONN_HOSTNAME_COUNTERS = [
  /** Connections named from the same process's answer. */
  'enrichedProcess',
  /** Connections named from an answer of another (or an unknown) process of the same host. */
  'enrichedHost',
  /** Enrichable connections for which the host logged no usable answer. */
  'missed',
  /** Loopback, link-local, multicast, unspecified or broadcast destinations. */
  'skipped',
  /** `DestinationIp` absent or not an IP address (or no usable host / time). */
  'invalid',
  /** Mode `fill-empty`: Sysmon's own non-empty `DestinationHostname` left as it was. */
  'kept',
] as const;

export type NetconnHostnameCounter = (typeof NETCONN_HOSTNAME_COUNTERS)[number];

const NO_ENTRIES: Resolutions = [];

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
export function createNetconnHostnameHook(options: EnrichmentOptions = {}): Hook<Resolutions, NetconnHostnameCounter> {
  const { retentionMs, lookAheadMs, mode } = resolveEnrichmentOptions(options);
  const connection: ConnectionIdentity = { time: 0 };
  return {
    name: 'netconn-hostname',
    picks: [],
    pokes: [{ channel: SYSMON_CHANNEL, eventIds: [SYSMON_NETWORK_CONNECT_EVENT_ID] }],
    counters: NETCONN_HOSTNAME_COUNTERS,
    // Reads the state dns-answers persists: the (host, IP) of each connection the batch pokes.
    state: {
      schema: resolutionSchema(options),
      persists: false,
      keysOf(event) {
        const key = connectionKey(event);
        return key === undefined ? undefined : [resolutionKey(key.host, key.ip)];
      },
    },
    poke(event: CanonicalEvent, context: HookContext<Resolutions, NetconnHostnameCounter>) {
      const counters = context.counters;
      const data = event.data;
      if (data === undefined || data === null || typeof event.host !== 'string' || !Number.isFinite(event.time)) {
        counters.invalid++;
        return;
      }
      const ipText = data.DestinationIp;
      const ip = typeof ipText === 'string' ? canonicalIp(ipText) : undefined;
      if (ip === undefined) {
        counters.invalid++;
        return;
      }
      if (!isEnrichableDestination(ip)) {
        counters.skipped++;
        return;
      }
      const original = data.DestinationHostname;
      if (mode === 'fill-empty' && typeof original === 'string' && original !== '' && original !== '-') {
        counters.kept++;
        return;
      }
      const entries = context.state.get(resolutionKey(hostKey(event.host), ip)) ?? NO_ENTRIES;
      if (entries.length === 0) {
        counters.missed++;
        return;
      }
      // One reused identity object per hook: no allocation per connection beyond the two normalised strings.
      connection.time = event.time;
      connection.processGuid = normalizeProcessGuid(data.ProcessGuid);
      connection.processId = parseProcessId(data.ProcessId);
      const choice = chooseHostname(entries, connection, retentionMs, lookAheadMs);
      if (choice === undefined) {
        counters.missed++;
        return;
      }
      if (choice.source === 'dns-process') counters.enrichedProcess++;
      else counters.enrichedHost++;
      if (data.DestinationHostnameOriginal === undefined) data.DestinationHostnameOriginal = original ?? '';
      data.DestinationHostname = choice.resolution.name;
      data.DestinationHostnameSource = choice.source;
      if (choice.resolution.cnames.length > 0) {
        data.DestinationHostnameCnames = choice.resolution.cnames.join(';');
      }
    },
  };
}
