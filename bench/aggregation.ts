/**
 * Measures what record aggregation does to Kinesis billing units on real records: the OTRF recordings, one record
 * per event as the bench and the Lambda tests send them (each line as compact JSON), then packed as Fluent Bit's
 * `simple_aggregation` packs them (events joined by newlines, a record closed before it would pass a size), for a
 * few record sizes, and as the KPL aggregates them (aws-kinesis-agg format: magic, protobuf AggregatedRecord with one
 * partition key, MD5; every aggregate read back by the decoder's own deaggregate to the same events). Counts
 * provisioned-mode PUT payload units (25 KiB each, rounded up per record) and on-demand billed data-in (each record
 * rounded up to 1 KiB). Prints the mean event size the cost model takes as its default.
 *
 *   npx tsx bench/aggregation.ts            # every recording in ../shared/datasets/otrf
 */

import { createHash } from 'node:crypto';
import { ON_DEMAND_ROUNDING_BYTES, PUT_PAYLOAD_UNIT_BYTES } from '../src/cost/index.js';
import { deaggregate } from '../src/events/decode/binary-layers.js';
import { otrfRecords } from '../test/helpers/lambda-records.js';
import { otrfAvailable, otrfFiles } from '../test/helpers/otrf.js';

/** Newline-joined records of at most `limit` bytes (an event larger than the limit goes alone). */
export function pack(records: readonly Uint8Array[], limit: number): number[] {
  const sizes: number[] = [];
  let current = 0;
  for (const record of records) {
    const next = current === 0 ? record.length : current + 1 + record.length;
    if (current > 0 && next > limit) {
      sizes.push(current);
      current = record.length;
    } else current = next;
  }
  if (current > 0) sizes.push(current);
  return sizes;
}

const KPL_MAGIC = Uint8Array.from([0xf3, 0x89, 0x9a, 0xc2]);
/** Magic and the MD5 of the protobuf: what an aggregate adds around its AggregatedRecord message. */
const KPL_FRAME_BYTES = KPL_MAGIC.length + 16;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** A length-delimited protobuf field (wire type 2). */
function delimited(field: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([(field << 3) | 2, ...varint(payload.length), ...payload]);
}

/** `records` (field 3) entry: partition_key_index 0 (field 1, varint), data (field 3). */
function kplRecord(data: Uint8Array): Uint8Array {
  return delimited(3, Buffer.concat([Uint8Array.from([0x08, 0x00]), delimited(3, data)]));
}

/** One KPL aggregate of `entries` (encoded `records` fields) under one partition key. */
function kplAggregate(partitionKey: Uint8Array, entries: readonly Uint8Array[]): Uint8Array {
  const message = Buffer.concat([delimited(1, partitionKey), ...entries]);
  const digest = createHash('md5').update(message).digest();
  return Buffer.concat([KPL_MAGIC, message, digest]);
}

/** KPL aggregates of at most `limit` bytes (an event larger than the limit goes alone), in order. */
export function packKpl(records: readonly Uint8Array[], limit: number): Uint8Array[] {
  // One partition key for the aggregate: KPL routes the whole aggregate by it (its partition_key_table).
  const key = delimited(1, Buffer.from('hookstream'));
  const aggregates: Uint8Array[] = [];
  let entries: Uint8Array[] = [];
  let size = KPL_FRAME_BYTES + key.length;
  for (const record of records) {
    const entry = kplRecord(record);
    if (entries.length > 0 && size + entry.length > limit) {
      aggregates.push(kplAggregate(Buffer.from('hookstream'), entries));
      entries = [];
      size = KPL_FRAME_BYTES + key.length;
    }
    entries.push(entry);
    size += entry.length;
  }
  if (entries.length > 0) aggregates.push(kplAggregate(Buffer.from('hookstream'), entries));
  return aggregates;
}

/** Whether the decoder's deaggregate gives back exactly `records`, in order, from `aggregates`. */
function readsBack(aggregates: readonly Uint8Array[], records: readonly Uint8Array[]): boolean {
  let at = 0;
  for (const aggregate of aggregates) {
    const unwrapped = deaggregate(aggregate);
    if (!unwrapped.ok) return false;
    for (const data of unwrapped.value) {
      const expected = records[at++];
      if (expected === undefined || Buffer.compare(Buffer.from(data), Buffer.from(expected)) !== 0) return false;
    }
  }
  return at === records.length;
}

function units(sizes: readonly number[], unit: number): number {
  return sizes.reduce((sum, size) => sum + Math.ceil(size / unit), 0);
}

function main(): void {
  if (!otrfAvailable()) {
    console.log('skipped: ../shared/datasets/otrf is absent');
    return;
  }
  const files = otrfFiles();
  const records = otrfRecords(...files);
  const bytes = records.reduce((sum, r) => sum + r.length, 0);
  console.log(`input: ${records.length} events from ${files.length} OTRF recordings, ${bytes} bytes`);
  console.log(`mean event size: ${(bytes / records.length).toFixed(1)} bytes (compact JSON, one line per event)`);
  const connections = records.filter((record) => {
    const event = JSON.parse(Buffer.from(record).toString('utf8')) as Record<string, unknown>;
    const id = event.EventID ?? event.event_id;
    const channel = String(event.Channel ?? event.log_name ?? '');
    return Number(id) === 3 && channel.includes('Sysmon');
  }).length;
  console.log(
    `Sysmon network connections (event 3): ${connections} = ${((100 * connections) / records.length).toFixed(1)}% of events`,
  );
  const rows: string[][] = [['packing', 'records', 'events/record', 'PUT payload units', 'on-demand billed KiB']];
  const single = records.map((r) => r.length);
  rows.push([
    'none (one event per record)',
    String(single.length),
    '1.0',
    String(units(single, PUT_PAYLOAD_UNIT_BYTES)),
    String(units(single, ON_DEMAND_ROUNDING_BYTES)),
  ]);
  for (const limit of [PUT_PAYLOAD_UNIT_BYTES, 4 * PUT_PAYLOAD_UNIT_BYTES, 1024 * 1024]) {
    const sizes = pack(records, limit);
    rows.push([
      `newline-joined up to ${limit / 1024} KiB`,
      String(sizes.length),
      (records.length / sizes.length).toFixed(1),
      String(units(sizes, PUT_PAYLOAD_UNIT_BYTES)),
      String(units(sizes, ON_DEMAND_ROUNDING_BYTES)),
    ]);
  }
  for (const limit of [PUT_PAYLOAD_UNIT_BYTES, 50 * 1024, 1024 * 1024]) {
    const aggregates = packKpl(records, limit);
    if (!readsBack(aggregates, records)) throw new Error(`KPL aggregates up to ${limit} bytes do not read back`);
    const sizes = aggregates.map((aggregate) => aggregate.length);
    rows.push([
      `KPL aggregates up to ${limit / 1024} KiB`,
      String(sizes.length),
      (records.length / sizes.length).toFixed(1),
      String(units(sizes, PUT_PAYLOAD_UNIT_BYTES)),
      String(units(sizes, ON_DEMAND_ROUNDING_BYTES)),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(`data bytes / billed on-demand bytes, unpacked: ${(bytes / (units(single, 1024) * 1024)).toFixed(3)}`);
}

main();
