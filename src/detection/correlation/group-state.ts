/**
 * The state of one correlation for one group (one combination of group-by values), and its pure transitions:
 * add a contribution, close windows that can no longer change. Everything is in EVENT time. The state is plain
 * JSON so that any store (memory, DynamoDB) can keep it; applying the same contribution twice is a no-op, which
 * is what makes a retried batch safe (see docs/detection.md, "Correlation rules").
 */
import type { CorrelationCondition, CorrelationType } from './parse-correlation.js';

/** One event (or one alert of an inner correlation) counted by a correlation. */
export interface Contribution {
  /** Stable id: the event's SourcedEvent.id, or the inner alert's occurrence id. */
  id: string;
  /** Event time, epoch ms. */
  time: number;
  /** Index of the referenced rule in the correlation's `rules`. */
  rule: number;
  /** value_count: the value (a tuple's JSON for several fields); value_sum/value_avg: the number's text. */
  value?: string;
}

/** An alert this group raised, kept so that a retry re-adding its trigger gets the same alert back. */
export interface FiredAlert {
  /** The contribution whose arrival raised it. */
  trigger: string;
  /** Event time of the window's first and last counted contribution. */
  start: number;
  end: number;
  /** The aggregated value that met the condition (count, distinct values, rules seen, sum or average). */
  value: number;
  /** Ids of the counted contributions, the first {@link MAX_ALERT_IDS} in time order. */
  ids: string[];
  /** How many contributions were counted. */
  count: number;
}

export interface GroupState {
  /** By time, then rule, then id. */
  contributions: Contribution[];
  /** Newest contribution time seen, epoch ms (absent before the first). */
  newest?: number;
  /** Contributions at or before this time were counted by an alert (never counted again). */
  consumedUntil?: number;
  /** Sliding windows: no alert for a window ending before this time (one alert per timespan). */
  quietUntil?: number;
  /** The most recent alerts, at most {@link MAX_FIRED}. */
  fired: FiredAlert[];
}

/** What a correlation needs to know to move its groups' states. */
export interface WindowSpec {
  type: CorrelationType;
  timespanMs: number;
  /** With the default filled in (temporal: every rule). */
  condition: CorrelationCondition;
  /** How many rules the correlation references (temporal, temporal_ordered). */
  ruleCount: number;
  /** True when the condition has no upper bound: evaluated on the sliding window ending at each contribution. */
  sliding: boolean;
}

/** Contributions kept per group; the oldest go first (see docs/detection.md: a bound, not exact, beyond it). */
export const MAX_CONTRIBUTIONS = 1_000;
/** Alerts remembered per group for re-emission on retry. */
export const MAX_FIRED = 16;
/** Contribution ids an alert lists (with the total count). */
export const MAX_ALERT_IDS = 20;

export type AddOutcome = 'added' | 'duplicate' | 'late' | 'consumed' | 'replayed';

export function emptyGroupState(): GroupState {
  return { contributions: [], fired: [] };
}

/** True when the condition has no upper bound (only gt/gte, or none). */
export function isSliding(condition: CorrelationCondition): boolean {
  return (
    condition.lt === undefined &&
    condition.lte === undefined &&
    condition.eq === undefined &&
    condition.neq === undefined
  );
}

export function conditionHolds(c: CorrelationCondition, value: number): boolean {
  if (c.gt !== undefined && !(value > c.gt)) return false;
  if (c.gte !== undefined && !(value >= c.gte)) return false;
  if (c.lt !== undefined && !(value < c.lt)) return false;
  if (c.lte !== undefined && !(value <= c.lte)) return false;
  if (c.eq !== undefined && value !== c.eq) return false;
  if (c.neq !== undefined && value === c.neq) return false;
  return true;
}

/** The aggregated value of a window's contributions (in time order). */
export function aggregate(spec: WindowSpec, window: readonly Contribution[]): number {
  switch (spec.type) {
    case 'event_count':
      return window.length;
    case 'value_count':
      return new Set(window.map((c) => c.value)).size;
    case 'temporal':
      return new Set(window.map((c) => c.rule)).size;
    case 'temporal_ordered': {
      // The longest prefix of `rules` seen in order; greedy earliest matching is optimal for a fixed sequence.
      let k = 0;
      for (const c of window) if (c.rule === k) k++;
      return k;
    }
    case 'value_sum':
      return window.reduce((sum, c) => sum + Number(c.value), 0);
    case 'value_avg':
      return window.length === 0 ? 0 : window.reduce((sum, c) => sum + Number(c.value), 0) / window.length;
  }
}

