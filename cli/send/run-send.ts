/**
 * `hookstream send`: read inputs like replay, split them into records, give each a partition key, and put them as
 * they are read (see {@link FLUSH_ENTRIES}).
 */
import { randomUUID } from 'node:crypto';
import type { ShipperFormat } from '../../src/events/index.js';
import { DamagedInputError } from '../io/damaged-input.js';
import { type SkippedInput, streamInputs } from '../io/input-files.js';
import { type Entry, entrySize, oversizeReason } from './batch-records.js';
import { KINESIS_LIMITS, type KinesisLimits } from './kinesis-limits.js';
import { type EntryFailure, type PutOptions, type PutRecordsClient, putEntries } from './put-records.js';
import type { OversizeDocument, SkippedDocument, SplitResult } from './split-records.js';
import { type StreamSizes, splitStream } from './split-stream.js';

/** `host`: the event's host, lower case (one host's events stay in order on one shard); `random`: spread evenly. */
export type PartitionKeyMode = 'host' | 'random';

export interface SendOptions extends Omit<PutOptions, 'onProgress' | 'sentBefore'> {
  inputs: readonly string[];
  client: PutRecordsClient;
  /** Re-encode every event as this shipper format; absent: send the records as read (see split-records.ts). */
  format?: ShipperFormat;
  partitionKey: PartitionKeyMode;
  /** Before the first input is read: the total size of the input files on disk (what the progress bar counts). */
  onListed?: (bytes: number) => void;
  /** As input bytes are read from disk. */
  onBytes?: (bytes: number) => void;
  onProgress?: (progress: { sent: number; failed: number }) => void;
  /** Piece sizes of the split (split-stream.ts); tests set them small. */
  sizes?: StreamSizes;
  /** Entries held before they are put (default {@link FLUSH_ENTRIES} / {@link FLUSH_BYTES}); tests set them small. */
  flush?: { entries: number; bytes: number };
}

export interface SendResult {
  /** Records read from the inputs (oversize ones included). */
  records: number;
  sent: number;
  failed: EntryFailure[];
  /** Documents (or files sent whole) too big for one Kinesis record: none of them was sent. */
  oversize: OversizeDocument[];
  /** Documents that did not read as events (with --format only). */
  skipped: SkippedDocument[];
  /** Input files not read (an unsupported extension in a folder, a damaged archive entry...), with the reason. */
  skippedInputs: SkippedInput[];
  requests: number;
  retried: number;
}

/**
 * Entries are put as the inputs are read (split a piece at a time: split-stream.ts), once this many are held (ten
 * full requests) or this many bytes, so memory holds a piece and these entries, not the input (every input was
 * held whole before).
 */
export const FLUSH_ENTRIES = 5_000;
export const FLUSH_BYTES = 32 * 1024 * 1024;

function partitionKeyOf(host: string | undefined, mode: PartitionKeyMode, limits: KinesisLimits): string {
  if (mode === 'host' && host !== undefined && host !== '') return host.slice(0, limits.partitionKeyLength);
  return randomUUID();
}

export async function runSend(options: SendOptions): Promise<SendResult> {
  const limits = options.limits ?? KINESIS_LIMITS;
  const flushAt = options.flush ?? { entries: FLUSH_ENTRIES, bytes: FLUSH_BYTES };
  const result: SendResult = {
    records: 0,
    sent: 0,
    failed: [],
    oversize: [],
    skipped: [],
    skippedInputs: [],
    requests: 0,
    retried: 0,
  };
  let held: Entry[] = [];
  let heldBytes = 0;
  // Puts the entries held, in order: progress and an error count what earlier puts sent.
  const put = async () => {
    if (held.length === 0) return;
    const before = { sent: result.sent, failed: result.failed.length };
    const done = await putEntries(options.client, held, {
      ...options,
      limits,
      sentBefore: before.sent,
      onProgress: (progress) =>
        options.onProgress?.({ sent: before.sent + progress.sent, failed: before.failed + progress.failed }),
    });
    result.sent += done.sent;
    result.failed.push(...done.failed);
    result.requests += done.requests;
    result.retried += done.retried;
    held = [];
    heldBytes = 0;
  };
  const take = async (split: SplitResult) => {
    result.skipped.push(...split.skipped);
    result.records += split.oversize.length;
    result.oversize.push(...split.oversize);
    for (const record of split.records) {
      result.records++;
      const entry = {
        source: record.source,
        data: record.data,
        partitionKey: partitionKeyOf(record.host, options.partitionKey, limits),
      };
      // Split records leave room for any key made here (a host is at most 255 bytes): this guards smaller limits.
      if (oversizeReason(entry, limits) !== undefined) {
        result.oversize.push({ source: record.source, bytes: entrySize(entry) });
        continue;
      }
      held.push(entry);
      heldBytes += entrySize(entry);
      if (held.length >= flushAt.entries || heldBytes >= flushAt.bytes) await put();
    }
  };
  const inputs = streamInputs(options.inputs, {
    onSkipped: (skipped) => result.skippedInputs.push(skipped),
    onListed: (_files, bytes) => options.onListed?.(bytes),
    onBytes: options.onBytes,
  });
  for await (const input of inputs) {
    try {
      for await (const split of splitStream(input, options.format, options.sizes)) await take(split);
    } catch (error) {
      // A damaged archive entry: what was read of it is sent, the entry reported as not read (to its end).
      if (!(error instanceof DamagedInputError)) throw error;
      result.skippedInputs.push({ source: input.source, reason: error.reason });
    }
  }
  await put();
  return result;
}
