import { createHash } from 'node:crypto';
import kinesisAgg from 'aws-kinesis-agg';
import { deaggregateKpl } from '../../../../../src/events/decode/binary/kpl-aggregate.js';
import { seededRandom } from '../../../../helpers/lambda-prng.js';
import { aggregate } from '../../factories.js';

/** aws-kinesis-agg's reading of an aggregate (checksums on), the reference: the records' bytes, or undefined. */
function reference(bytes: Uint8Array): Uint8Array[] | undefined {
  type Done = (error: Error | null | undefined, records?: { data: string }[]) => void;
  const deaggregateSync = (
    kinesisAgg as unknown as {
      deaggregateSync: (record: { data: string }, checksums: boolean, done: Done) => void;
    }
  ).deaggregateSync;
  let result: Uint8Array[] | undefined;
  try {
    deaggregateSync({ data: Buffer.from(bytes).toString('base64') }, true, (error, records) => {
      if (!error && records) result = records.map((record) => new Uint8Array(Buffer.from(record.data, 'base64')));
    });
  } catch {
    return undefined;
  }
  return result;
}

function userRecords(random: () => number): Uint8Array[] {
  const count = 1 + Math.floor(random() * 12);
  return Array.from({ length: count }, () => {
    // Sizes around the 1- and 2-byte varint boundaries, and empty records.
    const size = [0, 1, 127, 128, 300, 2_100][Math.floor(random() * 6)] as number;
    return Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
  });
}

/** The aggregate with its MD5 trailer recomputed over its (changed) message, so only the protobuf is tested. */
function resealed(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const end = copy.length - 16;
  copy.set(createHash('md5').update(copy.subarray(4, end)).digest(), end);
  return copy;
}

const asArrays = (records: Uint8Array[] | undefined) => records?.map((record) => Array.from(record));

describe('deaggregateKpl', () => {
  it('gives back every user record, in order, of aggregates written by aws-kinesis-agg', async () => {
    const random = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const users = userRecords(random);
      const records = deaggregateKpl(await aggregate(users));
      expect(asArrays(records)).toEqual(asArrays(users));
    }
  });

  it('rejects an aggregate cut anywhere', async () => {
    const bytes = await aggregate([new Uint8Array([1, 2, 3]), new Uint8Array(200).fill(9)]);
    for (let length = 0; length < bytes.length; length++) {
      const cut = bytes.subarray(0, length);
      expect([length, deaggregateKpl(cut)]).toEqual([length, undefined]);
      // Shorter than the magic bytes, aws-kinesis-agg passes the bytes through as one plain record.
      if (length >= 4) expect([length, reference(cut)]).toEqual([length, undefined]);
    }
  });

  it('rejects bytes without the magic', () => {
    expect(deaggregateKpl(resealed(Uint8Array.from([0xf3, 0x89, 0x9a, 0xc3, 0x1a, 0x00, ...new Array(16)])))).toBe(
      undefined,
    );
  });

  it('rejects a flipped byte when the checksum is left as it was', async () => {
    const bytes = Uint8Array.from(await aggregate([new Uint8Array([1, 2, 3])]));
    bytes[10] = (bytes[10] as number) ^ 0x40;
    expect(deaggregateKpl(bytes)).toBeUndefined();
  });

  it('never reads a changed message differently from aws-kinesis-agg (every byte changed, checksum recomputed)', async () => {
    const random = seededRandom(11);
    const bytes = await aggregate([new Uint8Array([5, 6, 7]), new Uint8Array(130).fill(1), new Uint8Array(0)]);
    let accepted = 0;
    let rejected = 0;
    for (let at = 4; at < bytes.length - 16; at++) {
      for (const value of [0x00, 0xff, 0x80, 0x12, 0x1a, Math.floor(random() * 256)]) {
        if (bytes[at] === value) continue;
        const changed = Uint8Array.from(bytes);
        changed[at] = value;
        const sealed = resealed(changed);
        const ours = deaggregateKpl(sealed);
        const theirs = reference(sealed);
        // What this reader accepts, aws-kinesis-agg reads the same; what aws-kinesis-agg refuses, this one refuses.
        // This reader is stricter than protobufjs on wire types (the table below), so it may refuse more.
        if (ours !== undefined) expect([at, value, asArrays(theirs)]).toEqual([at, value, asArrays(ours)]);
        if (theirs === undefined) expect([at, value, ours]).toEqual([at, value, undefined]);
        if (ours === undefined) rejected++;
        else accepted++;
      }
    }
    // Both outcomes occur, so the comparison covers readings that succeed and readings that fail.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it.each<[string, number[]]>([
    ['a Record without its data', [0x1a, 0x02, 0x08, 0x00]],
    ['a Record without its partition key index', [0x1a, 0x02, 0x1a, 0x00]],
    ['a varint of 11 bytes', [0x08, ...new Array(10).fill(0x80), 0x01]],
    ['a record length past the end', [0x1a, 0x7f, 0x08, 0x00]],
    ['a Tag without its key', [0x1a, 0x08, 0x08, 0x00, 0x1a, 0x00, 0x22, 0x02, 0x12, 0x00]],
  ])('rejects %s, as aws-kinesis-agg does', (_name, message) => {
    const sealed = resealed(Uint8Array.from([0xf3, 0x89, 0x9a, 0xc2, ...message, ...new Array(16).fill(0)]));
    expect(deaggregateKpl(sealed)).toBeUndefined();
    expect(reference(sealed)).toBeUndefined();
  });

  // protobufjs (inside aws-kinesis-agg) reads these; the protobuf encoding forbids them, so this reader refuses them.
  it.each<[string, number[]]>([
    ['field number 0', [0x02, 0x00]],
    ['a group (wire type 3)', [0x0b, 0x0c]],
    ['a partition key given as a varint', [0x08, 0x05]],
  ])('rejects %s, which aws-kinesis-agg reads', (_name, message) => {
    const sealed = resealed(Uint8Array.from([0xf3, 0x89, 0x9a, 0xc2, ...message, ...new Array(16).fill(0)]));
    expect(deaggregateKpl(sealed)).toBeUndefined();
    expect(reference(sealed)).toBeDefined();
  });

  it('skips an unknown field and keeps the records, as aws-kinesis-agg does', () => {
    // Field 9 (varint) before one Record {partition_key_index 0, data "A"}.
    const message = [0x48, 0x05, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x41];
    const sealed = resealed(Uint8Array.from([0xf3, 0x89, 0x9a, 0xc2, ...message, ...new Array(16).fill(0)]));
    expect(asArrays(deaggregateKpl(sealed))).toEqual([[0x41]]);
    expect(asArrays(reference(sealed))).toEqual([[0x41]]);
  });
});
