/**
 * A Windows XML Event Log (.evtx) file, read from its bytes (layout: libyal's libevtx "Windows XML Event Log
 * (EVTX) format"): a 4 KiB file header, then 64 KiB chunks, each a 512-byte header (string and template tables,
 * CRC-32 checksums) and records (`**\0\0`, size, record id, FILETIME, Binary XML, copy of the size).
 *
 * Recovery: chunks are found by position, not by the header's chunk count (a dirty file holds more than its header
 * says, an archived one fewer), and each is read on its own. A chunk whose checksums fail is still read record
 * by record, as evtx_dump, python-evtx and libevtx do (a log copied while Windows writes it has a stale last
 * chunk); every checksum (file header, chunk header, chunk records) is verified and counted ({@link EvtxChecksums})
 * so the summary says the file is dirty. Records end at the chunk header's free space offset or its last record id, whichever comes first.
 * Every record is checked by structure (signature, size, copy of the size, Binary XML whose every read stays
 * within the record). A damaged record costs only itself: the reader scans on for the next record whose size
 * and copy agree, and the bytes in between are one rejected piece. So every record is either a document or a
 * rejection with its reason and its own bytes; unused chunks (all zeros) and the free space after the last
 * record are not records. Every loop advances through the bytes, so any input ends.
 */

import { ChunkContext, recordDocument } from './binary-xml.js';
import { crc32 } from './crc32.js';
import { EvtxDamage } from './damage.js';

/** One record (or one damaged span of bytes) of the file. */
export type EvtxOutcome =
  | { readonly ok: true; readonly document: Record<string, unknown>; readonly raw: Uint8Array }
  | { ok: false; reason: string; raw: Uint8Array };

/** A decoded record; its bytes are made into a view only when asked for (seldom: most records are events). */
class DecodedRecord {
  readonly ok = true as const;

