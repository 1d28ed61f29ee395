import type { RuleSet } from '../detection/rule-set.js';
import type { ResolutionStore } from '../dns/resolution.js';
import type { RecordLimits } from '../events/read-record.js';
import { type EnrichmentContext, type HookPlan, runHooks } from '../hooks/index.js';
import type { Detection } from './alert-record.js';
import { connectionKeys, isConnection } from './connection-keys.js';
import { decodeBatch, type InputRecord, type RejectedItem, type SourcedEvent } from './decode-batch.js';
import { bump, emptySummary, type Summary } from './summary.js';

export interface BatchOptions {
  /** The hooks to run, planned once (`planHooks(createHooks(options))`). Undefined: enrichment off. */
  hooks?: HookPlan<EnrichmentContext>;
  /** The batch's hook context (`createEnrichmentContext`); replay passes one context for the whole run. */
  context: EnrichmentContext;
  /**
   * A remote store to read the answers for the batch's connections from, before the hooks run (the enrich
   * Lambda). Omit when `context.resolutions` already is the whole store (replay).
   */
  store?: ResolutionStore;
  /** Compiled Sigma rules; undefined: detection off. */
  rules?: RuleSet;
  /** Per-record limits (default: a Kinesis record's, src/limits.ts); replay reads a whole file as one record. */
  recordLimits?: RecordLimits;
}

export interface ProcessedBatch {
  /** The enriched events, by event time. */
  events: SourcedEvent[];
  detections: Detection[];
  rejected: RejectedItem[];
  summary: Summary;
}

/**
 * One batch through the core: decode and normalise, read the answers the connections need from the store,
 * run the hooks (picks over the whole batch, then pokes), evaluate the rules on the final events.
 * Throws only what the store throws (a dependency failure: the caller retries the batch).
 */
export async function processBatch(records: readonly InputRecord[], options: BatchOptions): Promise<ProcessedBatch> {
  const summary = emptySummary();
  const { events, rejected } = decodeBatch(records, summary, options.recordLimits);
  const { context } = options;
  if (options.hooks !== undefined) {
    if (options.store !== undefined) await loadAnswers(events, options.store, context);
    const before = { ...context.counters };
    runHooks(
      events.map((sourced) => sourced.event),
      options.hooks,
      context,
    );
    countHooks(summary, before, context);
  } else {
    for (const { event } of events) if (isConnection(event)) summary.connections.total++;
  }
  const detections = options.rules === undefined ? [] : detect(events, options.rules, summary);
  summary.written = events.length;
  return { events, detections, rejected, summary };
}

/** Loads from the store the answers for every connection key of the batch into the batch's table. */
export async function loadAnswers(events: readonly SourcedEvent[], store: ResolutionStore, context: EnrichmentContext) {
  const keys = connectionKeys(events.map((sourced) => sourced.event));
  if (keys.length === 0) return;
  const found = await store.get(keys);
  for (const key of keys) {
    const entries = found.get(`${key.host}|${key.ip}`);
    if (entries !== undefined) for (const entry of entries) context.resolutions.addResolution(key.host, key.ip, entry);
  }
}

/** Adds what the hooks did (the counters' change since `before`) to the summary. */
export function countHooks(summary: Summary, before: EnrichmentContext['counters'], context: EnrichmentContext): void {
  const after = context.counters;
  const delta = (name: keyof typeof after) => after[name] - before[name];
  summary.dnsAnswers += delta('dnsAnswers');
  summary.trimmed.answerIps += delta('dnsAnswerIpsDropped');
  summary.trimmed.answerCnames += delta('dnsAnswerCnamesDropped');
  const process = delta('netconnEnrichedProcess');
  const host = delta('netconnEnrichedHost');
  if (process > 0) bump(summary.connections.bySource, 'dns-process', process);
  if (host > 0) bump(summary.connections.bySource, 'dns-host', host);
  summary.connections.enriched += process + host;
  summary.connections.unresolved += delta('netconnMissed');
  summary.connections.skipped += delta('netconnSkipped') + delta('netconnInvalid');
  summary.connections.total +=
    process + host + delta('netconnMissed') + delta('netconnSkipped') + delta('netconnInvalid') + delta('netconnKept');
}

/** Evaluates the rules on the events; counts the matches into the summary. */
export function detect(events: readonly SourcedEvent[], rules: RuleSet, summary: Summary): Detection[] {
  const detections: Detection[] = [];
  const errorsBefore = rules.evaluationErrors;
  for (const { event, origin, id } of events) {
    for (const match of rules.match(event)) {
      detections.push({ event, rule: match.rule, origin, id });
      summary.alerts.total++;
      bump(summary.alerts.byLevel, match.rule.level);
      bump(summary.alerts.byRule, `${match.rule.title} (${match.rule.id})`);
    }
  }
  summary.evaluationErrors += rules.evaluationErrors - errorsBefore;
  return detections;
}
