/**
 * One input (a file or an archive entry, as a stream) cut into pieces that the pipeline's record reader
 * (`readRecord`) reads exactly as it would read the whole input, so replay never holds a large file whole.
 *
 * Text is cut in UTF-8 and in UTF-16LE (after its `FF FE` byte order mark, which every piece then starts with
 * again), at code unit boundaries where no character is split:
 * - newline-delimited JSON only where the whole-text reader would start a new document anyway: before a line in
 *   column 0 that is one whole JSON object (`splitJsonText` ends any value still open there, and starts a document
 *   at it), and only when the text before the cut holds at least two lines (so the piece is split the same way,
 *   not read as one value). A line feed is one code unit, never inside a multi-byte sequence or a surrogate pair,
 *   so each piece decodes to the same characters as its part of the whole, invalid ones included;
 * - pretty-printed JSON documents one after another between a `}` line and a `{` line, both in column 0, when the
 *   whole-text splitter is between documents there (see {@link findPrettyCut});
 * - XML of `<Event>` elements (one after another, or inside `<Events>`) right after an event span, found by the
 *   scanner the XML reader uses (src/events/decode/xml-cuts.ts): the reader parses each span on its own, so a
 *   piece that starts where the whole text's scanner is between events reads as its part of the whole, faults
 *   included (see {@link cutXml});
 * - a top-level JSON array of events between two elements, with the JSON reader's element scanner (see
 *   {@link cutJsonArray}).
 * Everything else is one piece, the whole input, as before: small inputs, KPL, JSON without such a place to cut.
 * An EVTX file is cut between chunks (see {@link cutEvtx}).
 *
 * A gzip or zstd input is first checked whole in a streaming pass (the same checks as the record reader's
 * gunzip / unzstd: fflate and the last member's size; fzstd, the first frame's declared size and window against
 * replay's budget, the last frame ended); one that fails is given whole, and rejected as before. One that passes
 * is decompressed as it is read and its text cut the same way. Unlike a record, a streamed one has no cap on its
 * decompressed size: the cap existed because the record was held in memory.
 */
import { Gunzip } from 'fflate';
import { Decompress } from 'fzstd';
import { binaryLayer, zstdContentSize, zstdWindowSize } from '../../src/events/decode/binary-layers.js';
import { type JsonArrayItem, JsonArrayScanner } from '../../src/events/decode/documents/json-array.js';
import { splitJsonText } from '../../src/events/decode/json-text.js';
import { type XmlItem, XmlItemScanner } from '../../src/events/decode/xml-cuts.js';
import type { InputStream } from '../io/input-files.js';

