/**
 * One input (a file or an archive entry, as a stream) cut into pieces that the pipeline's record reader
 * (`readRecord`) reads exactly as it would read the whole input, so replay never holds a large file whole.
 *
 * Only newline-delimited JSON text is cut, and only where the whole-text reader would start a new document anyway:
 * before a line in column 0 that is one whole JSON object (`splitJsonText` ends any value still open there, and
 * starts a document at it), and only when the text before the cut holds at least two lines (so the piece is split
 * the same way, not read as one value). A line feed is the byte 0x0A in UTF-8 and never inside a multi-byte
 * sequence, so each piece decodes to the same characters as its part of the whole. Everything else is one piece,
 * the whole input, as before: small inputs, XML, UTF-16 text, zstd, KPL, pretty-printed JSON. An EVTX file is cut
 * between chunks (see {@link cutEvtx}).
 *
 * A gzip input is first checked whole in a streaming pass (the same checks as the record reader's gunzip: fflate
 * and the last member's size); one that fails is given whole, and rejected as before. One that passes is
 * inflated as it is read and its text cut the same way. Unlike a record, a streamed gzip has no cap on its
 * decompressed size: the cap existed because the record was held in memory.
 */
import { Gunzip } from 'fflate';
import { binaryLayer } from '../../src/events/decode/binary-layers.js';
import type { InputStream } from '../io/input-files.js';

/** How much text a piece holds at least before it is cut (the last piece may hold less). */
export const TEXT_PIECE_BYTES = 4 * 1024 * 1024;

const LF = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const GZIP_SLICE_BYTES = 64 * 1024;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return new Uint8Array(Buffer.concat(parts));
}

async function readAll(chunks: AsyncIterable<Uint8Array>, head: Uint8Array[] = []): Promise<Uint8Array> {
  const parts = [...head];
  for await (const chunk of chunks) parts.push(chunk);
  return concat(parts);
}

/** Reads from `it` until `bytes` are in hand or it ends. */
async function readAtLeast(
  it: AsyncIterator<Uint8Array>,
  bytes: number,
): Promise<{ parts: Uint8Array[]; length: number; done: boolean }> {
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await it.next();
    if (next.done) return { parts, length, done: true };
    parts.push(next.value);
    length += next.value.length;
  }
  return { parts, length, done: false };
}

async function* prepend(head: readonly Uint8Array[], it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  for (;;) {
    const next = await it.next();
    if (next.done) return;
    yield next.value;
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === LF || c === 0x0d || c === 0x09;
}

/**
 * Whether the text starting with `head` may be cut: UTF-8 (not after a UTF-16 `FF FE` BOM), and JSON, not XML
 * (whose first non-blank character is `<`; the record reader reads an XML text whole).
 */
export function cuttable(head: Uint8Array): boolean {
  if (head[0] === 0xff && head[1] === 0xfe) return false;
  let at = 0;
  while (at < head.length) {
    const c = head[at] as number;
    if (isBlank(c)) at++;
    else if (c === 0xef && head[at + 1] === 0xbb && head[at + 2] === 0xbf) at += 3;
    else return c !== 0x3c;
  }
  return false;
}

/** Whether `bytes[0, end)` holds two non-blank lines (a line feed with non-blank bytes before and after it). */
function twoLines(bytes: Uint8Array, end: number): boolean {
  let last = end - 1;
  while (last >= 0 && isBlank(bytes[last] as number)) last--;
  if (last < 0) return false;
  const feed = bytes.lastIndexOf(LF, last);
  if (feed <= 0) return false;
  for (let at = 0; at < feed; at++) if (!isBlank(bytes[at] as number)) return true;
  return false;
}

const decoder = new TextDecoder();

/**
 * Where `bytes` may be cut at or after `from`: the start of a line that is one whole JSON object, or -1 when there
 * is none yet. `final`: no more bytes will come, so the last line ends at the end. Also gives where to look next.
 */
export function findCut(bytes: Uint8Array, from: number, final: boolean): { cut: number; next: number } {
  let at = from;
  for (;;) {
    const feed = bytes.indexOf(LF, at);
    if (feed === -1 || feed + 1 >= bytes.length) return { cut: -1, next: Math.max(from, bytes.length - 1) };
    const start = feed + 1;
    if (bytes[start] !== OPEN_BRACE) {
      at = start;
      continue;
    }
    let end = bytes.indexOf(LF, start);
    if (end === -1) {
      if (!final) return { cut: -1, next: feed };
      end = bytes.length;
    }
    let last = end;
    while (last > start && isBlank(bytes[last - 1] as number)) last--;
    if (bytes[last - 1] === CLOSE_BRACE && twoLines(bytes, start)) {
      try {
        JSON.parse(decoder.decode(bytes.subarray(start, last)));
        return { cut: start, next: start };
      } catch {
        // not one whole object: the reader may still be inside a value here
      }
    }
    at = start;
  }
}

/**
 * Cuts newline-delimited JSON text into pieces of at least `pieceBytes` (see the module's comment). The pieces are
 * views of one buffer, reused: a piece is valid until the next one is asked for (the record reader keeps no view
 * of its input once it has returned, and a rejected document's bytes are written out at once). Reusing the buffer
 * spares the garbage collector a large allocation per piece.
 */
export async function* cutText(chunks: AsyncIterable<Uint8Array>, pieceBytes: number): AsyncGenerator<Uint8Array> {
  let buffer = Buffer.allocUnsafe(Math.max(2 * pieceBytes, 64 * 1024));
  let length = 0;
  const append = (chunk: Uint8Array) => {
    if (length + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * buffer.length, length + chunk.length));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  };
  // Where the search for a cut goes on: the bytes before it hold none (so text without cuts costs linear time).
  let scanFrom = pieceBytes;
  // Yields the pieces the bytes in hand hold; `final`: the input has ended.
  async function* pieces(final: boolean): AsyncGenerator<Uint8Array> {
    while (final ? length > pieceBytes : length >= pieceBytes) {
      const { cut, next } = findCut(buffer.subarray(0, length), scanFrom, final);
      if (cut === -1) {
        scanFrom = next;
        return;
      }
      yield buffer.subarray(0, cut);
      buffer.copyWithin(0, cut, length);
      length -= cut;
      scanFrom = pieceBytes;
    }
  }
  for await (const chunk of chunks) {
    append(chunk);
    if (length >= pieceBytes) yield* pieces(false);
  }
  yield* pieces(true);
  if (length > 0) yield buffer.subarray(0, length);
}

