import { readDnsAnswers } from '../dns/answers-from-event.js';
import { type DnsAnswer, PartialWriteError, type ResolutionStore, resolutionKey } from '../dns/resolution.js';
import { decodeBatch, type InputRecord } from './decode-batch.js';
import { bump, emptySummary, type Summary } from './summary.js';
import type { WatermarkStore } from './watermark.js';

/** The watermark consumer name of the dns-answers function. */
export const DNS_ANSWERS_CONSUMER = 'dns-answers';

export interface DnsAnswersServiceDependencies {
  store: ResolutionStore;
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

/**
 * The dns-answers function's use case: pick every DNS answer of the batch into the store, then advance the
 * shard's watermark past every record whose answers are all written. Events that are not DNS answers are counted
 * as filtered ('not a DNS answer'); rejected records are only counted here (the enrich function, which reads the
 * same records, writes them to `rejected/`). A key the store refuses for good is counted as rejected (its event
 * is still written by the enrich function); a retryable failure of some keys keeps the progress before the first
 * record that needs them, and Lambda retries from there. put is a merge, so a retried record writes the same state.
 */
export class DnsAnswersService {
  constructor(private readonly deps: DnsAnswersServiceDependencies) {}

  /** `positions[i]` is where `records[i]` sits on its shard (the same length; empty for tests without a shard). */
  async processRecords(
    records: readonly InputRecord[],
    positions: readonly RecordPosition[],
  ): Promise<DnsAnswersResult> {
    const summary = emptySummary();
    const index = new Map(records.map((record, i) => [record.origin, i]));
    const { events } = decodeBatch(records, summary);
    const answers: DnsAnswer[] = [];
    const recordOf: number[] = [];
    for (const { event, origin } of events) {
      const { answers: found, dropped } = readDnsAnswers(event);
      summary.trimmed.answerIps += dropped.ips;
      summary.trimmed.answerCnames += dropped.cnames;
      if (found.length === 0) {
        summary.filtered++;
        bump(summary.filteredByReason, 'not a DNS answer');
        continue;
      }
      summary.written++;
      for (const answer of found) {
        answers.push(answer);
        recordOf.push(index.get(origin) ?? 0);
      }
    }
    summary.dnsAnswers = answers.length;
    let failedFrom: number | undefined;
    let failure: unknown;
    if (answers.length > 0) {
      try {
        const { refused } = await this.deps.store.put(answers);
        for (const { reason } of refused) {
          summary.rejected++;
          bump(summary.rejectedByReason, `resolution item refused: ${reason}`);
        }
      } catch (error) {
        if (!(error instanceof PartialWriteError)) throw error;
        const failedKeys = new Set(error.failedKeys);
        failedFrom = records.length;
        for (const [i, answer] of answers.entries()) {
          if (failedKeys.has(resolutionKey(answer.host, answer.ip)))
            failedFrom = Math.min(failedFrom, recordOf[i] ?? 0);
        }
        failure = error;
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