/** How much text a piece holds at least before it is cut (the last piece may hold less). */
export const TEXT_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * The same for XML, smaller: the XML parser builds a tree many times its text's size, and with 4 MiB pieces those
 * trees outlived the young generation, so the old one grew (peak RSS of a replay of XML without rules: about
 * 410 MB with 4 MiB pieces, about 250 MB with 1 MiB, whatever the input's size; docs/replay.md). Inputs smaller
 * than {@link TEXT_PIECE_BYTES} are still read whole (one 4 MiB XML text: about 175 MB).
 */
export const XML_PIECE_BYTES = 1024 * 1024;

/** Code units of a text: UTF-8 bytes or UTF-16 code units. */
type Units = Uint8Array | Uint16Array;

const LF = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const GZIP_SLICE_BYTES = 64 * 1024;

/** The parts as one array (the part itself when there is one). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return new Uint8Array(Buffer.concat(parts));
}

async function readAll(chunks: AsyncIterable<Uint8Array>, head: Uint8Array[] = []): Promise<Uint8Array> {
  const parts = [...head];
  for await (const chunk of chunks) parts.push(chunk);
  return concat(parts);
}

/** Reads from `it` until `bytes` are in hand or it ends. */
export async function readAtLeast(
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

/** `head`, then the rest of `it`. */
export async function* prepend(head: readonly Uint8Array[], it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
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

/** How a text input is encoded and what it holds, from its first bytes. */
export interface TextShape {
  encoding: 'utf-8' | 'utf-16le';
  /** The byte order mark's length (0, 2 or 3). */
  bom: number;
  syntax: 'json' | 'xml';
}

/**
 * The shape of the text starting with `head`: UTF-16LE after a `FF FE` BOM, else UTF-8; XML when its first
 * non-blank character is `<` (the record reader reads it as XML), else JSON. Undefined when `head` is all blank.
 */
export function textShape(head: Uint8Array): TextShape | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) {
    for (let at = 2; at + 1 < head.length; at += 2) {
      const unit = (head[at] as number) | ((head[at + 1] as number) << 8);
      if (!isBlank(unit) && unit !== 0xfeff)
        return { encoding: 'utf-16le', bom: 2, syntax: unit === 0x3c ? 'xml' : 'json' };
    }
    return undefined;
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (let at = bom; at < head.length; at++) {
    const c = head[at] as number;
    if (!isBlank(c)) return { encoding: 'utf-8', bom, syntax: c === 0x3c ? 'xml' : 'json' };
  }
  return undefined;
}

/** Whether the text starting with `head` is cut as newline-delimited JSON (UTF-8 or UTF-16). */
export function cuttable(head: Uint8Array): boolean {
  return textShape(head)?.syntax === 'json';
}

/** Whether `units[0, end)` holds two non-blank lines (a line feed with non-blank units before and after it). */
function twoLines(units: Units, end: number): boolean {
  let last = end - 1;
  while (last >= 0 && isBlank(units[last] as number)) last--;
  if (last < 0) return false;
  const feed = units.lastIndexOf(LF, last);
  if (feed <= 0) return false;
  for (let at = 0; at < feed; at++) if (!isBlank(units[at] as number)) return true;
  return false;
}

const utf8Decoder = new TextDecoder();
const utf16Decoder = new TextDecoder('utf-16le', { ignoreBOM: true });

function decodeUnits(units: Units): string {
  return units instanceof Uint16Array ? utf16Decoder.decode(units) : utf8Decoder.decode(units);
}

/**
 * Where `units` may be cut at or after `from`: the start of a line that is one whole JSON object, or -1 when there
 * is none yet. `final`: no more units will come, so the last line ends at the end. Also gives where to look next.
 */
export function findCut(units: Units, from: number, final: boolean): { cut: number; next: number } {
  let at = from;
  for (;;) {
    const feed = units.indexOf(LF, at);
    if (feed === -1 || feed + 1 >= units.length) return { cut: -1, next: Math.max(from, units.length - 1) };
    const start = feed + 1;
    if (units[start] !== OPEN_BRACE) {
      at = start;
      continue;
    }
    let end = units.indexOf(LF, start);
    if (end === -1) {
      if (!final) return { cut: -1, next: feed };
      end = units.length;
    }
    let last = end;
    while (last > start && isBlank(units[last - 1] as number)) last--;
    if (units[last - 1] === CLOSE_BRACE && twoLines(units, start)) {
      try {
        JSON.parse(decodeUnits(units.subarray(start, last)));
        return { cut: start, next: start };
      } catch {
        // not one whole object: the reader may still be inside a value here
      }
    }
    at = start;
  }
}

/** The next line from `from` on that is `}` alone in column 0: the unit of its `}`, or -1 when none is in hand. */
function closingLine(units: Units, from: number): number {
  let at = from;
  for (;;) {
    const feed = units.indexOf(LF, at);
    if (feed === -1 || feed + 1 >= units.length) return -1;
    at = feed + 1;
    if (units[at] !== CLOSE_BRACE) continue;
    let after = at + 1;
    while (after < units.length && units[after] !== LF && isBlank(units[after] as number)) after++;
    if (after < units.length && units[after] === LF) return at;
  }
}

/**
 * Where pretty-printed documents one after another (`jq .`, `ConvertTo-Json` per event) may be cut at or after
 * `from`: before a line that is `{` alone in column 0 whose last non-blank line is `}` alone in column 0, and only
 * if the whole-text splitter (`splitJsonText`), run over the text before it, ends that text with a whole document
 * and blanks. The splitter is then between documents at the start of a line, its state when it starts, so the
 * piece after the cut is read as its part of the whole. `failed`: a candidate was checked and refused (the caller
 * then waits for more text before checking again, so a hostile text costs at most about twice its parse).
 */
export function findPrettyCut(
  units: Units,
  from: number,
  final: boolean,
): { cut: number; next: number; failed: boolean } {
  let at = from;
  for (;;) {
    const feed = units.indexOf(LF, at);
    if (feed === -1 || feed + 1 >= units.length)
      return { cut: -1, next: Math.max(from, units.length - 1), failed: false };
    const start = feed + 1;
    at = start;
    if (units[start] !== OPEN_BRACE) continue;
    let end = units.indexOf(LF, start);
    if (end === -1) {
      if (!final) return { cut: -1, next: feed, failed: false };
      end = units.length;
    }
    let after = start + 1;
    while (after < end && isBlank(units[after] as number)) after++;
    if (after !== end) continue;
    let last = feed - 1;
    while (last >= 0 && isBlank(units[last] as number)) last--;
    if (last < 1 || units[last] !== CLOSE_BRACE || units[last - 1] !== LF || !twoLines(units, start)) continue;
    // The document the cut starts must be whole (its own `}` line in column 0, parsed): a piece that is one damaged
    // document is rejected with all its bytes, blanks around included, where the whole text gives its own.
    const close = closingLine(units, end);
    if (close === -1) {
      if (!final) return { cut: -1, next: feed, failed: false };
      continue;
    }
    try {
      JSON.parse(decodeUnits(units.subarray(start, close + 1)));
    } catch {
      continue;
    }
    const text = decodeUnits(units.subarray(0, start));
    const pieces = splitJsonText(text, Number.POSITIVE_INFINITY);
    const lastPiece = pieces[pieces.length - 1];
    if (lastPiece?.ok && text.slice(lastPiece.end).trim() === '') return { cut: start, next: start, failed: false };
    return { cut: -1, next: start, failed: true };
  }
}

/**
 * A growing buffer of the text's code units (the BOM left out), reused: pieces are views of it or copies made
 * with the BOM in front. Its own ArrayBuffer, so a UTF-16 view is aligned.
 */
class UnitBuffer {
  private bytes: Buffer;
  /** Bytes in hand (a UTF-16 text may end in half a code unit). */
  length = 0;

  constructor(
    capacity: number,
    readonly unit: 1 | 2,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(capacity);
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.length + chunk.length));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** The whole code units in hand. */
  units(): Units {
    const count = Math.floor(this.length / this.unit);
    return this.unit === 2
      ? new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, count)
      : this.bytes.subarray(0, count);
  }

  /** The bytes of units `[start, end)` (end: all bytes in hand, a trailing half unit included). */
  slice(start: number, end?: number): Uint8Array {
    return this.bytes.subarray(start * this.unit, end === undefined ? this.length : end * this.unit);
  }

  /** Drops the first `units` code units. */
  drop(units: number): void {
    this.bytes.copyWithin(0, units * this.unit, this.length);
    this.length -= units * this.unit;
  }
}

