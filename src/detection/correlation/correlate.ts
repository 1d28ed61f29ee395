/**
 * The correlation engine: base-rule matches in, correlation alerts out, in event time, with the state behind a
 * {@link CorrelationStore}. Correlations run inner first, so an inner alert feeds its outer correlations in the
 * same call. Every contribution is keyed by a stable id, so applying a batch twice (a retry) counts nothing twice
 * and raises the same alerts again, with the same occurrence ids. Semantics: docs/detection.md, "Correlation rules".
 */
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../../events/canonical-event.js';
import type { RuleInfo } from '../types.js';
import type { CompiledCorrelation, CorrelationSet } from './correlation-set.js';
import type { CorrelationStore, StoredGroup } from './correlation-store.js';
import { readEventField } from './event-field.js';
import {
  type AddOutcome,
  addContribution,
  type Contribution,
  closeWindows,
  emptyGroupState,
  type FiredAlert,
  type GroupState,
} from './group-state.js';

/** One base rule that matched one event. `ref` is the caller's handle on the event (returned with alerts). */
export interface BaseMatch<E> {
  rule: RuleInfo;
  event: CanonicalEvent;
  /** The event's stable id (SourcedEvent.id). */
  id: string;
  ref: E;
}

export interface CorrelationAlert<E> {
  correlation: CompiledCorrelation;
  /** Stable across retries: trigger id, correlation, group and window start. */
  occurrenceId: string;
  /** group-by name -> value. */
  group: Record<string, string>;
  /** Window of the counted contributions, event time epoch ms. */
  start: number;
  end: number;
  /** The aggregated value that met the condition. */
  value: number;
  /** Ids of the counted events (or inner alerts), the first few, and how many there were. */
  ids: string[];
  count: number;
  /** The base event whose arrival raised the alert (through inner alerts for chained correlations). */
  trigger: { ref: E; event: CanonicalEvent; id: string };
}

export interface CorrelateOptions {
  store: CorrelationStore;
  /** A contribution up to this much older than its group's newest is still counted exactly. */
  toleranceMs: number;
  /** Wall clock, epoch ms: the stored groups' expiry counts from it. */
  now: number;
  /** Close every window of the groups touched (end of a replay's input): upper-bounded conditions are decided. */
  flush: boolean;
}

export interface CorrelateCounts {
  /** Contributions counted for the first time. */
  added: number;
  /** Already counted (a retry, or an event seen twice). */
  duplicates: number;
  /** More than the tolerance older than the newest of their group: not counted. */
  late: number;
  /** Inside a window an alert already counted. */
  consumed: number;
  /** A base match without a value for a group-by (or value) field: not counted. */
  missingField: number;
}

/** How long a group is kept after its last change beyond its window: retries of a batch come well within it. */
export const GROUP_RETENTION_MARGIN_MS = 7 * 86_400_000;
/** value_count values longer than this are stored as a hash. */
const MAX_VALUE_CHARS = 64;
/** Optimistic-concurrency rounds per group before the batch is failed for a retry. */
const MAX_SAVE_ROUNDS = 8;

/** Another writer kept changing a group: the batch must be retried (a dependency-class failure). */
export class CorrelationConflictError extends Error {
  override readonly name = 'CorrelationConflictError';
  constructor(readonly key: string) {
    super(`correlation state ${key} kept changing under this batch; retry`);
  }
}

interface Input<E> {
  contribution: Contribution;
  groupKey: string;
  group: Record<string, string>;
  trigger: CorrelationAlert<E>['trigger'];
}

/** The group key's short stable hash, for occurrence ids and store keys. */
function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The store key of one correlation's group. */
export function groupStoreKey(correlation: CompiledCorrelation, groupKey: string): string {
  return `${correlation.key}|${hashOf(groupKey)}`;
}

/**
 * Feeds the matches (any order; they are applied per group in event-time order) through every correlation.
 * Returns every alert raised, including inner ones (see `correlation.alerts` for which are output), and counts.
 * Throws only what the store throws, or {@link CorrelationConflictError}.
 */
