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
  /** Not yet counted by an alert; by time, then rule, then id. */
  contributions: Contribution[];
  /** Newest contribution time seen, epoch ms (absent before the first). */
  newest?: number;
  /**
   * `[first, last]` event times of what each alert counted (and of each decided window of an upper-bounded
   * condition), by `last`: a contribution inside one is consumed (never counted again), and no new alert's window
   * ends within a timespan of an alert's `last` (one alert per window).
   */
  spans: [number, number][];
  /** The most recent alerts, at most {@link MAX_FIRED}, for re-emission on retry. */
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
/** Alert windows remembered per group (for consumption and one alert per window), within the tolerance. */
export const MAX_SPANS = 1_000;
/** Contribution ids an alert lists (with the total count). */
export const MAX_ALERT_IDS = 20;

export type AddOutcome = 'added' | 'duplicate' | 'late' | 'consumed' | 'replayed';

export function emptyGroupState(): GroupState {
  return { contributions: [], spans: [], fired: [] };
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

/** Whether `time` lies in the window of an alert already raised. */
function consumed(state: GroupState, time: number): boolean {
  return state.spans.some(([first, last]) => time >= first && time <= last);
}

/** Whether an alert's window may not end at `time`: within a timespan of an earlier alert's (either side). */
function blocked(state: GroupState, spec: WindowSpec, time: number): boolean {
  return state.spans.some(([, last]) => Math.abs(time - last) < spec.timespanMs);
}

/** Records an alert over `window` and removes what it counted (`span`: its times, default the window's). */
function fire(
  state: GroupState,
  trigger: string,
  window: readonly Contribution[],
  value: number,
  span?: [number, number],
): FiredAlert {
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
  const [first, last] = span ?? [alert.start, alert.end];
  addSpan(state, first, last);
  const counted = new Set(window);
  const ids = idsOf(state);
  // What it counted, and anything else inside its span (same times): consumed.
  state.contributions = state.contributions.filter((c) => {
    const gone = counted.has(c) || (c.time >= first && c.time <= last);
    if (gone) ids.delete(c.id);
    return !gone;
  });
  idIndex.set(state, ids);
  return alert;
}

function addSpan(state: GroupState, first: number, last: number): void {
  let i = state.spans.length;
  while (i > 0 && (state.spans[i - 1] as [number, number])[1] > last) i--;
  state.spans.splice(i, 0, [first, last]);
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
 * at the group's first contribution not yet counted and lasts `timespanMs`; its value is evaluated once, when it
 * closes, and its contributions are then done with (alert or not). `trigger` names the alert's trigger
 * (undefined: the window's last contribution, for a flush).
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
    const first = state.contributions[0];
    if (first === undefined) return alerts;
    const end = first.time + spec.timespanMs;
    if (!(end + toleranceMs < until)) return alerts;
    const window = state.contributions.slice(0, upperBound(state.contributions, end));
    const value = aggregate(spec, window);
    if (conditionHolds(spec.condition, value)) {
      const last = window[window.length - 1]?.id ?? first.id;
      alerts.push(fire(state, trigger ?? last, window, value, [first.time, end]));
    } else {
      // Decided: the window's contributions never count again, alert or not (the next window starts after it).
      const ids = idsOf(state);
      for (const c of window) ids.delete(c.id);
      state.contributions.splice(0, window.length);
      addSpan(state, first.time, end);
    }
  }
}

/**
 * Adds one contribution (mutating `state`) and returns what happened and the alerts it raised.
 * - `replayed`: it raised alerts before (a retry): the same alerts again, state unchanged;
 * - `duplicate`: already counted; `consumed`: inside the window of an alert (or a decided window) of this group;
 *   `late`: more than `toleranceMs` older than the group's newest contribution. None of these change the state.
 * Sliding conditions (no upper bound) are evaluated on the windows `[t - timespan, t]` ending at each contribution
 * the new one can be part of; alerts of a group end at least a timespan apart. Other conditions: {@link closeWindows}.
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
  if (consumed(state, c.time)) return { outcome: 'consumed', alerts: [] };
  if (state.newest !== undefined && c.time < state.newest - toleranceMs) return { outcome: 'late', alerts: [] };
  const at = insert(state.contributions, c);
  idsOf(state).add(c.id);
  if (state.newest === undefined || c.time > state.newest) state.newest = c.time;
  const alerts = spec.sliding ? slide(state, spec, c, at) : closeWindows(state, spec, state.newest, toleranceMs, c.id);
  prune(state, spec, toleranceMs);
  return { outcome: 'added', alerts };
}

function slide(state: GroupState, spec: WindowSpec, c: Contribution, at: number): FiredAlert[] {
  const list = state.contributions;
  // Windows ending at c or at a later contribution within a timespan of it now count c: earliest first.
  for (let i = at; i < list.length; i++) {
    const end = list[i] as Contribution;
    if (end.time > c.time + spec.timespanMs) break;
    if (blocked(state, spec, end.time)) continue;
    // Consumed contributions are gone from the list: what is left in the window is what may be counted.
    const lo = lowerBound(list, end.time - spec.timespanMs);
    // Counting needs no copy of the window: the cost per contribution stays a binary search for event_count.
    const window = spec.type === 'event_count' ? undefined : list.slice(lo, i + 1);
    const value = window === undefined ? i + 1 - lo : aggregate(spec, window);
    if (conditionHolds(spec.condition, value)) {
      return [fire(state, c.id, window ?? list.slice(lo, i + 1), value)];
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
  // A contribution accepted later is at most `toleranceMs` older than the newest; its window reaches a timespan back,
  // and an alert a timespan before that window's end can still block it.
  const newest = state.newest ?? Number.NEGATIVE_INFINITY;
  const horizon = newest - spec.timespanMs - toleranceMs;
  let cut = lowerBound(state.contributions, horizon);
  if (state.contributions.length - cut > MAX_CONTRIBUTIONS) cut = state.contributions.length - MAX_CONTRIBUTIONS;
  if (cut > 0) {
    const ids = idsOf(state);
    for (const removed of state.contributions.splice(0, cut)) ids.delete(removed.id);
  }
  const spanHorizon = newest - toleranceMs - spec.timespanMs;
  let drop = 0;
  while (drop < state.spans.length && (state.spans[drop] as [number, number])[1] < spanHorizon) drop++;
  if (drop > 0) state.spans.splice(0, drop);
  if (state.spans.length > MAX_SPANS) state.spans.splice(0, state.spans.length - MAX_SPANS);
}