/** `parts` joined (the BOM in front when there is one): a fresh buffer, or a view of the one part. */
function withBom(bom: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  return bom.length === 0 && parts.length === 1
    ? (parts[0] as Uint8Array)
    : new Uint8Array(Buffer.concat([bom, ...parts]));
}

/** The input's chunks after its first `bom` bytes, and those bytes. */
async function* afterBom(chunks: AsyncIterable<Uint8Array>, bom: number, seen: Uint8Array): AsyncGenerator<Uint8Array> {
  let skip = bom;
  for await (const chunk of chunks) {
    if (skip >= chunk.length) {
      seen.set(chunk, bom - skip);
      skip -= chunk.length;
      continue;
    }
    if (skip > 0) seen.set(chunk.subarray(0, skip), bom - skip);
    yield skip > 0 ? chunk.subarray(skip) : chunk;
    skip = 0;
  }
}

/**
 * The longest line of newline-delimited JSON that is read as a record (16 MiB of bytes, or 8 Mi UTF-16 units). A
 * Windows event is far smaller (an EVTX record fits in a 64 KiB chunk); a longer line is damage or an attack, and
 * held whole it made memory grow with it (one 200 MB line: 1.37 GB of peak RSS, its text, its base64 and its
 * rejected line all held at once). Such a line is given as {@link LongLinePart}s instead, each rejected with its bytes.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * A part of a line longer than the cutter's limit (see {@link MAX_LINE_BYTES}): at most the limit's bytes of it, in
 * order, the line feed that ends it left out. Not read: the caller rejects each part with {@link LONG_LINE}.
 */
export interface LongLinePart {
  kind: 'long-line';
  bytes: Uint8Array;
  /** What the part is rejected with: {@link LONG_LINE}, or {@link LONG_ELEMENT} for a part of an array element. */
  reason: string;
}

/** The reason a part of a line longer than the limit is rejected with. */
export const LONG_LINE = 'line longer than 16 MiB (rejected in parts of its bytes, in order)';

/** The reason a part of a top-level JSON array's element longer than the limit is rejected with (see cutJsonArray). */
export const LONG_ELEMENT = 'JSON array element longer than 16 MiB (rejected in parts of its bytes, in order)';

/** A copy of the buffer's units `[0, end)` (all bytes in hand when undefined) as a part: the buffer is reused. */
function longPart(buffer: UnitBuffer, end: number | undefined, reason: string): LongLinePart {
  return { kind: 'long-line', bytes: new Uint8Array(buffer.slice(0, end)), reason };
}

/** A piece for the record reader, or a part of a line too long to read (see {@link cutText}). */
export type RecordPiece = Uint8Array | LongLinePart;

/**
 * Cuts newline-delimited JSON text (UTF-8 or UTF-16LE, see `shape`) into pieces of at least `pieceBytes` (see the
 * module's comment). UTF-8 pieces are views of one buffer, reused: a piece is valid until the next one is asked for
 * (the record reader keeps no view of its input once it has returned, and a rejected document's bytes are written
 * out at once). Reusing the buffer spares the garbage collector a large allocation per piece.
 * A line longer than `maxLineBytes` is not read: the text before it is given as a piece (cut there, whatever the
 * rule above says), then the line as {@link LongLinePart}s of at most `maxLineBytes` (the BOM left out), then the
 * text after its line feed is cut as before. So memory stays bounded by the limit, whatever the line's length.
 */
