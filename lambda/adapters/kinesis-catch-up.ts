/**
 * How far the dns-answers consumer has got, over every open shard of the stream (docs/late-answers.md):
 * its watermark per shard, and for a shard whose watermark is behind, one look at what waits after it
 * (GetShardIterator AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON for a shard never processed, + GetRecords Limit 1).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { CatchUpOracle } from '../../src/pipeline/ports.js';
import type { WatermarkStore } from '../../src/pipeline/watermark.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions, retryOnTransient } from './retry.js';

export interface KinesisCatchUpOptions {
  kinesis: KinesisClient;
  /** Stream ARN (or name) the two consumers read. */
  stream: string;
  watermarks: WatermarkStore;
  /** The consumer whose progress is asked for. */
  consumer: string;
  /** How long the shard list is reused. Default 60 s. */
  shardListTtlMs?: number;
  /** How long one shard's answer is reused. Default 2 s (GetRecords allows 5 calls per second per shard). */
  probeTtlMs?: number;
  /** GetRecords pages followed through empty stretches of a shard before giving up. Default 3. */
  maxPages?: number;
  now?: () => number;
  retry?: RetryOptions;
}

export class KinesisCatchUp implements CatchUpOracle {
  readonly #o: Required<Omit<KinesisCatchUpOptions, 'retry'>>;
  readonly #retry: ResolvedRetryOptions;
  #shards: { at: number; ids: string[] } | undefined;
  readonly #probes = new Map<string, { at: number; upTo: number }>();

  constructor(options: KinesisCatchUpOptions) {
    this.#o = {
      shardListTtlMs: 60_000,
      probeTtlMs: 2_000,
      maxPages: 3,
      now: Date.now,
      ...options,
    };
    this.#retry = resolveRetryOptions(options.retry);
  }

  async caughtUpTo(): Promise<number> {
    const [shards, positions] = await Promise.all([
      this.#openShards(),
      this.#o.watermarks.readPositions(this.#o.consumer),
    ]);
    let upTo = Number.POSITIVE_INFINITY;
    for (const shard of shards) {
      const position = positions.get(shard);
      upTo = Math.min(upTo, await this.#shardUpTo(shard, position?.sequenceNumber, position?.arrivalMs ?? 0));
    }
    return upTo;
  }

  /** Open shards (AT_LATEST), cached. */
  async #openShards(): Promise<string[]> {
    const now = this.#o.now();
    if (this.#shards !== undefined && now - this.#shards.at < this.#o.shardListTtlMs) return this.#shards.ids;
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await retryOnTransient('kinesis:ListShards', this.#retry, () =>
        this.#o.kinesis.send(
          new ListShardsCommand(
            token !== undefined
              ? { NextToken: token }
              : { ...streamRef(this.#o.stream), ShardFilter: { Type: 'AT_LATEST' } },
          ),
        ),
      );
      for (const shard of page.Shards ?? ([] as Shard[])) if (shard.ShardId) ids.push(shard.ShardId);
      token = page.NextToken;
    } while (token !== undefined);
    this.#shards = { at: now, ids };
    return ids;
  }

  /**
   * Everything that reached the shard before the returned time is processed: the arrival of the first record
   * waiting after the watermark, or now when nothing waits.
   */
  async #shardUpTo(shard: string, sequenceNumber: string | undefined, watermarkArrival: number): Promise<number> {
    const now = this.#o.now();
    const cached = this.#probes.get(shard);
    if (cached !== undefined && now - cached.at < this.#o.probeTtlMs) return Math.max(cached.upTo, watermarkArrival);
    const iterator = await retryOnTransient('kinesis:GetShardIterator', this.#retry, () =>
      this.#o.kinesis.send(
        new GetShardIteratorCommand({
          ...streamRef(this.#o.stream),
          ShardId: shard,
          ...(sequenceNumber !== undefined
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: sequenceNumber }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      ),
    );
    let next = iterator.ShardIterator;
    let upTo = watermarkArrival;
    for (let page = 0; next !== undefined && page < this.#o.maxPages; page++) {
      const iteratorNow = next;
      const records = await retryOnTransient('kinesis:GetRecords', this.#retry, () =>
        this.#o.kinesis.send(new GetRecordsCommand({ ShardIterator: iteratorNow, Limit: 1 })),
      );
      const first = records.Records?.[0];
      if (first !== undefined) {
        // Everything before the first waiting record is processed (the watermark reached just before it).
        upTo = Math.max(watermarkArrival, (first.ApproximateArrivalTimestamp?.getTime() ?? 0) - 1);
        break;
      }
      if (records.MillisBehindLatest === 0) {
        upTo = now;
        break;
      }
      next = records.NextShardIterator;
    }
    this.#probes.set(shard, { at: now, upTo });
    return upTo;
  }
}

/** StreamARN or StreamName, whichever was configured. */
function streamRef(stream: string): { StreamARN: string } | { StreamName: string } {
  return stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
}