const EVTX_HEADER_BYTES = 4096;
const EVTX_CHUNK_BYTES = 65536;
const EVTX_CHUNK_SIGNATURE = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

/**
 * Whether an EVTX chunk surely gives the reader at least one outcome: a whole chunk with its signature, a free
 * space offset past its header, and a record signature where the first record starts.
 */
export function productiveChunk(chunk: Uint8Array): boolean {
  if (chunk.length !== EVTX_CHUNK_BYTES) return false;
  for (let i = 0; i < EVTX_CHUNK_SIGNATURE.length; i++) if (chunk[i] !== EVTX_CHUNK_SIGNATURE[i]) return false;
  const freeSpace = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(48, true);
  return freeSpace >= 512 + 28 && chunk[512] === 0x2a && chunk[513] === 0x2a && chunk[514] === 0 && chunk[515] === 0;
}

/**
 * Cuts an EVTX file into pieces, each its own file header followed by a run of its chunks. The reader finds
 * chunks by position and reads each on its own (its string and template tables are its own), so the outcomes of
 * the pieces are those of the whole file. Only between two chunks that surely give records, so that no piece is a
 * log without records (which the whole file is not). Pieces are fresh buffers (the reader may keep views of
 * chunks it has read).
 */
export async function* cutEvtx(chunks: AsyncIterable<Uint8Array>, pieceBytes: number): AsyncGenerator<Uint8Array> {
  let header: Uint8Array | undefined;
  let pending: Uint8Array = new Uint8Array(0);
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  let groupProductive = false;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : concat([pending, chunk]);
    if (header === undefined) {
      if (pending.length < EVTX_HEADER_BYTES) continue;
      header = pending.slice(0, EVTX_HEADER_BYTES);
      pending = pending.subarray(EVTX_HEADER_BYTES);
    }
    while (pending.length >= EVTX_CHUNK_BYTES) {
      const next = pending.slice(0, EVTX_CHUNK_BYTES);
      pending = pending.subarray(EVTX_CHUNK_BYTES);
      const productive = productiveChunk(next);
      if (groupBytes >= pieceBytes && groupProductive && productive) {
        yield concat([header, ...group]);
        group = [];
        groupBytes = 0;
        groupProductive = false;
      }
      group.push(next);
      groupBytes += next.length;
      groupProductive ||= productive;
    }
  }
  yield new Uint8Array(Buffer.concat([header ?? new Uint8Array(0), ...group, pending]));
}

