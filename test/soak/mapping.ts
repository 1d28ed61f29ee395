/**
 * A simulated Kinesis event source mapping of one function on one shard, as Lambda runs it with
 * ReportBatchItemFailures, BisectBatchOnFunctionError, a retry limit and an on-failure destination
 * (infra/constructs/pipeline-functions.ts), plus the at-least-once deliveries a real one may make:
 *
 * - a checkpoint per shard: a batch is read after it (GetShardIterator AFTER_SEQUENCE_NUMBER + GetRecords, through
 *   the harness's readEvent, which builds the event as `hookstream dev` does);
 * - batch item failures: the checkpoint moves to just before the lowest failed record and the retry starts there,
 *   with a batch size of its own (smaller or larger than the failed attempt: other boundaries);
 * - a function error (a thrown error, or a timeout) bisects the batch: its two halves are retried one after the
 *   other, the first half first, each bisected again if it fails again;
 * - after `maxRetries` failed attempts at one position the batch goes to `failedBatches` (the on-failure
 *   destination) and the mapping moves past it: those records are lost, and the soak counts them;
 * - a batch that succeeded may be delivered again, at once or after its hold window has passed, and the checkpoint
 *   may go back into it (its tail comes again, cut differently).
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { LambdaHarness } from '../helpers/lambda-harness.js';
import { randomInt } from '../helpers/lambda-prng.js';
import type { FunctionRuntime, Outcome } from './function-runtime.js';
import type { Redeliveries, RedeliveryResult } from './redeliveries.js';

/** Chances per invocation or per successful batch; 0 turns a fault off. */
export interface MappingChances {
  /** An invocation is killed once 1-4 of its writes went out (a timeout after a partial write). */
  kill: number;
  /** A batch that succeeded is delivered again at once. */
  duplicate: number;
  /** A batch that succeeded is delivered again once its hold window has passed. */
  lateDuplicate: number;
  /** The checkpoint goes back into a batch that succeeded: its tail is delivered again with other boundaries. */
  rewind: number;
}

/** A batch given up after its retries (Lambda's on-failure destination). */
export interface FailedBatch {
  functionName: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  records: number;
  /** How its last attempt ended. */
  reason: string;
}

/** Counts shared by the mappings of one function. */
export interface MappingStats {
  invocations: number;
  /** Invocations answered with batch item failures. */
  answeredWithFailures: number;
  functionErrors: number;
  timeouts: number;
  /** Batches split in two after a function error. */
  bisections: number;
  duplicates: number;
  lateDuplicates: number;
  /** Checkpoints moved back, and the records that then came again. */
  rewinds: number;
  rewoundRecords: number;
}

export function emptyMappingStats(): MappingStats {
  return {
    invocations: 0,
    answeredWithFailures: 0,
    functionErrors: 0,
    timeouts: 0,
    bisections: 0,
    duplicates: 0,
    lateDuplicates: 0,
    rewinds: 0,
    rewoundRecords: 0,
  };
}

export interface KinesisMappingOptions {
  harness: LambdaHarness;
  shardId: string;
  runtime: FunctionRuntime<KinesisStreamEvent>;
  random: () => number;
  /** Records per batch when no bisection decides (Lambda's batch size; random in the soak). */
  batchSize: () => number;
  /** Failed attempts at one position before its batch is given up (STREAM_RETRY.retryAttempts). */
  maxRetries: number;
  chances: MappingChances;
  /** The enrich function's hold window: a late duplicate comes after it. */
  holdWindowMs: number;
  redeliveries: Redeliveries;
  failedBatches: FailedBatch[];
  stats: MappingStats;
}

export class KinesisMapping {
  /** The last sequence number the mapping is done with; undefined: from the start of the shard. */
  checkpoint: string | undefined;
  /** Failed attempts at the current checkpoint. */
  #attempts = 0;
  /** Batch sizes bisection decided, from the checkpoint on; empty: the batch size decides. */
  #plan: number[] = [];
  /** After a timeout, Lambda retries once the timed-out invocation's deadline has passed. */
  #blockedUntil = 0;

  constructor(readonly options: KinesisMappingOptions) {}

  get shardId(): string {
    return this.options.shardId;
  }

  /** Whether the shard waits for a timed-out invocation's deadline (it has work, but not yet). */
  get blocked(): boolean {
    return Date.now() < this.#blockedUntil;
  }

