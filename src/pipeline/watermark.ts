/**
 * The watermark store port: per consumer and Kinesis shard, how far a consumer has fully processed the shard.
 * The late-answer design (docs/late-answers.md) reads it to know which answers are already in the resolution table.
 */

/** Where a consumer stands on one shard. */
export interface WatermarkPosition {
  /** ApproximateArrivalTimestamp of the last record fully processed, epoch ms. */
  arrivalMs: number;
  /** Its sequence number, when the writer gave one (to ask Kinesis what waits after it). */
  sequenceNumber?: string;
}

export interface WatermarkStore {
  /**
   * Raises the consumer's watermark for a shard; never moves it backwards. Ordered by `arrivalMs`, then (equal
   * arrival times) by `sequenceNumber` compared numerically. Retried or out-of-order calls are no-ops.
   */
  advance(consumer: string, shardId: string, arrivalMs: number, sequenceNumber?: string): Promise<void>;
  /** Every shard's watermark arrival time for the consumer; shards never advanced are absent. */
  read(consumer: string): Promise<Map<string, number>>;
  /** Every shard's full position for the consumer; shards never advanced are absent. */
  readPositions(consumer: string): Promise<Map<string, WatermarkPosition>>;
}

/**
 * Kinesis sequence numbers are decimal strings of up to 128 bits (39 digits, more than a DynamoDB number holds):
 * zero-padded to a fixed width they compare as strings in numeric order.
 */
export const SEQUENCE_NUMBER_WIDTH = 64;

/** `sequenceNumber` zero-padded to {@link SEQUENCE_NUMBER_WIDTH}, so string order is numeric order. */
export function padSequenceNumber(sequenceNumber: string): string {
  if (!/^\d+$/.test(sequenceNumber) || sequenceNumber.length > SEQUENCE_NUMBER_WIDTH) {
    throw new RangeError(`not a Kinesis sequence number: ${sequenceNumber}`);
  }
  return sequenceNumber.padStart(SEQUENCE_NUMBER_WIDTH, '0');
}

/** True when position `a` is strictly ahead of `b`. */
export function isAhead(a: WatermarkPosition, b: WatermarkPosition): boolean {
  if (a.arrivalMs !== b.arrivalMs) return a.arrivalMs > b.arrivalMs;
  if (a.sequenceNumber === undefined) return false;
  if (b.sequenceNumber === undefined) return true;
  return padSequenceNumber(a.sequenceNumber) > padSequenceNumber(b.sequenceNumber);
}