/**
 * Whether the gzip stream is one the record reader would inflate: fflate accepts every member, and the last
 * member's ISIZE trailer matches what it produced (a stream cut at a block boundary fails only there).
 */
export async function gzipReadable(chunks: AsyncIterable<Uint8Array>): Promise<boolean> {
  let total = 0;
  let memberStart = 0;
  let compressed = 0;
  const tail = new Uint8Array(4);
  const stream = new Gunzip((chunk) => {
    total += chunk.length;
  });
  stream.onmember = () => {
    memberStart = total;
  };
  try {
    let pending: Uint8Array | undefined;
    for await (const chunk of chunks) {
      if (pending !== undefined) pushSlices(stream, pending, false);
      pending = chunk;
      compressed += chunk.length;
      keepTail(tail, chunk);
    }
    if (pending === undefined || compressed < 18) return false;
    pushSlices(stream, pending, true);
  } catch {
    return false;
  }
  const isize =
    ((tail[0] as number) | ((tail[1] as number) << 8) | ((tail[2] as number) << 16) | ((tail[3] as number) << 24)) >>>
    0;
  return (total - memberStart) % 0x100000000 === isize;
}

function keepTail(tail: Uint8Array, chunk: Uint8Array): void {
  if (chunk.length >= 4) tail.set(chunk.subarray(chunk.length - 4));
  else {
    tail.copyWithin(0, chunk.length);
    tail.set(chunk, 4 - chunk.length);
  }
}

function pushSlices(stream: Gunzip, chunk: Uint8Array, final: boolean): void {
  for (let at = 0; at < chunk.length; at += GZIP_SLICE_BYTES) {
    const end = Math.min(chunk.length, at + GZIP_SLICE_BYTES);
    stream.push(chunk.subarray(at, end), final && end === chunk.length);
  }
  if (chunk.length === 0 && final) stream.push(new Uint8Array(0), true);
}

/** Inflates a gzip stream (every member) as it is read. */
async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const stream = new Gunzip((chunk) => {
    out.push(chunk);
  });
  let pending: Uint8Array | undefined;
  for await (const chunk of chunks) {
    if (pending !== undefined) {
      pushSlices(stream, pending, false);
      yield* out;
      out = [];
    }
    pending = chunk;
  }
  if (pending !== undefined) pushSlices(stream, pending, true);
  yield* out;
}

/**
 * The pieces to give the record reader for one input, in order; their documents, numbered on from piece to piece,
 * are the input's documents as `readRecord(whole input)` finds them. A piece is valid until the next is asked for.
 */
export async function* recordPieces(
  input: InputStream,
  pieceBytes: number = TEXT_PIECE_BYTES,
): AsyncGenerator<Uint8Array> {
  const it = input.chunks[Symbol.asyncIterator]();
  // Enough to tell the layer: a small gzip file may inflate to much more than a piece.
  const start = await readAtLeast(it, Math.min(pieceBytes, 64 * 1024));
  const layer = start.parts.length > 0 ? binaryLayer(concat(start.parts)) : undefined;
  if (!start.done && layer === 'gzip' && input.reopen !== undefined && (await gzipReadable(input.reopen()))) {
    const inflated = gunzipChunks(prepend(start.parts, it))[Symbol.asyncIterator]();
    const inner = await readAtLeast(inflated, pieceBytes);
    const innerHead = concat(inner.parts);
    if (!inner.done && binaryLayer(innerHead) === undefined && cuttable(innerHead)) {
      yield* cutText(prepend([innerHead], inflated), pieceBytes);
      return;
    }
    // Small, or not cuttable text: the whole compressed input, as the record reader always read it.
    await inflated.return?.(undefined);
    await it.return?.(undefined);
    yield await readAll(input.reopen());
    return;
  }
  const rest = start.done ? start : await readAtLeast(it, pieceBytes - start.length);
  const head = [...start.parts, ...(rest === start ? [] : rest.parts)];
  if (rest.done) {
    yield concat(head);
    return;
  }
  const first = concat(head);
  if (layer === 'evtx') {
    yield* cutEvtx(prepend([first], it), pieceBytes);
    return;
  }
  if (layer !== undefined || !cuttable(first)) {
    yield await readAll(prepend([first], it));
    return;
  }
  yield* cutText(prepend([first], it), pieceBytes);
}