function order(a: Contribution, b: Contribution): number {
  return a.time - b.time || a.rule - b.rule || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function fire(state: GroupState, trigger: string, window: readonly Contribution[], value: number): FiredAlert {
  const alert: FiredAlert = {
    trigger,
    start: window[0]?.time ?? 0,
    end: window[window.length - 1]?.time ?? 0,
    value,
    ids: window.slice(0, MAX_ALERT_IDS).map((c) => c.id),
    count: window.length,
  };
  state.fired.push(alert);
  if (state.fired.length > MAX_FIRED) state.fired.splice(0, state.fired.length - MAX_FIRED);
  return alert;
}

/** The first index whose contribution's time is at least `time` (the list is in time order). */
function lowerBound(list: readonly Contribution[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Contribution).time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose contribution's time is after `time`. */
function upperBound(list: readonly Contribution[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Contribution).time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first unconsumed contribution at or after `start`. */
function windowStart(state: GroupState, start: number): number {
  const list = state.contributions;
  const lo = lowerBound(list, start);
  return state.consumedUntil === undefined ? lo : Math.max(lo, upperBound(list, state.consumedUntil));
}

/** Unconsumed contributions with start <= time <= end. */
function windowOf(state: GroupState, start: number, end: number): Contribution[] {
  return state.contributions.slice(windowStart(state, start), upperBound(state.contributions, end));
}

/** The ids a state holds, built once per state object and kept up to date by the transitions below. */
const idIndex = new WeakMap<GroupState, Set<string>>();

function idsOf(state: GroupState): Set<string> {
  let ids = idIndex.get(state);
  if (ids === undefined) {
    ids = new Set(state.contributions.map((c) => c.id));
    idIndex.set(state, ids);
  }
  return ids;
}

/**
 * Closes every window (non-sliding conditions) that ends more than `toleranceMs` before `until`: a window starts
 * at the first unconsumed contribution and lasts `timespanMs`; its value is evaluated once, when it closes.
 * `trigger` names the alert's trigger (undefined: the window's last contribution, for a flush).
 */
export function closeWindows(
  state: GroupState,
  spec: WindowSpec,
  until: number,
  toleranceMs: number,
  trigger: string | undefined,
): FiredAlert[] {
  const alerts: FiredAlert[] = [];
  if (spec.sliding) return alerts;
  for (;;) {
    const floor = state.consumedUntil ?? Number.NEGATIVE_INFINITY;
    const first = state.contributions[windowStart(state, floor)];
    if (first === undefined) return alerts;
    const end = first.time + spec.timespanMs;
    if (!(end + toleranceMs < until)) return alerts;
    const window = windowOf(state, first.time, end);
    const value = aggregate(spec, window);
    if (conditionHolds(spec.condition, value)) {
      alerts.push(fire(state, trigger ?? window[window.length - 1]?.id ?? first.id, window, value));
    }
    state.consumedUntil = end;
  }
}

/**
 * Adds one contribution (mutating `state`) and returns what happened and the alerts it raised.
 * - `replayed`: it raised alerts before (a retry): the same alerts again, state unchanged;
 * - `duplicate`: already counted; `late`: more than `toleranceMs` older than the group's newest contribution;
 *   `consumed`: inside a window an alert already counted. None of these change the state.
 * Sliding conditions (no upper bound) are evaluated on the windows `[t - timespan, t]` ending at each contribution
 * the new one can be part of; at most one alert per timespan per group. Other conditions: {@link closeWindows}.
 */
export function addContribution(
  state: GroupState,
  spec: WindowSpec,
  c: Contribution,
  toleranceMs: number,
): { outcome: AddOutcome; alerts: FiredAlert[] } {
  const before = state.fired.filter((f) => f.trigger === c.id);
  if (before.length > 0) return { outcome: 'replayed', alerts: before };
  if (idsOf(state).has(c.id)) return { outcome: 'duplicate', alerts: [] };
  if (state.consumedUntil !== undefined && c.time <= state.consumedUntil) return { outcome: 'consumed', alerts: [] };
  if (state.newest !== undefined && c.time < state.newest - toleranceMs) return { outcome: 'late', alerts: [] };
  const at = insert(state.contributions, c);
  idsOf(state).add(c.id);
  if (state.newest === undefined || c.time > state.newest) state.newest = c.time;
  const alerts = spec.sliding ? slide(state, spec, c, at) : closeWindows(state, spec, state.newest, toleranceMs, c.id);
  prune(state, spec, toleranceMs);
  return { outcome: 'added', alerts };
}

function slide(state: GroupState, spec: WindowSpec, c: Contribution, at: number): FiredAlert[] {
  const quiet = state.quietUntil ?? Number.NEGATIVE_INFINITY;
  const list = state.contributions;
  // Windows ending at c or at a later contribution within a timespan of it now count c: earliest first.
  for (let i = at; i < list.length; i++) {
    const end = list[i] as Contribution;
    if (end.time < quiet) continue;
    if (end.time > c.time + spec.timespanMs) break;
    const lo = windowStart(state, end.time - spec.timespanMs);
    // Counting needs no copy of the window: the cost per contribution stays a binary search for event_count.
    const window = spec.type === 'event_count' ? undefined : list.slice(lo, i + 1);
    const value = window === undefined ? i + 1 - lo : aggregate(spec, window);
    if (conditionHolds(spec.condition, value)) {
      const alert = fire(state, c.id, window ?? list.slice(lo, i + 1), value);
      state.consumedUntil = end.time;
      state.quietUntil = end.time + spec.timespanMs;
      return [alert];
    }
  }
  return [];
}

/** Inserts in order and returns the index (events mostly come in order: the search starts at the end). */
function insert(list: Contribution[], c: Contribution): number {
  let i = list.length;
  while (i > 0 && order(list[i - 1] as Contribution, c) > 0) i--;
  list.splice(i, 0, c);
  return i;
}

/** Drops what no window can count any more, and the oldest beyond {@link MAX_CONTRIBUTIONS}. */
function prune(state: GroupState, spec: WindowSpec, toleranceMs: number): void {
  // A contribution accepted later is at most `toleranceMs` older than the newest; its window reaches a timespan back.
  const horizon = (state.newest ?? Number.NEGATIVE_INFINITY) - spec.timespanMs - toleranceMs;
  const consumed = state.consumedUntil ?? Number.NEGATIVE_INFINITY;
  let cut = 0;
  for (const c of state.contributions) {
    if (c.time >= horizon && c.time > consumed) break;
    cut++;
  }
  if (state.contributions.length - cut > MAX_CONTRIBUTIONS) cut = state.contributions.length - MAX_CONTRIBUTIONS;
  if (cut === 0) return;
  const ids = idsOf(state);
  for (const removed of state.contributions.splice(0, cut)) ids.delete(removed.id);
}
