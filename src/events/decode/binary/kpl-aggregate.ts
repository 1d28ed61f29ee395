/**
 * The user records of a KPL aggregate, read here rather than through aws-kinesis-agg (whose protobufjs model costs
 * about 50 ms of CPU to load in every process that may meet an aggregate: replay and the enrich cold start).
 *
 * The format (amazon-kinesis-producer's aggregation-format.md): the magic bytes F3 89 9A C2, a protobuf
 * `AggregatedRecord`, then the MD5 of that message (16 bytes).
 *
 *     message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                                repeated Record records = 3; }
 *     message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                      required bytes data = 3; repeated Tag tags = 4; }
 *     message Tag { required string key = 1; optional string value = 2; }
 *
 * Only `data` is kept: hookstream routes by the host inside the event, not by the partition key. The message is
 * read strictly: a field of the model with another wire type, a length past its message, a varint over 10 bytes,
 * a group or an unknown wire type make the aggregate invalid; so does a Record or Tag without its required fields
 * (as aws-kinesis-agg's decoder does). Unknown fields of a known wire type are skipped, as protobuf requires.
 */

import { createHash } from 'node:crypto';

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const MAGIC_BYTES = MAGIC.length;
const CHECKSUM_BYTES = 16;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Thrown inside this module when the message does not follow the model; caught by {@link deaggregateKpl}. */
class InvalidAggregate extends Error {}

/** A cursor over one message's bytes, `[at, end)`. */
interface Cursor {
  bytes: Uint8Array;
  at: number;
  end: number;
}

function varint(cursor: Cursor): number {
  let value = 0;
  let scale = 1;
  for (let index = 0; index < 10; index++) {
    if (cursor.at >= cursor.end) throw new InvalidAggregate();
    const byte = cursor.bytes[cursor.at++] as number;
    // Beyond 2^53 the number is not exact, but only lengths are used as numbers and those are checked against
    // the message's end; indexes are read and dropped.
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw new InvalidAggregate();
}

/** The bounds of a length-delimited field's content, the cursor moved past it. */
function delimited(cursor: Cursor): Cursor {
  const length = varint(cursor);
  if (length > cursor.end - cursor.at) throw new InvalidAggregate();
  const content: Cursor = { bytes: cursor.bytes, at: cursor.at, end: cursor.at + length };
  cursor.at += length;
  return content;
}

function skip(cursor: Cursor, wireType: number): void {
  switch (wireType) {
    case VARINT:
      varint(cursor);
      return;
    case FIXED64:
    case FIXED32: {
      const size = wireType === FIXED64 ? 8 : 4;
      if (size > cursor.end - cursor.at) throw new InvalidAggregate();
      cursor.at += size;
      return;
    }
    case LENGTH_DELIMITED:
      delimited(cursor);
      return;
    default:
      throw new InvalidAggregate();
  }
}

/**
 * Each field of the message at the cursor: `read` gets its number, wire type and the cursor at its value, and
 * returns false for a field it does not know (then skipped by wire type).
 */
function fields(cursor: Cursor, read: (field: number, wireType: number) => boolean): void {
  while (cursor.at < cursor.end) {
    const key = varint(cursor);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new InvalidAggregate();
    if (!read(field, wireType)) skip(cursor, wireType);
  }
}

function expectWireType(actual: number, expected: number): void {
  if (actual !== expected) throw new InvalidAggregate();
}

function checkTag(cursor: Cursor): void {
  let hasKey = false;
  fields(cursor, (field, wireType) => {
    if (field !== 1 && field !== 2) return false;
    expectWireType(wireType, LENGTH_DELIMITED);
    delimited(cursor);
    if (field === 1) hasKey = true;
    return true;
  });
  if (!hasKey) throw new InvalidAggregate();
}

function recordData(cursor: Cursor): Uint8Array {
  let hasIndex = false;
  let data: Uint8Array | undefined;
  fields(cursor, (field, wireType) => {
    switch (field) {
      case 1:
      case 2:
        expectWireType(wireType, VARINT);
        varint(cursor);
        if (field === 1) hasIndex = true;
        return true;
      case 3: {
        expectWireType(wireType, LENGTH_DELIMITED);
        const content = delimited(cursor);
        // A repeated singular field: the last one counts, as protobuf decoders do.
        data = cursor.bytes.slice(content.at, content.end);
        return true;
      }
      case 4:
        expectWireType(wireType, LENGTH_DELIMITED);
        checkTag(delimited(cursor));
        return true;
      default:
        return false;
    }
  });
  if (!hasIndex || data === undefined) throw new InvalidAggregate();
  return data;
}

function userRecords(message: Cursor): Uint8Array[] {
  const records: Uint8Array[] = [];
  fields(message, (field, wireType) => {
    if (field < 1 || field > 3) return false;
    expectWireType(wireType, LENGTH_DELIMITED);
    const content = delimited(message);
    if (field === 3) records.push(recordData(content));
    return true;
  });
  return records;
}

function checksumMatches(bytes: Uint8Array, end: number): boolean {
  const digest = createHash('md5').update(bytes.subarray(MAGIC_BYTES, end)).digest();
  for (let index = 0; index < CHECKSUM_BYTES; index++) {
    if (digest[index] !== bytes[end + index]) return false;
  }
  return true;
}

/**
 * The user records of an aggregate, each a copy of its bytes, or undefined when the bytes do not start with the
 * magic, the aggregate is cut short, its checksum differs, or its message does not follow the model.
 */
export function deaggregateKpl(bytes: Uint8Array): Uint8Array[] | undefined {
  const end = bytes.length - CHECKSUM_BYTES;
  if (end < MAGIC_BYTES || MAGIC.some((byte, index) => bytes[index] !== byte)) return undefined;
  if (!checksumMatches(bytes, end)) return undefined;
  try {
    return userRecords({ bytes, at: MAGIC_BYTES, end });
  } catch (error) {
    if (error instanceof InvalidAggregate) return undefined;
    throw error;
  }
}