export async function* cutText(
  chunks: AsyncIterable<Uint8Array>,
  pieceBytes: number,
  shape: Pick<TextShape, 'encoding' | 'bom'> = { encoding: 'utf-8', bom: 0 },
  maxLineBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<RecordPiece> {
  const unit = shape.encoding === 'utf-16le' ? 2 : 1;
  const buffer = new UnitBuffer(Math.max(2 * pieceBytes, 64 * 1024), unit);
  const bom = new Uint8Array(shape.bom);
  const pieceUnits = Math.ceil(pieceBytes / unit);
  const maxLineUnits = Math.max(1, Math.floor(maxLineBytes / unit));
  // Where the search for a cut goes on: the units before it hold none (so text without cuts costs linear time).
  let scanFrom = pieceUnits;
  // The same for a cut between pretty-printed documents, and the units in hand before one is checked again.
  let prettyFrom = pieceUnits;
  let prettyAt = 0;
  // Where the last line in hand starts (after the last line feed), and how far the units were searched for one.
  let lineStart = 0;
  let searched = 0;
  // Inside a line longer than the limit: where its feed is in the buffer (-1: not seen yet, searched up to `searched`).
  let long = false;
  let feedAt = -1;
  let endedLong = false;
  // The start of the first line in hand longer than the limit (ended or not), or -1: every line is looked at once,
  // so where the reads end does not change which lines are long.
  function longLineStart(): number {
    const units = buffer.units();
    while (searched < units.length) {
      const feed = units.indexOf(LF, searched);
      if (feed === -1) {
        searched = units.length;
        break;
      }
      if (feed - lineStart > maxLineUnits) return lineStart;
      lineStart = feed + 1;
      searched = feed + 1;
    }
    return units.length - lineStart > maxLineUnits ? lineStart : -1;
  }
  function drop(count: number): void {
    buffer.drop(count);
    lineStart = Math.max(0, lineStart - count);
    searched = Math.max(0, searched - count);
    if (feedAt !== -1) feedAt -= count;
  }
  const part = (end?: number): LongLinePart => longPart(buffer, end, LONG_LINE);
  // Gives the parts of the long line in hand; true when the line has ended (its feed dropped, or the input ended).
  function* longParts(final: boolean): Generator<LongLinePart, boolean> {
    for (;;) {
      const units = buffer.units();
      if (feedAt === -1 && units.length > searched) {
        const feed = units.subarray(searched).indexOf(LF);
        if (feed !== -1) feedAt = searched + feed;
        searched = units.length;
      }
      const end = feedAt === -1 ? units.length : feedAt;
      if (end >= maxLineUnits) {
        yield part(maxLineUnits);
        drop(maxLineUnits);
        continue;
      }
      if (feedAt !== -1) {
        if (end > 0) yield part(end);
        drop(end + 1);
        feedAt = -1;
        return true;
      }
      if (!final) return false;
      if (buffer.length > 0) yield part();
      drop(units.length);
      buffer.length = 0;
      return true;
    }
  }
  // Yields the pieces the units in hand hold; `final`: the input has ended.
  async function* pieces(final: boolean): AsyncGenerator<RecordPiece> {
    for (;;) {
      if (long) {
        if (!(yield* longParts(final))) return;
        long = false;
        endedLong = true;
        scanFrom = pieceUnits;
        prettyFrom = pieceUnits;
        prettyAt = 0;
        lineStart = 0;
        searched = 0;
        continue;
      }
      const longAt = longLineStart();
      if (longAt !== -1) {
        if (longAt > 0) yield withBom(bom, [buffer.slice(0, longAt)]);
        drop(longAt);
        long = true;
        searched = 0;
        continue;
      }
      const units = buffer.units();
      if (final ? units.length <= pieceUnits : units.length < pieceUnits) return;
      let { cut, next } = findCut(units, scanFrom, final);
      if (cut === -1) {
        scanFrom = next;
        if (units.length < prettyAt) return;
        const pretty = findPrettyCut(units, prettyFrom, final);
        prettyFrom = pretty.next;
        if (pretty.failed) prettyAt = 2 * units.length;
        if (pretty.cut === -1) return;
        cut = pretty.cut;
      }
      yield withBom(bom, [buffer.slice(0, cut)]);
      drop(cut);
      scanFrom = pieceUnits;
      prettyFrom = pieceUnits;
      prettyAt = 0;
    }
  }
  for await (const chunk of afterBom(chunks, shape.bom, bom)) {
    buffer.append(chunk);
    if (long || buffer.length >= pieceBytes || buffer.length > maxLineBytes) yield* pieces(false);
  }
  yield* pieces(true);
  // A text of a BOM alone is one (empty) piece, as before; the end of a long line leaves nothing to give.
  if (buffer.length > 0 || (shape.bom > 0 && !endedLong)) yield withBom(bom, [buffer.slice(0)]);
}

/** The end tag of the events' wrapper, or its start tag, in the text's encoding (`name` as the scanner saw it). */
function wrapperTag(name: string | undefined, closing: boolean, unit: 1 | 2): Uint8Array {
  if (name === undefined) return new Uint8Array(0);
  // The scanner reads UTF-8 as latin1 (one character per byte), so latin1 gives the name's bytes back.
  return new Uint8Array(Buffer.from(closing ? `</${name}>` : `<${name}>`, unit === 2 ? 'utf16le' : 'latin1'));
}

/** Units `[start, end)` of the buffer as the scanner reads them: UTF-8 bytes as latin1, UTF-16 as code units. */
function scannerText(buffer: UnitBuffer, start: number, end: number): string {
  const bytes = buffer.slice(start, end);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
    buffer.unit === 2 ? 'utf16le' : 'latin1',
  );
}

