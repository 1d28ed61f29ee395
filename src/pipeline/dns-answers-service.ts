import { answersFromEvent } from '../dns/answers-from-event.js';
import type { DnsAnswer, ResolutionStore } from '../dns/resolution.js';
import { decodeBatch, type InputRecord } from './decode-batch.js';
import { bump, emptySummary, type Summary } from './summary.js';
import type { WatermarkStore } from './watermark.js';

/** The watermark consumer name of the dns-answers function. */
export const DNS_ANSWERS_CONSUMER = 'dns-answers';

export interface DnsAnswersServiceDependencies {
  store: ResolutionStore;
  watermarks: WatermarkStore;
}

/** Where a batch ends on its shard: the watermark it advances to once its answers are written. */
export interface BatchPosition {
  shardId: string;
  lastArrival: number;
  lastSequenceNumber: string;
}

/**
 * The dns-answers function's use case: pick every DNS answer of the batch into the store, then advance the
 * shard's watermark. Events that are not DNS answers are counted as filtered ('not a DNS answer'); rejected
 * records are only counted here (the enrich function, which reads the same records, writes them to `rejected/`).
 * Throws only dependency errors; put is a merge, so a retried batch writes the same state.
 */
export class DnsAnswersService {
  constructor(private readonly deps: DnsAnswersServiceDependencies) {}

  async processRecords(records: readonly InputRecord[], position: BatchPosition | undefined): Promise<Summary> {
    const summary = emptySummary();
    const { events } = decodeBatch(records, summary);
    const answers: DnsAnswer[] = [];
    for (const { event } of events) {
      const found = answersFromEvent(event);
      if (found.length === 0) {
        summary.filtered++;
        bump(summary.filteredByReason, 'not a DNS answer');
        continue;
      }
      summary.written++;
      for (const answer of found) answers.push(answer);
    }
    summary.dnsAnswers = answers.length;
    if (answers.length > 0) await this.deps.store.put(answers);
    if (position !== undefined) {
      await this.deps.watermarks.advance(
        DNS_ANSWERS_CONSUMER,
        position.shardId,
        position.lastArrival,
        position.lastSequenceNumber,
      );
    }
    return summary;
  }
}
