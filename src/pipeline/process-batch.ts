import {
  type BaseMatch,
  type CorrelationStore,
  correlate,
  MemoryCorrelationStore,
} from '../detection/correlation/index.js';
import type { RuleSet } from '../detection/rule-set.js';
import type { RecordLimits } from '../events/read-record.js';
import { type EnrichmentContext, type HookCounters, type HookPlan, loadState, runHooks } from '../hooks/index.js';
import type { StateStore } from '../state/state-store.js';
import type { Detection } from './alert-record.js';
import { isConnection } from './connection-keys.js';
import { decodeBatch, type InputRecord, type RejectedItem, type SourcedEvent } from './decode-batch.js';
import { addHookCounters, bump, emptySummary, type Summary } from './summary.js';

export interface BatchOptions {
  /** The hooks to run, planned once (`planHooks(createHooks(options))`). Undefined: enrichment off. */
  hooks?: HookPlan;
  /** The batch's hook context (`createEnrichmentContext`); replay passes one context for the whole run. */
  context: EnrichmentContext;
  /**
   * A remote store to read the state keys the hooks declare for the batch from, before the hooks run. Omit when the
   * context's views already are the whole state (replay).
   */
  store?: StateStore;
  /** Compiled Sigma rules; undefined: detection off. */
  rules?: RuleSet;
  /** Per-record limits (default: a Kinesis record's, src/limits.ts); replay reads a whole file as one record. */
  recordLimits?: RecordLimits;
  /**
   * Correlation state. Default: a memory store of this call's own, with the batch taken as the whole input (every
   * window is closed at its end), which is what replay needs.
   */
  correlation?: CorrelationOptions;
}

/** Where correlation state lives and how it is treated (docs/detection.md, "Correlation rules"). */
export interface CorrelationOptions {
  store: CorrelationStore;
  /** An event up to this much older than the newest of its group is still counted exactly. */
  toleranceMs: number;
  /** Wall clock, epoch ms (the store's expiry counts from it). */
  now: number;
  /** The input ends with this batch: decide the windows of conditions with an upper bound now. */
  flush: boolean;
}

/** Default out-of-order tolerance of correlation rules, in event time. */
export const CORRELATION_TOLERANCE_MS = 15 * 60_000;

export interface ProcessedBatch {
  /** The enriched events, by event time. */
  events: SourcedEvent[];
  detections: Detection[];
  rejected: RejectedItem[];
  summary: Summary;
}

/**
 * One batch through the core: decode and normalise, read the state keys the hooks declare from the store, run
 * the hooks (picks over the whole batch, then pokes), evaluate the rules on the final events.
 * Throws only what the store throws (a dependency failure: the caller retries the batch).
 */
export async function processBatch(records: readonly InputRecord[], options: BatchOptions): Promise<ProcessedBatch> {
  const summary = emptySummary();
  const { events, rejected } = decodeBatch(records, summary, options.recordLimits);
  const { context } = options;
  if (options.hooks !== undefined) {
    const canonical = events.map((sourced) => sourced.event);
    if (options.store !== undefined) await loadState(canonical, options.hooks, context, options.store);
    const before = snapshotCounters(context);
    runHooks(canonical, options.hooks, context);
    countHooks(summary, before, context);
  } else {
    for (const { event } of events) if (isConnection(event)) summary.connections.total++;
  }
  const feeds: BaseMatch<SourcedEvent>[] = [];
  const detections = options.rules === undefined ? [] : detect(events, options.rules, summary, feeds);
  if (options.rules !== undefined && feeds.length > 0) {
    // Without a store the batch is the whole input (replay): state of its own, every window decided at its end.
    const correlation = options.correlation ?? {
      store: new MemoryCorrelationStore(),
      toleranceMs: CORRELATION_TOLERANCE_MS,
      now: 0,
      flush: true,
    };
    detections.push(...(await detectCorrelations(feeds, options.rules, summary, correlation)));
  }
  summary.written = events.length;
  return { events, detections, rejected, summary };
}

/** A copy of the context's counters, to count a batch's change with {@link countHooks}. */
export function snapshotCounters(context: EnrichmentContext): HookCounters {
  const copy: HookCounters = {};
  for (const [hook, counters] of Object.entries(context.counters)) copy[hook] = { ...counters };
  return copy;
}

/** Adds what the hooks did (the counters' change since `before`) to the summary. */
export function countHooks(summary: Summary, before: HookCounters, context: EnrichmentContext): void {
  for (const [hook, counters] of Object.entries(context.counters)) {
    const earlier = before[hook] ?? {};
    const delta: Record<string, number> = {};
    for (const [name, count] of Object.entries(counters)) delta[name] = count - (earlier[name] ?? 0);
    addHookCounters(summary, hook, delta);
  }
}

/**
 * Evaluates the rules on the events; counts the matches into the summary. Matches of rules that feed correlation
 * rules are added to `feeds` (for {@link detectCorrelations}); those rules alert only with `generate: true`.
 */
export function detect(
  events: readonly SourcedEvent[],
  rules: RuleSet,
  summary: Summary,
  feeds?: BaseMatch<SourcedEvent>[],
): Detection[] {
  const detections: Detection[] = [];
  const errorsBefore = rules.evaluationErrors;
  const correlations = rules.correlations;
  for (const sourced of events) {
    const { event, origin, id } = sourced;
    for (const match of correlations === undefined ? rules.match(event) : rules.matchAll(event)) {
      if (correlations !== undefined && correlations.feedsOf(match.rule).length > 0) {
        feeds?.push({ rule: match.rule, event, id, ref: sourced });
        if (!correlations.generates(match.rule)) continue;
      }
      detections.push({ event, rule: match.rule, origin, id });
      countAlert(summary, match.rule);
    }
  }
  summary.evaluationErrors += rules.evaluationErrors - errorsBefore;
  return detections;
}

function countAlert(summary: Summary, rule: { level: string; title: string; id: string }): void {
  summary.alerts.total++;
  bump(summary.alerts.byLevel, rule.level);
  bump(summary.alerts.byRule, `${rule.title} (${rule.id})`);
}

/**
 * Feeds the base-rule matches through the correlation rules (state in `options.store`) and returns the alerts of
 * the correlations that alert (the outermost ones, and inner ones referenced with `generate: true`), counted into
 * the summary like other alerts. Throws only what the store throws (retryable).
 */
export async function detectCorrelations(
  feeds: readonly BaseMatch<SourcedEvent>[],
  rules: RuleSet,
  summary: Summary,
  options: CorrelationOptions,
): Promise<Detection[]> {
  const set = rules.correlations;
  if (set === undefined || feeds.length === 0) return [];
  const { alerts } = await correlate(set, feeds, options);
  const detections: Detection[] = [];
  for (const alert of alerts) {
    if (!alert.correlation.alerts) continue;
    const { ref } = alert.trigger;
    detections.push({
      event: alert.trigger.event,
      rule: alert.correlation.info,
      origin: ref.origin,
      id: alert.trigger.id,
      correlation: {
        occurrenceId: alert.occurrenceId,
        type: alert.correlation.spec.type,
        group: alert.group,
        start: alert.start,
        end: alert.end,
        value: alert.value,
        eventIds: alert.ids,
        eventCount: alert.count,
      },
    });
    countAlert(summary, alert.correlation.info);
  }
  return detections;
}