/**
 * Cuts XML text of `<Event>`s into pieces of at least `pieceBytes` (see the module's comment): right after an event
 * span that the scanner (xml-cuts.ts) found, so that each piece, read alone, holds the items of its part of the
 * whole text. Every piece holds at least two items (a text of one item is read as one document, with the whole
 * text as its bytes), so a cut waits for two more items after it. A piece after the first starts with the
 * wrapper's start tag, when the events are in one, and each but the last ends with its end tag; a piece of events
 * at the top level starts at a `<` (else the record reader would not read it as XML). Pieces are fresh buffers.
 */
export async function* cutXml(
  chunks: AsyncIterable<Uint8Array>,
  pieceBytes: number,
  shape: Pick<TextShape, 'encoding' | 'bom'>,
  maxPieceBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<Uint8Array> {
  const unit = shape.encoding === 'utf-16le' ? 2 : 1;
  const buffer = new UnitBuffer(Math.max(2 * pieceBytes, 64 * 1024), unit);
  const bom = new Uint8Array(shape.bom);
  let scanner = new XmlItemScanner();
  let items = scanner.items;
  // The text's unit at the buffer's start, and the wrapper open there (the previous piece's last event's).
  let base = 0;
  let first = true;
  let wrapper: string | undefined;
  // Units scanned so far; the scanner goes on from `scanner.resume` (markup not all in hand yet).
  let scanned = 0;
  const scan = (final: boolean) => {
    const end = base + Math.floor(buffer.length / unit);
    scanner.scan(scannerText(buffer, scanner.resume - base, end - base), scanner.resume, final);
    scanned = end;
  };
  /** Whether the text at the buffer's unit `at` goes on with a `<` after blanks. */
  const markupAt = (at: number): boolean => {
    const units = buffer.units();
    let i = at;
    while (i < units.length && isBlank(units[i] as number)) i++;
    return units[i] === 0x3c;
  };
  function* ready(final: boolean): Generator<Uint8Array> {
    for (;;) {
      const after = scanner.pending && !final ? 1 : 0;
      let cut = -1;
      for (let k = 1; k < items.length && items.length - k - 1 + after >= 2; k++) {
        const item = items[k] as XmlItem;
        if (item.kind !== 'event' || (item.end - base) * unit < pieceBytes) continue;
        if (item.wrapper !== undefined || markupAt(item.end - base)) {
          cut = k;
          break;
        }
      }
      if (cut === -1) return;
      const item = items[cut] as Extract<XmlItem, { kind: 'event' }>;
      const body = buffer.slice(0, item.end - base);
      const head = first ? [] : [wrapperTag(wrapper, false, unit)];
      yield withBom(bom, [...head, body, wrapperTag(item.wrapper, true, unit)]);
      first = false;
      wrapper = item.wrapper;
      buffer.drop(item.end - base);
      base = item.end;
      items.splice(0, cut + 1);
    }
  }
  for await (const chunk of afterBom(chunks, shape.bom, bom)) {
    buffer.append(chunk);
    const end = base + Math.floor(buffer.length / unit);
    // Scan when the new units are at least as many as those scanned again (markup not in hand last time), so a
    // long comment or tag coming in small reads costs linear time.
    if (end - scanned >= Math.max(1, scanned - scanner.resume)) scan(false);
    if (buffer.length >= pieceBytes) yield* ready(false);
    if (buffer.length > maxPieceBytes) {
      // No cut in more than the limit: one event (or stray text) longer than any Windows event, which the reader
      // rejects unparsed anyway (LIMITS.xmlEventChars). Given as it is, then the rest read as a new text: the
      // rejections keep every byte, and memory stays bounded whatever the event's length.
      const whole = Math.floor(buffer.length / unit);
      yield withBom(bom, [...(first ? [] : [wrapperTag(wrapper, false, unit)]), buffer.slice(0, whole)]);
      buffer.drop(whole);
      scanner = new XmlItemScanner();
      items = scanner.items;
      base = 0;
      scanned = 0;
      first = true;
      wrapper = undefined;
    }
  }
  scan(true);
  yield* ready(true);
  const head = first ? [] : [wrapperTag(wrapper, false, unit)];
  yield withBom(bom, [...head, buffer.slice(0)]);
}

/** Whether `first` (the text's first units, after its BOM) starts a JSON array, blanks and BOMs aside. */
function startsArray(view: string): boolean {
  return /^(?:[ \t\r\n\ufeff]|\u00ef\u00bb\u00bf)*\[/.test(view);
}

/**
 * Cuts a top-level JSON array of events (its first element an object: the reader then reads it element by
 * element, src/events/decode/documents/json-array.ts) into pieces of at least `pieceBytes`: right after an element
 * that a comma ends, before a next element that starts with `{`, with the same scanner as the reader. A piece
 * after the first starts with `[` (then the comma: blanks between commas are no element), each but the last ends
 * with `]`. Pieces are fresh buffers.
 *
 * An element longer than `maxLineBytes` (ended or not: so where the reads end does not change which elements are
 * long) is not read, as a long line is not (see {@link cutText}): the elements before it are given as a piece
 * (without `]`: the reader reads them as it would in the whole text), then its units, from its first character up
 * to the comma, bracket or new element's line that ends it (blanks before those included) or the end of the text,
 * as {@link LongLinePart}s of at most `maxLineBytes` rejected with {@link LONG_ELEMENT}, then the text after it is
 * cut as before: from the comma or new element's line on, starting with `[`; past a closing bracket, the text
 * that follows the array, as the reader splits it. So memory stays bounded by the limit, whatever the element's
 * length. Unlike a whole reading, the elements after a long one are read as a new array's: one that does not
 * start with `{` makes that piece one document.
 */
export async function* cutJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  pieceBytes: number,
  shape: Pick<TextShape, 'encoding' | 'bom'>,
  maxLineBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<RecordPiece> {
  const unit = shape.encoding === 'utf-16le' ? 2 : 1;
  const buffer = new UnitBuffer(Math.max(2 * pieceBytes, 64 * 1024), unit);
  const bom = new Uint8Array(shape.bom);
  const scanner = new JsonArrayScanner();
  const items = scanner.items;
  const open = wrapperBracket('[', unit);
  const close = wrapperBracket(']', unit);
  const maxUnits = Math.max(1, Math.floor(maxLineBytes / unit));
  let base = 0;
  let first = true;
  // The items before `checked` are no longer than the limit; the long element being given in parts (its start), or -1.
  let checked = 0;
  let long = -1;
  let afterLong = false;
  // Past the array's bracket after a long element: what is left is the text after the array.
  let tail = false;
  function drop(count: number): void {
    buffer.drop(count);
    base += count;
  }
  function* ready(): Generator<Uint8Array> {
    for (;;) {
      let cut = -1;
      for (let k = 0; k < items.length; k++) {
        const item = items[k] as JsonArrayItem;
        if (item.by !== 'comma' || (item.end - base) * unit < pieceBytes) continue;
        const next = items[k + 1]?.start ?? (scanner.openElement === -1 ? undefined : scanner.openElement);
        if (next === undefined) break;
        if (buffer.units()[next - base] === 0x7b) {
          cut = k;
          break;
        }
      }
      if (cut === -1) return;
      const item = items[cut] as JsonArrayItem;
      yield withBom(bom, [...(first ? [] : [open]), buffer.slice(0, item.end - base), close]);
      first = false;
      drop(item.end - base);
      items.splice(0, cut + 1);
      checked = Math.max(0, checked - cut - 1);
    }
  }
  // Where an ended element's units stop: at the first non-blank unit after it (what ended it), or at `end`.
  function stopOf(item: JsonArrayItem, end: number): number {
    const units = buffer.units();
    let stop = item.end;
    while (stop < end && isBlank(units[stop - base] as number)) stop++;
    return stop;
  }
  // The start of the first element in hand whose units (blanks before what ends it included: every unit in hand
  // for the open one) are more than the limit, or -1. Measured so, an element's length only grows as units come.
  function longElement(end: number): number {
    for (; checked < items.length; checked++) {
      const item = items[checked] as JsonArrayItem;
      if (stopOf(item, end) - item.start > maxUnits) return item.start;
    }
    const openAt = scanner.openElement;
    return openAt !== -1 && end - openAt > maxUnits ? openAt : -1;
  }
  const part = (units: number): LongLinePart => longPart(buffer, units, LONG_ELEMENT);
  // Gives what the units in hand (up to `end`) hold of long elements: the elements before one, then its parts.
  function* longParts(end: number): Generator<RecordPiece> {
    for (;;) {
      if (long === -1) {
        long = longElement(end);
        if (long === -1) return;
        const before = items.findIndex((item) => item.start === long);
        const count = before === -1 ? items.length : before;
        if (count > 0) yield withBom(bom, [...(first ? [] : [open]), buffer.slice(0, long - base)]);
        items.splice(0, count);
        checked = 0;
        first = false;
        drop(long - base);
      }
      const ended = items[0]?.start === long ? (items[0] as JsonArrayItem) : undefined;
      const stop = ended === undefined ? end : stopOf(ended, end);
      while (stop - base > maxUnits || (ended === undefined && stop - base === maxUnits)) {
        yield part(maxUnits);
        drop(maxUnits);
      }
      if (ended === undefined) return;
      if (stop > base) yield part(stop - base);
      drop(stop - base);
      items.shift();
      long = -1;
      afterLong = true;
      if (ended.by === 'close') {
        // Past the array: the text after it is read as the reader reads what follows an array (see the end).
        drop(1);
        tail = true;
      }
    }
  }
  const scanInHand = (final: boolean): number => {
    const end = base + Math.floor(buffer.length / unit);
    scanner.scan(scannerText(buffer, scanner.resume - base, end - base), scanner.resume, final);
    return end;
  };
  for await (const chunk of afterBom(chunks, shape.bom, bom)) {
    buffer.append(chunk);
    const end = scanInHand(false);
    yield* longParts(end);
    if (long === -1 && buffer.length >= pieceBytes) yield* ready();
  }
  const end = scanInHand(true);
  yield* longParts(end);
  yield* ready();
  if (tail) {
    // Without its blanks around it, as the reader splits the text after an array (a part that is not JSON is
    // rejected with its own bytes, not the blanks before it).
    const units = buffer.units();
    let from = 0;
    let to = units.length;
    while (from < to && isBlank(units[from] as number)) from++;
    while (to > from && isBlank(units[to - 1] as number)) to--;
    if (to > from) yield withBom(bom, [buffer.slice(from, to)]);
    return;
  }
  // After a long element the rest may be blanks alone, which are no piece (checked only then: the last piece of
  // an ordinary array is never blank).
  if (!(afterLong && buffer.units().every((c) => isBlank(c))))
    yield withBom(bom, [...(first ? [] : [open]), buffer.slice(0)]);
}

function wrapperBracket(bracket: string, unit: 1 | 2): Uint8Array {
  return new Uint8Array(Buffer.from(bracket, unit === 2 ? 'utf16le' : 'latin1'));
}

/**
 * How JSON text is cut: a top-level array whose first element is an object by {@link cutJsonArray}; a text
 * starting with `[` whose first element is not told by `first` whole; else as newline-delimited JSON.
 */
export function jsonCut(first: Uint8Array, shape: TextShape): 'array' | 'lines' | 'whole' {
  const body = first.subarray(shape.bom);
  const view = Buffer.from(
    body.buffer,
    body.byteOffset,
    body.byteLength - (body.byteLength % (shape.encoding === 'utf-16le' ? 2 : 1)),
  ).toString(shape.encoding === 'utf-16le' ? 'utf16le' : 'latin1');
  if (!startsArray(view)) return 'lines';
  const scanner = new JsonArrayScanner();
  scanner.scan(view, 0, false);
  if (scanner.firstChar === 0x7b) return 'array';
  return scanner.firstChar === -1 && scanner.closedAt === -1 ? 'whole' : 'lines';
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

/** What replay's record reader allows a zstd frame to declare (its decompression budget, run-replay.ts). */
const ZSTD_DECLARED_BYTES = 2 * 1024 ** 3;

/**
 * Whether the zstd stream is one the record reader would decompress: its first frame declares no more content or
 * window than replay's budget (fzstd allocates the window up front), fzstd accepts every frame, and the last one
 * ends (a stream cut short without an error is truncated).
 */
export async function zstdReadable(chunks: AsyncIterable<Uint8Array>): Promise<boolean> {
  let finished = false;
  const stream = new Decompress((_chunk, final) => {
    if (final) finished = true;
  });
  let head: Uint8Array | undefined;
  try {
    let pending: Uint8Array | undefined;
    for await (const chunk of chunks) {
      if (head === undefined || head.length < 32) {
        head = head === undefined ? chunk.slice(0, 32) : concat([head, chunk]).slice(0, 32);
        if (head.length >= 32 && !zstdHeaderFits(head)) return false;
      }
      if (pending !== undefined) {
        finished = false;
        stream.push(pending, false);
      }
      pending = chunk;
    }
    if (pending === undefined || head === undefined || !zstdHeaderFits(head)) return false;
    finished = false;
    stream.push(pending, true);
  } catch {
    return false;
  }
  return finished;
}

function zstdHeaderFits(head: Uint8Array): boolean {
  const declared = zstdContentSize(head);
  const window = zstdWindowSize(head);
  return (
    (declared === undefined || declared <= ZSTD_DECLARED_BYTES) &&
    (window === undefined || window <= ZSTD_DECLARED_BYTES)
  );
}

/**
 * A push-based decompressor (fflate's Gunzip, fzstd's Decompress) as a stream of its output: each chunk is pushed
 * once the next has come (so the last one is pushed final), and what it gave is yielded.
 */
async function* pushedChunks(
  chunks: AsyncIterable<Uint8Array>,
  open: (emit: (chunk: Uint8Array) => void) => (chunk: Uint8Array, final: boolean) => void,
): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const push = open((chunk) => {
    out.push(chunk);
  });
  let pending: Uint8Array | undefined;
  for await (const chunk of chunks) {
    if (pending !== undefined) {
      push(pending, false);
      yield* out;
      out = [];
    }
    pending = chunk;
  }
  if (pending !== undefined) push(pending, true);
  yield* out;
}

/** Decompresses a zstd stream (every frame) as it is read. */
function unzstdChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return pushedChunks(chunks, (emit) => {
    const stream = new Decompress(emit);
    return (chunk, final) => stream.push(chunk, final);
  });
}

/** Inflates a gzip stream (every member) as it is read. */
function gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return pushedChunks(chunks, (emit) => {
    const stream = new Gunzip(emit);
    return (chunk, final) => pushSlices(stream, chunk, final);
  });
}