export async function correlate<E>(
  set: CorrelationSet,
  matches: readonly BaseMatch<E>[],
  options: CorrelateOptions,
): Promise<{ alerts: CorrelationAlert<E>[]; counts: CorrelateCounts }> {
  const counts: CorrelateCounts = { added: 0, duplicates: 0, late: 0, consumed: 0, missingField: 0 };
  const pending = new Map<CompiledCorrelation, Input<E>[]>();
  const push = (correlation: CompiledCorrelation, input: Input<E>) => {
    const list = pending.get(correlation) ?? [];
    list.push(input);
    pending.set(correlation, list);
  };
  for (const match of matches) {
    for (const { correlation, index } of set.feedsOf(match.rule)) {
      const input = baseInput(correlation, index, match, (name) => readEventField(match.event, name));
      if (input === undefined) counts.missingField++;
      else push(correlation, input);
    }
  }
  const alerts: CorrelationAlert<E>[] = [];
  for (const correlation of set.correlations) {
    const inputs = pending.get(correlation);
    if (inputs === undefined) continue;
    const raised = await runCorrelation(correlation, inputs, options, counts);
    for (const alert of raised) {
      alerts.push(alert);
      for (const feed of set.feedsOfCorrelation(alert.correlation)) {
        const input = innerInput(feed.correlation, feed.index, alert);
        if (input === undefined) counts.missingField++;
        else push(feed.correlation, input);
      }
    }
  }
  return { alerts, counts };
}

function groupOf(
  correlation: CompiledCorrelation,
  index: number,
  read: (name: string) => string | undefined,
): { groupKey: string; group: Record<string, string>; value?: string } | undefined {
  const source = correlation.sources[index];
  if (source === undefined) return undefined;
  const values: string[] = [];
  const group: Record<string, string> = {};
  for (const [j, field] of source.groupFields.entries()) {
    const v = read(field);
    if (v === undefined) return undefined;
    values.push(v);
    group[correlation.groupBy[j] as string] = v;
  }
  const out = { groupKey: JSON.stringify(values), group };
  if (source.valueFields === undefined) return out;
  const parts: string[] = [];
  for (const field of source.valueFields) {
    const v = read(field);
    if (v === undefined) return undefined;
    parts.push(v);
  }
  const type = correlation.spec.type;
  if (type === 'value_sum' || type === 'value_avg') {
    const n = Number(parts[0]);
    if (parts.length !== 1 || parts[0]?.trim() === '' || !Number.isFinite(n)) return undefined;
    return { ...out, value: String(n) };
  }
  const value = parts.length === 1 ? (parts[0] as string) : JSON.stringify(parts);
  // Only equality matters for distinct values: a long one is kept as its hash (the state stays small; see docs).
  return { ...out, value: value.length > MAX_VALUE_CHARS ? `sha256:${hashOf(value)}` : value };
}

function contributionId(correlation: CompiledCorrelation, id: string, index: number): string {
  // One event matching two referenced rules is two event types for temporal correlations, one event otherwise.
  const t = correlation.spec.type;
  return t === 'temporal' || t === 'temporal_ordered' ? `${id}@${index}` : id;
}

function baseInput<E>(
  correlation: CompiledCorrelation,
  index: number,
  match: BaseMatch<E>,
  read: (name: string) => string | undefined,
): Input<E> | undefined {
  const g = groupOf(correlation, index, read);
  if (g === undefined) return undefined;
  const contribution: Contribution = {
    id: contributionId(correlation, match.id, index),
    time: match.event.time,
    rule: index,
  };
  if (g.value !== undefined) contribution.value = g.value;
  return {
    contribution,
    groupKey: g.groupKey,
    group: g.group,
    trigger: { ref: match.ref, event: match.event, id: match.id },
  };
}

function innerInput<E>(correlation: CompiledCorrelation, index: number, alert: CorrelationAlert<E>) {
  const g = groupOf(correlation, index, (name) => alert.group[name]);
  if (g === undefined) return undefined;
  const contribution: Contribution = {
    id: contributionId(correlation, alert.occurrenceId, index),
    time: alert.end,
    rule: index,
  };
  if (g.value !== undefined) contribution.value = g.value;
  return { contribution, groupKey: g.groupKey, group: g.group, trigger: alert.trigger };
}

