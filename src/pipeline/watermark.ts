/**
 * The watermark store port: per consumer and Kinesis shard, the latest arrival time a consumer has fully processed.
 * The late-answer design reads the minimum over a consumer's shards to know which answers can no longer arrive.
 */

export interface WatermarkStore {
  /** Raises the consumer's watermark for a shard to `arrivalMs` (epoch ms); never moves it backwards. */
  advance(consumer: string, shardId: string, arrivalMs: number): Promise<void>;
  /** Every shard's watermark for the consumer; shards never advanced are absent. */
  read(consumer: string): Promise<Map<string, number>>;
}