  constructor(
    readonly document: Record<string, unknown>,
    private readonly chunk: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get raw(): Uint8Array {
    return this.chunk.subarray(this.start, this.end);
  }
}

export interface EvtxReadOptions {
  /** Records decoded at most; the rest of the file is one rejected piece ('too many documents in one record'). */
  maxRecords?: number;
  /** Where to add what the checksums of the chunks read said (see {@link EvtxChecksums}); always verified. */
  checksums?: EvtxChecksums;
}

/**
 * What the CRC-32 checksums of the chunks read said, counted per chunk (a chunk is read once however the file is
 * cut into pieces; the file header is repeated in every piece, so its verdict is counted on the chunks under it).
 * A failing checksum does not stop reading: the chunk is read record by record all the same, as evtx_dump,
 * python-evtx and libevtx do (libevtx marks such a chunk, and its file, corrupted). Every record of such a chunk
 * is still a document or a rejection; the counts say the file is dirty (a log copied while Windows wrote it, or
 * damaged).
 */
export interface EvtxChecksums {
  /** Chunks read (those with the chunk signature; unused, all-zero chunks are not counted). */
  chunks: number;
  /** Chunks with a failing header or records checksum (or both). */
  checksumFailed: number;
  /** Chunks whose header checksum (bytes 0..120 and 128..512) fails. */
  headerChecksumFailed: number;
  /** Chunks whose records checksum (bytes 512 to the free space offset) fails, or whose free space offset is impossible. */
  recordsChecksumFailed: number;
  /** Chunks read from a file whose file header checksum (its first 120 bytes) fails. */
  underFailingFileHeader: number;
}

/** Zeroed checksum counters. */
export function noEvtxChecksums(): EvtxChecksums {
  return { chunks: 0, checksumFailed: 0, headerChecksumFailed: 0, recordsChecksumFailed: 0, underFailingFileHeader: 0 };
}

/** Adds the counters of `from` into `into`. */
export function addEvtxChecksums(into: EvtxChecksums, from: Readonly<EvtxChecksums>): void {
  for (const key of Object.keys(into) as (keyof EvtxChecksums)[]) into[key] += from[key];
}

const FILE_HEADER_BYTES = 4096;
const CHUNK_BYTES = 65536;
const CHUNK_HEADER_BYTES = 512;
const RECORD_HEADER_BYTES = 24;
/** Header, the smallest Binary XML (one end-of-file token... rounded to what a record can be), copy of size. */
const MIN_RECORD_BYTES = RECORD_HEADER_BYTES + 4;

const FILE_SIGNATURE = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const CHUNK_SIGNATURE = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

function startsWith(bytes: Uint8Array, at: number, signature: readonly number[]): boolean {
  for (let i = 0; i < signature.length; i++) if (bytes[at + i] !== signature[i]) return false;
  return true;
}

/** Whether the bytes start with the EVTX file signature `ElfFile\0`. */
export function isEvtx(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && startsWith(bytes, 0, FILE_SIGNATURE);
}

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

function isRecordStart(chunk: Uint8Array, at: number): boolean {
  return chunk[at] === 0x2a && chunk[at + 1] === 0x2a && chunk[at + 2] === 0 && chunk[at + 3] === 0;
}

/** Whether a whole record whose size and copy of size agree starts at `at` and ends by `limit`. */
function isWholeRecord(chunk: Uint8Array, view: DataView, at: number, limit: number): boolean {
  if (at + MIN_RECORD_BYTES > limit || !isRecordStart(chunk, at)) return false;
  const size = view.getUint32(at + 4, true);
  return size >= MIN_RECORD_BYTES && at + size <= limit && view.getUint32(at + size - 4, true) === size;
}

/** The next offset from `from` where a whole record starts, or `limit`. */
function nextRecord(chunk: Uint8Array, view: DataView, from: number, limit: number): number {
  for (let at = from; at + MIN_RECORD_BYTES <= limit; at++) {
    if (chunk[at] === 0x2a && isWholeRecord(chunk, view, at, limit)) return at;
  }
  return limit;
}

interface ReadState {
  out: EvtxOutcome[];
  recordsLeft: number;
  checksums: EvtxChecksums;
  fileHeaderFails: boolean;
}

function reject(state: ReadState, reason: string, raw: Uint8Array): void {
  state.out.push({ ok: false, reason, raw });
}

/** The chunk header's checksum: CRC-32 of bytes 0..120 and 128..512. */
function chunkHeaderIntact(chunk: Uint8Array, view: DataView): boolean {
  return crc32(chunk, 128, CHUNK_HEADER_BYTES, crc32(chunk, 0, 120)) === view.getUint32(124, true);
}

/** The chunk's records checksum: CRC-32 of bytes 512 to the free space offset (which must lie in the chunk). */
function chunkRecordsIntact(chunk: Uint8Array, view: DataView): boolean {
  const freeSpace = view.getUint32(48, true);
  return (
    freeSpace >= CHUNK_HEADER_BYTES &&
    freeSpace <= chunk.length &&
    crc32(chunk, CHUNK_HEADER_BYTES, freeSpace) === view.getUint32(52, true)
  );
}

/** Counts one chunk's checksums into `checksums`. */
function countChecksums(checksums: EvtxChecksums, chunk: Uint8Array, view: DataView, fileHeaderFails: boolean): void {
  const header = chunkHeaderIntact(chunk, view);
  const records = chunkRecordsIntact(chunk, view);
  checksums.chunks++;
  if (!header || !records) checksums.checksumFailed++;
  if (!header) checksums.headerChecksumFailed++;
  if (!records) checksums.recordsChecksumFailed++;
  if (fileHeaderFails) checksums.underFailingFileHeader++;
}

/**
 * Reads one chunk's records into `state`. Returns the offset in the chunk where the record cap stopped reading,
 * or -1 when the chunk was read to its end.
 */
function readChunk(chunk: Uint8Array, state: ReadState): number {
  if (isZero(chunk, 0, chunk.length)) return -1;
  if (chunk.length < CHUNK_HEADER_BYTES) {
    reject(state, 'EVTX chunk header truncated', chunk);
    return -1;
  }
  if (!startsWith(chunk, 0, CHUNK_SIGNATURE)) {
    reject(state, 'EVTX chunk signature missing', chunk);
    return -1;
  }
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  countChecksums(state.checksums, chunk, view, state.fileHeaderFails);
  // The header's free space offset ends the records (what lies after it are older versions of records), and its
  // last record id ends them too (a chunk being rewritten holds older records after it), as in evtx_dump. An
  // impossible free space offset leaves the whole chunk to read.
  const freeSpace = view.getUint32(48, true);
  const limit = freeSpace >= CHUNK_HEADER_BYTES ? Math.min(freeSpace, chunk.length) : chunk.length;
  // The last record id as two 32-bit halves (compared per record without making a BigInt).
  const lastIdLow = view.getUint32(32, true);
  const lastIdHigh = view.getUint32(36, true);
  const context = new ChunkContext(chunk, view);
  const cut = chunk.length < CHUNK_BYTES;
  let at = CHUNK_HEADER_BYTES;
  while (at < limit) {
    if (cut && at + RECORD_HEADER_BYTES > chunk.length) {
      // The file ends inside this record's header (or in zeros after the last record).
      if (!isZero(chunk, at, chunk.length)) reject(state, 'EVTX record truncated', chunk.subarray(at));
      break;
    }
    if (!isRecordStart(chunk, at)) {
      if (isZero(chunk, at, limit)) break;
      const next = nextRecord(chunk, view, at + 1, limit);
      reject(state, 'EVTX record signature missing', chunk.subarray(at, next));
      at = next;
      continue;
    }
    const size = at + 8 <= chunk.length ? view.getUint32(at + 4, true) : 0;
    if (cut && at + size > chunk.length) {
      // The file ends inside this record.
      reject(state, 'EVTX record truncated', chunk.subarray(at));
      break;
    }
    if (!isWholeRecord(chunk, view, at, limit)) {
      const next = nextRecord(chunk, view, at + 4, limit);
      const reason =
        size < MIN_RECORD_BYTES || at + size > limit
          ? 'EVTX record size invalid'
          : 'EVTX record size and its copy differ';
      reject(state, reason, chunk.subarray(at, next));
      at = next;
      continue;
    }
    if (state.recordsLeft <= 0) return at;
    state.recordsLeft--;
    try {
      const document = recordDocument(context, at + RECORD_HEADER_BYTES, at + size - 4);
      state.out.push(new DecodedRecord(document, chunk, at, at + size));
    } catch (error) {
      if (error instanceof EvtxDamage) reject(state, error.reason, chunk.subarray(at, at + size));
      else if (error instanceof RangeError)
        reject(state, 'EVTX Binary XML nested too deeply', chunk.subarray(at, at + size));
      else throw error;
    }
    if (view.getUint32(at + 8, true) === lastIdLow && view.getUint32(at + 12, true) === lastIdHigh) break;
    at += size;
  }
  return -1;
}

/**
 * Every record of an EVTX file as the JSON document evtx_dump writes for it, or a rejection with its reason and
 * bytes (see the module comment for what is recovered). Never throws on any input; an empty log gives no
 * outcomes. A file shorter than its header, or without the signature, is one rejection.
 */
export function readEvtx(bytes: Uint8Array, options: EvtxReadOptions = {}): EvtxOutcome[] {
  if (!isEvtx(bytes)) return [{ ok: false, reason: 'not an EVTX file', raw: bytes }];
  if (bytes.length < FILE_HEADER_BYTES) return [{ ok: false, reason: 'EVTX file header truncated', raw: bytes }];
  // The file header's chunk count is not needed: chunks are found by position and checked alone. Its checksum is
  // verified and counted on the chunks under it.
  const state: ReadState = {
    out: [],
    recordsLeft: options.maxRecords ?? Number.POSITIVE_INFINITY,
    checksums: options.checksums ?? noEvtxChecksums(),
    fileHeaderFails: !fileHeaderIntact(bytes),
  };
  for (let at = FILE_HEADER_BYTES; at < bytes.length; at += CHUNK_BYTES) {
    const stopped = readChunk(bytes.subarray(at, Math.min(at + CHUNK_BYTES, bytes.length)), state);
    if (stopped >= 0) {
      reject(state, 'too many documents in one record', bytes.subarray(at + stopped));
      break;
    }
  }
  return state.out;
}

/** Whether the file header's checksum (CRC-32 of its first 120 bytes) holds. */
export function fileHeaderIntact(bytes: Uint8Array): boolean {
  if (bytes.length < 128) return false;
  // Read byte by byte, not by a DataView made for it: small logs (one chunk a file) are read many to a batch.
  const stored =
    ((bytes[124] as number) |
      ((bytes[125] as number) << 8) |
      ((bytes[126] as number) << 16) |
      ((bytes[127] as number) << 24)) >>>
    0;
  return crc32(bytes, 0, 120) === stored;
}

/** Whether a chunk's header and records checksums hold (`chunk` from its signature on). */
export function chunkIntact(chunk: Uint8Array): { header: boolean; records: boolean } {
  if (chunk.length < CHUNK_HEADER_BYTES) return { header: false, records: false };
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return { header: chunkHeaderIntact(chunk, view), records: chunkRecordsIntact(chunk, view) };
}