async function runCorrelation<E>(
  correlation: CompiledCorrelation,
  inputs: Input<E>[],
  options: CorrelateOptions,
  counts: CorrelateCounts,
): Promise<CorrelationAlert<E>[]> {
  const byGroup = new Map<string, Input<E>[]>();
  for (const input of inputs) {
    const key = groupStoreKey(correlation, input.groupKey);
    const list = byGroup.get(key) ?? [];
    list.push(input);
    byGroup.set(key, list);
  }
  for (const list of byGroup.values()) {
    list.sort((a, b) => a.contribution.time - b.contribution.time);
  }
  const keys = [...byGroup.keys()];
  let loaded = await options.store.load(keys);
  const alerts: CorrelationAlert<E>[] = [];
  for (const key of keys) {
    const list = byGroup.get(key) as Input<E>[];
    for (let round = 0; ; round++) {
      if (round >= MAX_SAVE_ROUNDS) throw new CorrelationConflictError(key);
      const stored: StoredGroup | undefined = loaded.get(key);
      const state = stored?.state ?? emptyGroupState();
      const applied = applyAll(correlation, state, list, options);
      const expiresAt = options.now + correlation.spec.timespanMs + options.toleranceMs + GROUP_RETENTION_MARGIN_MS;
      if (!applied.changed || (await options.store.save(key, state, stored?.version ?? 0, expiresAt))) {
        for (const [name, n] of Object.entries(applied.counts)) counts[name as keyof CorrelateCounts] += n;
        alerts.push(...applied.alerts);
        break;
      }
      // Someone else saved the group first: start again from what they saved (contributions are idempotent).
      loaded = await options.store.load([key]);
    }
  }
  return alerts;
}

function applyAll<E>(
  correlation: CompiledCorrelation,
  state: GroupState,
  list: readonly Input<E>[],
  options: CorrelateOptions,
) {
  const counts = { added: 0, duplicates: 0, late: 0, consumed: 0 };
  const alerts: CorrelationAlert<E>[] = [];
  const triggers = new Map<string, Input<E>>();
  // Saving only what changed keeps a retried batch (all duplicates) to reads alone.
  const before = JSON.stringify(state);
  const group = list[0]?.group ?? {};
  const groupKey = list[0]?.groupKey ?? '[]';
  const toAlert = (fired: FiredAlert, trigger: Input<E>['trigger']): CorrelationAlert<E> => ({
    correlation,
    occurrenceId: `${fired.trigger.replace(/@\d+$/, '')}|${correlation.key}|${hashOf(groupKey)}|${fired.start}`,
    group,
    start: fired.start,
    end: fired.end,
    value: fired.value,
    ids: fired.ids,
    count: fired.count,
    trigger,
  });
  for (const input of list) {
    triggers.set(input.contribution.id, input);
    const { outcome, alerts: fired } = addContribution(
      state,
      correlation.spec,
      input.contribution,
      options.toleranceMs,
    );
    count(counts, outcome);
    for (const f of fired) alerts.push(toAlert(f, input.trigger));
  }
  if (options.flush) {
    const fired = closeWindows(state, correlation.spec, Number.POSITIVE_INFINITY, 0, undefined);
    for (const f of fired) {
      // The trigger of a flushed window is its last contribution; it is in this call when the input was whole.
      const trigger = triggers.get(f.trigger);
      if (trigger !== undefined) alerts.push(toAlert(f, trigger.trigger));
    }
  }
  return { counts, alerts, changed: JSON.stringify(state) !== before };
}

function count(counts: { added: number; duplicates: number; late: number; consumed: number }, outcome: AddOutcome) {
  if (outcome === 'added') counts.added++;
  else if (outcome === 'duplicate' || outcome === 'replayed') counts.duplicates++;
  else if (outcome === 'late') counts.late++;
  else counts.consumed++;
}