  /**
   * Reads one batch from the checkpoint and invokes the function once; returns the records read (0: none, or
   * blocked).
   */
  async step(): Promise<number> {
    const { options } = this;
    if (this.blocked) return 0;
    const { random, stats } = options;
    const fromPlan = this.#plan.length > 0;
    const limit = fromPlan ? (this.#plan[0] as number) : options.batchSize();
    const event = await options.harness.readEvent(options.shardId, limit, this.checkpoint);
    const records = event.Records;
    if (records.length === 0) return 0;
    const killAfterWrites = random() < options.chances.kill ? randomInt(random, 1, 4) : undefined;
    const outcome = await options.runtime.invoke(event, { killAfterWrites });
    stats.invocations++;
    if (outcome.kind === 'answered') {
      const failed = new Set(outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier));
      if (failed.size === 0) {
        this.#succeeded(event, fromPlan);
        return records.length;
      }
      stats.answeredWithFailures++;
      // An identifier that is no record of the batch fails the whole batch, as Lambda treats it.
      const lowest = Math.max(
        0,
        records.findIndex((record) => failed.has(record.kinesis.sequenceNumber)),
      );
      if (lowest > 0) this.#advance(records[lowest - 1]?.kinesis.sequenceNumber);
      // Lambda forms the retry from the failed record with its own batch size: other boundaries.
      this.#plan = [];
      this.#attempts++;
      if (this.#attempts > options.maxRetries) this.#giveUp(event, lowest, 'batch item failures');
      return records.length;
    }
    if (outcome.kind === 'error') stats.functionErrors++;
    else {
      stats.timeouts++;
      this.#blockedUntil = outcome.deadline;
    }
    this.#attempts++;
    if (this.#attempts > options.maxRetries) {
      this.#giveUp(event, 0, describe(outcome));
      return records.length;
    }
    if (records.length > 1) {
      stats.bisections++;
      const first = Math.ceil(records.length / 2);
      this.#plan = [first, records.length - first, ...this.#plan.slice(fromPlan ? 1 : 0)];
    }
    return records.length;
  }

  #advance(sequenceNumber: string | undefined): void {
    if (sequenceNumber === undefined) return;
    this.checkpoint = sequenceNumber;
    this.#attempts = 0;
  }

  #giveUp(event: KinesisStreamEvent, from: number, reason: string): void {
    const records = event.Records.slice(from);
    const first = records[0]?.kinesis.sequenceNumber ?? '';
    const last = records[records.length - 1]?.kinesis.sequenceNumber ?? '';
    this.options.failedBatches.push({
      functionName: this.options.runtime.options.name,
      shardId: this.options.shardId,
      firstSequenceNumber: first,
      lastSequenceNumber: last,
      records: records.length,
      reason,
    });
    this.#advance(last);
    this.#plan = this.#plan.slice(1);
  }

  #succeeded(event: KinesisStreamEvent, fromPlan: boolean): void {
    const { options } = this;
    const { random, stats } = options;
    const records = event.Records;
    this.#advance(records[records.length - 1]?.kinesis.sequenceNumber);
    if (fromPlan) this.#plan.shift();
    if (random() < options.chances.duplicate) {
      stats.duplicates++;
      options.redeliveries.add('duplicate', Date.now(), () => this.#deliverAgain(event));
    }
    if (random() < options.chances.lateDuplicate) {
      stats.lateDuplicates++;
      const arrived = Math.max(...records.map((record) => record.kinesis.approximateArrivalTimestamp * 1000));
      const dueAt = Math.max(Date.now(), arrived + options.holdWindowMs) + randomInt(random, 100, 1_500);
      options.redeliveries.add('late duplicate', dueAt, () => this.#deliverAgain(event));
    }
    if (records.length > 1 && random() < options.chances.rewind) {
      const back = randomInt(random, 0, records.length - 2);
      stats.rewinds++;
      stats.rewoundRecords += records.length - 1 - back;
      this.checkpoint = records[back]?.kinesis.sequenceNumber;
      this.#plan = [];
    }
  }

  /** The same batch again, boundaries and all; if it fails, it is owed again after the attempt's deadline. */
  async #deliverAgain(event: KinesisStreamEvent): Promise<RedeliveryResult> {
    const outcome = await this.options.runtime.invoke(event);
    this.options.stats.invocations++;
    if (outcome.kind === 'answered' && outcome.response.batchItemFailures.length === 0) return { done: true };
    return { done: false, retryAt: outcome.kind === 'timeout' ? outcome.deadline : Date.now() };
  }
}

function describe(outcome: Exclude<Outcome, { kind: 'answered' }>): string {
  if (outcome.kind === 'timeout') return outcome.killed ? 'timeout (killed after part of its writes)' : 'timeout';
  const error = outcome.error;
  return `function error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}