/**
 * Cuts a text input by its shape, as it is read: JSON into pieces of `pieceBytes`, XML into pieces of
 * {@link XML_PIECE_BYTES} (or `pieceBytes` when smaller); anything else whole.
 */
async function* cutByShape(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
  pieceBytes: number,
  whole: () => Promise<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<RecordPiece> {
  const shape = textShape(first);
  if (shape?.syntax === 'json') {
    const how = jsonCut(first, shape);
    if (how === 'array') yield* cutJsonArray(prepend([first], rest), pieceBytes, shape, maxLineBytes);
    else if (how === 'lines') yield* cutText(prepend([first], rest), pieceBytes, shape, maxLineBytes);
    else yield await whole();
    return;
  }
  if (shape?.syntax === 'xml') {
    yield* cutXml(prepend([first], rest), Math.min(pieceBytes, XML_PIECE_BYTES), shape, maxLineBytes);
    return;
  }
  yield await whole();
}

/**
 * The pieces to give the record reader for one input, in order; their documents, numbered on from piece to piece,
 * are the input's documents as `readRecord(whole input)` finds them. A piece is valid until the next is asked for.
 * Newline-delimited JSON with a line longer than `maxLineBytes`, and a top-level JSON array with an element longer
 * than that, are the exceptions: see {@link cutText} and {@link cutJsonArray}.
 */
export async function* recordPieces(
  input: InputStream,
  pieceBytes: number = TEXT_PIECE_BYTES,
  maxLineBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<RecordPiece> {
  const it = input.chunks[Symbol.asyncIterator]();
  // Enough to tell the layer: a small gzip file may inflate to much more than a piece.
  const start = await readAtLeast(it, Math.min(pieceBytes, 64 * 1024));
  const layer = start.parts.length > 0 ? binaryLayer(concat(start.parts)) : undefined;
  const reopen = input.reopen;
  const inflate = layer === 'gzip' ? gunzipChunks : layer === 'zstd' ? unzstdChunks : undefined;
  const readable = layer === 'gzip' ? gzipReadable : zstdReadable;
  if (!start.done && inflate !== undefined && reopen !== undefined && (await readable(reopen()))) {
    const inflated = inflate(prepend(start.parts, it))[Symbol.asyncIterator]();
    const inner = await readAtLeast(inflated, pieceBytes);
    const innerHead = concat(inner.parts);
    const wholeCompressed = async () => {
      await inflated.return?.(undefined);
      await it.return?.(undefined);
      return readAll(reopen());
    };
    if (!inner.done && binaryLayer(innerHead) === undefined) {
      yield* cutByShape(innerHead, inflated, pieceBytes, wholeCompressed, maxLineBytes);
      return;
    }
    // Small, or not text: the whole compressed input, as the record reader always read it.
    yield await wholeCompressed();
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
  if (layer !== undefined) {
    yield await readAll(prepend([first], it));
    return;
  }
  yield* cutByShape(first, it, pieceBytes, () => readAll(prepend([first], it)), maxLineBytes);
}
