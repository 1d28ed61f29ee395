/** `hookstream send`: read inputs like replay, split them into records, give each a partition key, put them all. */
import { randomUUID } from 'node:crypto';
import type { ShipperFormat } from '../../src/events/index.js';
import { readInputs } from '../io/input-files.js';
import { type Entry, entrySize, oversizeReason } from './batch-records.js';
import { KINESIS_LIMITS, type KinesisLimits } from './kinesis-limits.js';
import { type EntryFailure, type PutOptions, type PutRecordsClient, putEntries } from './put-records.js';
import { type OversizeDocument, type SkippedDocument, splitRecords } from './split-records.js';

/** `host`: the event's host, lower case (one host's events stay in order on one shard); `random`: spread evenly. */
export type PartitionKeyMode = 'host' | 'random';

export interface SendOptions extends Omit<PutOptions, 'onProgress'> {
  inputs: readonly string[];
  client: PutRecordsClient;
  /** Re-encode every event as this shipper format; absent: send the records as read (see split-records.ts). */
  format?: ShipperFormat;
  partitionKey: PartitionKeyMode;
  /** Once every input is read: how many records will be put. */
  onReady?: (total: number) => void;
  onProgress?: (progress: { sent: number; failed: number }) => void;
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
  requests: number;
  retried: number;
}

function partitionKeyOf(host: string | undefined, mode: PartitionKeyMode, limits: KinesisLimits): string {
  if (mode === 'host' && host !== undefined && host !== '') return host.slice(0, limits.partitionKeyLength);
  return randomUUID();
}

export async function runSend(options: SendOptions): Promise<SendResult> {
  const limits = options.limits ?? KINESIS_LIMITS;
  const entries: Entry[] = [];
  const oversize: OversizeDocument[] = [];
  const skipped: SkippedDocument[] = [];
  let records = 0;
  const damaged = (input: { source: string; reason: string }) => skipped.push(input);
  for await (const input of readInputs(options.inputs, { onSkipped: damaged })) {
    const split = splitRecords(input, options.format);
    skipped.push(...split.skipped);
    records += split.oversize.length;
    oversize.push(...split.oversize);
    for (const record of split.records) {
      records++;
      const entry = {
        source: record.source,
        data: record.data,
        partitionKey: partitionKeyOf(record.host, options.partitionKey, limits),
      };
      // Split records leave room for any key made here (a host is at most 255 bytes): this guards smaller limits.
      if (oversizeReason(entry, limits) === undefined) entries.push(entry);
      else oversize.push({ source: record.source, bytes: entrySize(entry) });
    }
  }
  options.onReady?.(entries.length);
  const put = await putEntries(options.client, entries, { ...options, limits });
  return {
    records,
    sent: put.sent,
    failed: put.failed,
    oversize,
    skipped,
    requests: put.requests,
    retried: put.retried,
  };
}
