/**
 * A local Kinesis event source mapping of one function on one shard, as Lambda runs it with
 * ReportBatchItemFailures on: read from the checkpoint (TRIM_HORIZON at first, then AFTER_SEQUENCE_NUMBER), wait
 * until the batch is full or the batching window has passed since records first waited, invoke, and on
 * batchItemFailures move the checkpoint to just before the lowest failed record and retry from there with at least
 * as many records; otherwise move past the batch. A thrown handler (a function error) is retried from the same
 * checkpoint. Failed attempts back off (1 s doubling to 30 s) instead of spinning.
 *
 * Not simulated: bisection, retry limits, maximum record age and the on-failure destination (a batch that never
 * succeeds blocks its shard, and each attempt is reported on stderr).
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext, toKinesisRecord } from './lambda-events.js';
import { pause } from './pause.js';

export interface ShardPollerOptions {
  kinesis: KinesisClient;
  streamName: string;
  streamArn: string;
  shardId: string;
  functionName: string;
  handler: LambdaHandler<KinesisStreamEvent>;
  batchSize: number;
  batchWindowMs: number;
  /** How often a shard with nothing waiting is read again. Default 250 ms. */
  idlePollMs?: number;
  /** Told about each failed attempt (dev prints it on stderr). */
  onFailure: (message: string) => void;
}

export interface PollerCounts {
  /** Records in successful invocations. */
  records: number;
  invocations: number;
  failedInvocations: number;
}

type StepOutcome = 'idle' | 'waiting' | 'invoked' | 'failed';

const MAX_BACKOFF_MS = 30_000;

export class ShardPoller {
  readonly counts: PollerCounts = { records: 0, invocations: 0, failedInvocations: 0 };
  readonly #options: ShardPollerOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #checkpoint: string | undefined;
  #retryAtLeast = 0;
  #waitingSince: number | undefined;
  #consecutiveFailures = 0;

  constructor(options: ShardPollerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops polling: the batch in flight finishes, then whatever the shard still holds is invoked at once (no
   * batching window) until the shard is empty or an attempt fails.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    const idleMs = this.#options.idlePollMs ?? 250;
    while (!signal.aborted) {
      const outcome = await this.#step(false);
      if (outcome === 'failed') {
        await pause(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.#consecutiveFailures - 1)), signal);
      } else if (outcome !== 'invoked') {
        await pause(idleMs, signal);
      }
    }
    for (;;) {
      const outcome = await this.#step(true);
      if (outcome === 'failed') {
        this.#options.onFailure(`${this.#label()}: stopped with records left after a failed attempt`);
      }
      if (outcome !== 'invoked') return;
    }
  }

  async #step(flush: boolean): Promise<StepOutcome> {
    const { batchSize, batchWindowMs, handler, functionName } = this.#options;
    try {
      const records = await this.#read(Math.max(batchSize, this.#retryAtLeast));
      if (records.length === 0) {
        this.#waitingSince = undefined;
        return 'idle';
      }
      this.#waitingSince ??= Date.now();
      const windowOpen = Date.now() - this.#waitingSince < batchWindowMs;
      // A retry goes at once, as Lambda's does; a first attempt waits for a full batch or the end of the window.
      if (!flush && this.#retryAtLeast === 0 && records.length < batchSize && windowOpen) return 'waiting';
      this.#waitingSince = undefined;
      this.counts.invocations++;
      const response = await handler({ Records: records }, lambdaContext(functionName));
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      if (failed.size === 0) {
        this.#checkpoint = records[records.length - 1]?.kinesis.sequenceNumber;
        this.#retryAtLeast = 0;
        this.#consecutiveFailures = 0;
        this.counts.records += records.length;
        return 'invoked';
      }
      const lowest = records.findIndex((record) => failed.has(record.kinesis.sequenceNumber));
      if (lowest > 0) this.#checkpoint = records[lowest - 1]?.kinesis.sequenceNumber;
      // The records before the first failed one are done and never read again: counted now.
      this.counts.records += Math.max(0, lowest);
      this.#retryAtLeast = records.length - Math.max(0, lowest);
      return this.#failed(`${failed.size} of ${records.length} records reported failed; retrying from the first`);
    } catch (error) {
      return this.#failed(`function error, retrying the batch: ${error instanceof Error ? error.message : error}`);
    }
  }

  #failed(detail: string): StepOutcome {
    this.counts.failedInvocations++;
    this.#consecutiveFailures++;
    this.#options.onFailure(`${this.#label()}: ${detail}`);
    return 'failed';
  }

  #label(): string {
    return `${this.#options.functionName} ${this.#options.shardId}`;
  }

  async #read(limit: number): Promise<KinesisStreamEvent['Records']> {
    const { kinesis, streamName, streamArn, shardId } = this.#options;
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ...(this.#checkpoint === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.#checkpoint }),
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: limit }));
    return Records.map((record) => toKinesisRecord(record, shardId, streamArn));
  }
}
