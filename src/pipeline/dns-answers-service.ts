import {
  type AnyHook,
  createEnrichmentContext,
  type EnrichmentOptions,
  type HookPlan,
  loadState,
  persistingHooks,
  planHooks,
  runPicks,
} from '../hooks/index.js';
import { PartialWriteError, type StateItem, type StateSchema, type StateStore } from '../state/state-store.js';
import { decodeBatch, type InputRecord } from './decode-batch.js';
import { countHooks, snapshotCounters } from './process-batch.js';
import { bump, emptySummary, type Summary } from './summary.js';
import type { WatermarkStore } from './watermark.js';

/** The watermark consumer name of the dns-answers function. */
export const DNS_ANSWERS_CONSUMER = 'dns-answers';

/** Why an event the dns-answers function read was not written: no persisting hook put anything from it. */
export const NOTHING_PICKED = 'nothing picked to persist';

export interface DnsAnswersServiceDependencies {
  /** The registered hooks; only those that persist what they pick run here. */
  hooks: readonly AnyHook[];
  /** Options the hooks' contexts are made with (view bounds). */
  enrichment?: EnrichmentOptions;
  store: StateStore;
  watermarks: WatermarkStore;
}

/** Where one record sits on its shard: what the watermark advances to once its answers are written. */
export interface RecordPosition {
  shardId: string;
  arrival: number;
  sequenceNumber: string;
}

/** The batch's outcome: its counters, and the index of the first record left for a retry (if any). */
export interface DnsAnswersResult {
  summary: Summary;
  failedFrom?: number;
}

/** One state's items, each with the index of the record it was picked from. */
interface Picked {
  schema: StateSchema<unknown>;
  items: StateItem<unknown>[];
  records: number[];
}

/**
 * The dns-answers function's use case: persist what the pick hooks picked. It reads the state keys those hooks
 * declare for the batch, runs the pick stage of every hook that persists its state (dns-answers; any registered hook
 * with `state.persists`) over the batch, writes the
 * items they put into the state store (a merge: a retried record writes the same state), then advances the shard's
 * watermark past every record whose items are all written. Events no persisting hook put anything from are
 * counted as filtered; rejected records are only counted here (the enrich function, which reads the same records,
 * writes them to `rejected/`). A key the store refuses for good is counted as rejected (its event is still written
 * by the enrich function); a retryable failure of some keys keeps the progress before the first record that needs
 * them, and Lambda retries from there.
 */
export class DnsAnswersService {
  readonly #plan: HookPlan;

  constructor(private readonly deps: DnsAnswersServiceDependencies) {
    this.#plan = planHooks(persistingHooks(deps.hooks));
  }

  /** `positions[i]` is where `records[i]` sits on its shard (the same length; empty for tests without a shard). */
  async processRecords(
    records: readonly InputRecord[],
    positions: readonly RecordPosition[],
  ): Promise<DnsAnswersResult> {
    const summary = emptySummary();
    const index = new Map(records.map((record, i) => [record.origin, i]));
    const { events } = decodeBatch(records, summary);
    const context = createEnrichmentContext(this.deps.enrichment, { collect: true });
    // What the persisting hooks need from earlier batches to pick (a parent process's record, say): read first.
    await loadState(
      events.map((sourced) => sourced.event),
      this.#plan,
      context,
      this.deps.store,
    );
    const before = snapshotCounters(context);
    const picked = new Map<string, Picked>();
    for (const { event, origin } of events) {
      runPicks([event], this.#plan, context);
      const pending = context.takePending();
      if (pending.length === 0) {
        summary.filtered++;
        bump(summary.filteredByReason, NOTHING_PICKED);
        continue;
      }
      summary.written++;
      const record = index.get(origin) ?? 0;
      for (const { schema, items } of pending) {
        let state = picked.get(schema.prefix);
        if (state === undefined) {
          state = { schema, items: [], records: [] };
          picked.set(schema.prefix, state);
        }
        for (const item of items) {
          state.items.push(item);
          state.records.push(record);
        }
      }
    }
    countHooks(summary, before, context);
    let failedFrom: number | undefined;
    let failure: unknown;
    for (const { schema, items, records: recordOf } of picked.values()) {
      try {
        const { refused } = await this.deps.store.put(schema, items);
        for (const { reason } of refused) {
          summary.rejected++;
          bump(summary.rejectedByReason, `${schema.prefix} state item refused: ${reason}`);
        }
      } catch (error) {
        if (!(error instanceof PartialWriteError)) throw error;
        const failedKeys = new Set(error.failedKeys);
        failedFrom ??= records.length;
        for (const [i, item] of items.entries()) {
          if (failedKeys.has(item.key)) failedFrom = Math.min(failedFrom, recordOf[i] ?? 0);
        }
        failure ??= error;
      }
    }
    const done = failedFrom ?? records.length;
    const position = positions[done - 1];
    if (position !== undefined) {
      await this.deps.watermarks.advance(
        DNS_ANSWERS_CONSUMER,
        position.shardId,
        position.arrival,
        position.sequenceNumber,
      );
    }
    // Nothing was kept: the whole batch is retried as a plain failure would be.
    if (failedFrom === 0) throw failure;
    return failedFrom === undefined ? { summary } : { summary, failedFrom };
  }
}
