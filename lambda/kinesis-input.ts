import type { KinesisStreamRecord } from 'aws-lambda';
import type { InputRecord } from '../src/pipeline/decode-batch.js';
import type { RecordPosition } from '../src/pipeline/dns-answers-service.js';

/** `shardId-000000000001` from a record's eventID (`shardId-000000000001:4959...`). */
export function shardOf(record: KinesisStreamRecord): string {
  const cut = record.eventID.indexOf(':');
  return cut > 0 ? record.eventID.slice(0, cut) : 'unknown-shard';
}

/** The batch's records as the core's input: origin `shard/sequence`, arrival from ApproximateArrivalTimestamp. */
export function toInputRecords(records: readonly KinesisStreamRecord[]): InputRecord[] {
  return records.map((record) => ({
    origin: `${shardOf(record)}/${record.kinesis.sequenceNumber}`,
    data: Buffer.from(record.kinesis.data, 'base64'),
    arrival: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    sequence: record.kinesis.sequenceNumber,
  }));
}

/** Where each record sits on its shard (for the dns-answers watermark). */
export function recordPositions(records: readonly KinesisStreamRecord[]): RecordPosition[] {
  return records.map((record) => ({
    shardId: shardOf(record),
    arrival: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    sequenceNumber: record.kinesis.sequenceNumber,
  }));
}
