/**
 * The `process-tracking` hook (after WHIDS's track hook): picks each process's Sysmon 1 (keyed by host +
 * ProcessGuid) and its Sysmon 5, and pokes the process's context (parent, ancestors, user, integrity level) into
 * the later events of that process. Its pick also gives DNS-Client 3008 events the ProcessGuid of the process that
 * held their PID at that time, so the dns-answers pick after it stores the answer under that process
 * (docs/enrichment.md, "Process tracking").
 */

import { DNS_CLIENT_CHANNEL, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';
import { FUTURE_TOLERANCE_MS } from '../limits.js';
import type { StateSchema } from '../state/state-store.js';
import { type EnrichmentOptions, resolveEnrichmentOptions } from './enrichment-context.js';
import type { Hook } from './hook.js';
import { pokeContext, SYSMON_PROCESS_EVENT_IDS, sidesOf } from './process-tracking-fields.js';
import {
  DEFAULT_MAX_ANCESTORS,
  DEFAULT_MAX_HOLDERS_PER_PID,
  DEFAULT_PROCESS_RETENTION_MS,
  DEFAULT_TERMINATION_GRACE_MS,
  mergeProcessState,
  type ProcessState,
  ProcessTracker,
  pidKey,
  processGuidOf,
  processKey,
  processStateExpiresAt,
  SYSMON_PROCESS_CREATE_EVENT_ID,
  SYSMON_PROCESS_TERMINATE_EVENT_ID,
} from './process-tracking-table.js';

/** DNS-Client/Operational "DNS query is completed" (names its process by PID only). */
const DNS_CLIENT_COMPLETED_EVENT_ID = 3008;

/** The key prefix of the process-tracking state in the state table. */
export const PROCESS_STATE_PREFIX = 'process';

/** The counters of `process-tracking` (reported as hooks.process-tracking.<counter>). */
export const PROCESS_TRACKING_COUNTERS = [
  /** Sysmon 1 events tracked. */
  'created',
  /** Sysmon 1 events of a process already tracked from an earlier or equal time (a duplicate record). */
  'duplicates',
  /** Sysmon 1 events without a usable ProcessGuid, host or time. */
  'invalid',
  /** Sysmon 5 events that ended a process's state. */
  'terminated',
  /** Processes learnt to hold a PID from an event other than their Sysmon 1 (a new PID holder). */
  'pidSightings',
  /** Processes named by an event (its own, or the source / target of 8 and 10) whose context was poked. */
  'poked',
  /** Fields written by the pokes. */
  'fieldsWritten',
  /** Processes named by an event with no Sysmon 1 known at that time (not in the batch nor in the store). */
  'untracked',
  /** DNS-Client 3008 events given a ProcessGuid from their PID. */
  'dnsGuidGiven',
  /** DNS-Client 3008 events whose PID no known process held at that time (left without ProcessGuid). */
  'dnsGuidUnknown',
] as const;

export type ProcessTrackingCounter = (typeof PROCESS_TRACKING_COUNTERS)[number];

function isProcessState(value: unknown): value is ProcessState {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as { kind?: unknown; host?: unknown; guid?: unknown; pid?: unknown; holders?: unknown };
  if (typeof candidate.host !== 'string') return false;
  if (candidate.kind === 'process') return typeof candidate.guid === 'string';
  if (candidate.kind === 'pid') {
    return (
      typeof candidate.pid === 'number' &&
      Array.isArray(candidate.holders) &&
      candidate.holders.every(
        (holder: { guid?: unknown; from?: unknown }) =>
          holder !== null && typeof holder.guid === 'string' && typeof holder.from === 'number',
      )
    );
  }
  return false;
}

/** Compares two plain JSON values (key order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * The process-tracking state: process records (`p|host|guid`) and PID holders (`i|host|pid`) under one prefix.
 * TTL in event time: 30 days after a process's Sysmon 1 (or the answers' `retentionMs` when longer); the answers'
 * `retentionMs` (default 24 h) after its Sysmon 5.
 */
export function processStateSchema(options: EnrichmentOptions = {}): StateSchema<ProcessState> {
  const { retentionMs } = resolveEnrichmentOptions(options);
  const processRetentionMs = Math.max(DEFAULT_PROCESS_RETENTION_MS, retentionMs);
  return {
    prefix: PROCESS_STATE_PREFIX,
    merge: (stored, incoming) => mergeProcessState(stored, incoming, DEFAULT_MAX_HOLDERS_PER_PID),
    expiresAt: (value) => processStateExpiresAt(value, processRetentionMs, retentionMs),
    maxLifetimeMs: processRetentionMs + FUTURE_TOLERANCE_MS,
    equals: sameJson,
    encode: (value) => value,
    decode: (encoded) => (isProcessState(encoded) ? encoded : undefined),
  };
}

/** The state keys an event needs: its processes, their PIDs, a Sysmon 1's parent, a 3008's PID. */
function keysOf(event: Parameters<NonNullable<Hook['poke']>>[0]): string[] | undefined {
  if (typeof event.host !== 'string') return undefined;
  const host = hostKey(event.host);
  if (event.channel === DNS_CLIENT_CHANNEL) {
    return event.processId === undefined ? undefined : [pidKey(host, event.processId)];
  }
  const keys: string[] = [];
  for (const side of sidesOf(event)) {
    keys.push(processKey(host, side.guid));
    if (side.pid !== undefined) keys.push(pidKey(host, side.pid));
  }
  if (event.eventId === SYSMON_PROCESS_CREATE_EVENT_ID) {
    const parent = processGuidOf(event.data.ParentProcessGuid);
    if (parent !== undefined) keys.push(processKey(host, parent));
  }
  return keys;
}

/**
 * Creates the `process-tracking` hook.
 * - pick, Sysmon 1: tracks the process (Image, CommandLine, User, IntegrityLevel, ParentProcessGuid, ParentImage,
 *   ParentCommandLine, CurrentDirectory, Hashes; the parent's User / IntegrityLevel and Ancestors when the parent
 *   is known then); Sysmon 5: ends it (after a 10 s grace in event time); any Sysmon event naming a ProcessGuid
 *   and its PID: the process held that PID from then on.
 * - pick, DNS-Client 3008: `ProcessGuid` (lower-case) of the process holding `processId` on the host at that time,
 *   when one is known and the event has none.
 * - poke, the Sysmon events of a tracked process (and 3008 events given a ProcessGuid): the context fields of
 *   process-tracking-fields.ts, under no prefix, or `Source` / `Target` for the two processes of 8 and 10. A field
 *   the event already has is never replaced; nothing is written for a process not known at the event's time.
 * Never throws.
 */
export function createProcessTrackingHook(options: EnrichmentOptions = {}): Hook<ProcessState, ProcessTrackingCounter> {
  const schema = processStateSchema(options);
  const sysmon = { channel: SYSMON_CHANNEL, eventIds: SYSMON_PROCESS_EVENT_IDS };
  const dnsClient = { channel: DNS_CLIENT_CHANNEL, eventIds: [DNS_CLIENT_COMPLETED_EVENT_ID] };
  const trackerOptions = { terminationGraceMs: DEFAULT_TERMINATION_GRACE_MS, maxAncestors: DEFAULT_MAX_ANCESTORS };
  // One tracker per state view (a view lives as long as its batch context).
  const trackers = new WeakMap<object, ProcessTracker>();
  const trackerOf = (view: ConstructorParameters<typeof ProcessTracker>[0]): ProcessTracker => {
    let tracker = trackers.get(view);
    if (tracker === undefined) {
      tracker = new ProcessTracker(view, trackerOptions);
      trackers.set(view, tracker);
    }
    return tracker;
  };
  return {
    name: 'process-tracking',
    picks: [sysmon, dnsClient],
    pokes: [sysmon, dnsClient],
    counters: PROCESS_TRACKING_COUNTERS,
    // Written by the enrich functions too: the next batch of a shard then has what this one picked (docs/enrichment.md).
    state: { schema, keysOf, persists: true, persistWhenEnriching: true },
    pick(event, { counters, state }) {
      if (typeof event.host !== 'string' || !Number.isFinite(event.time) || event.data == null) {
        if (event.eventId === SYSMON_PROCESS_CREATE_EVENT_ID) counters.invalid++;
        return;
      }
      const tracker = trackerOf(state);
      if (event.channel === DNS_CLIENT_CHANNEL) {
        if (event.processId === undefined || processGuidOf(event.data.ProcessGuid) !== undefined) return;
        const guid = tracker.guidForPid(event.host, event.processId, event.time);
        if (guid === undefined) {
          counters.dnsGuidUnknown++;
          return;
        }
        event.data.ProcessGuid = guid;
        counters.dnsGuidGiven++;
        return;
      }
      if (event.eventId === SYSMON_PROCESS_CREATE_EVENT_ID) {
        const outcome = tracker.create(event.host, event.time, event.data);
        if (outcome === 'created') counters.created++;
        else if (outcome === 'duplicate') counters.duplicates++;
        else counters.invalid++;
        return;
      }
      const sides = sidesOf(event);
      if (event.eventId === SYSMON_PROCESS_TERMINATE_EVENT_ID) {
        const own = sides[0];
        if (own !== undefined) {
          tracker.terminate(event.host, own.guid, event.time, own.pid);
          counters.terminated++;
        }
        return;
      }
      for (const side of sides) {
        if (side.pid !== undefined && tracker.sight(event.host, side.guid, side.pid, event.time)) {
          counters.pidSightings++;
        }
      }
    },
    poke(event, { counters, state }) {
      if (typeof event.host !== 'string' || !Number.isFinite(event.time) || event.data == null) return;
      const tracker = trackerOf(state);
      for (const side of sidesOf(event)) {
        const record = tracker.processAt(event.host, side.guid, event.time);
        if (record === undefined) {
          counters.untracked++;
          continue;
        }
        counters.poked++;
        counters.fieldsWritten += pokeContext(event.data, side.prefix, record);
      }
    },
  };
}
