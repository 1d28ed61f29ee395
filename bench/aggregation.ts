/**
 * Measures what record aggregation does to Kinesis billing units on real records: the OTRF recordings, one record
 * per event as the bench and the Lambda tests send them (each line as compact JSON), then packed as Fluent Bit's
 * `simple_aggregation` packs them (events joined by newlines, a record closed before it would pass a size), for a
 * few record sizes. Counts provisioned-mode PUT payload units (25 KiB each, rounded up per record) and on-demand
 * billed data-in (each record rounded up to 1 KiB). Prints the mean event size the cost model takes as its default.
 *
 *   npx tsx bench/aggregation.ts            # every recording in ../shared/datasets/otrf
 */

import { ON_DEMAND_ROUNDING_BYTES, PUT_PAYLOAD_UNIT_BYTES } from '../src/cost/index.js';
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
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(`data bytes / billed on-demand bytes, unpacked: ${(bytes / (units(single, 1024) * 1024)).toFixed(3)}`);
}

main();
