/** Kinesis entries and their grouping into PutRecords requests within the service's limits. */
import { KINESIS_LIMITS, type KinesisLimits } from './kinesis-limits.js';

/** One PutRecords entry and where it came from. */
export interface Entry {
  source: string;
  data: Uint8Array;
  partitionKey: string;
}

/** What one entry weighs against the limits: its data and its partition key (UTF-8). */
export function entrySize(entry: Entry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

/** The reason an entry can never be put, or undefined when it fits. */
export function oversizeReason(entry: Entry, limits: KinesisLimits = KINESIS_LIMITS): string | undefined {
  const size = entrySize(entry);
  return size > limits.bytesPerRecord
    ? `${entry.source}: ${size} bytes with its partition key, over the ${limits.bytesPerRecord}-byte Kinesis record limit; not sent`
    : undefined;
}

/**
 * Consecutive groups of entries, each within the per-request count and size; every entry must already fit alone
 * (see {@link oversizeReason}). Order is kept.
 */
export function batchEntries<T extends Entry>(entries: readonly T[], limits: KinesisLimits = KINESIS_LIMITS): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (batch.length > 0 && (batch.length >= limits.recordsPerRequest || bytes + size > limits.bytesPerRequest)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
