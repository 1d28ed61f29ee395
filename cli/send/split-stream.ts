/**
 * send's inputs split into records as they are read, so that memory holds a piece of an input, not the input:
 * the same records as {@link splitRecords} on the whole input, in the same order, with these differences only for
 * inputs of at least {@link TEXT_PIECE_BYTES} (smaller ones go to splitRecords whole, unchanged):
 *
 * - newline-delimited (or concatenated, pretty-printed) JSON is cut into pieces between documents as replay cuts
 *   it (cutText), each piece split into documents, numbered by line across the pieces; a line longer than 16 MiB
 *   is not read: it is one oversize document, its bytes counted;
 * - with a format (and for .evtx), each piece is read as replay reads it (recordPieces) and its events re-encoded,
 *   numbered across the pieces; a part of a line or array element longer than 16 MiB is skipped with its reason;
 * - any other input (binary layers sent as they are, XML, a top-level array: one record each) is read whole only
 *   up to the record limit: past it, its bytes are counted, not held, and it is one oversize input.
 */

import { binaryLayer } from '../../src/events/decode/binary-layers.js';
import { readRecord, type ShipperFormat, splitJsonText, textFromBytes } from '../../src/events/index.js';
import { LIMITS } from '../../src/limits.js';
import type { InputStream } from '../io/input-files.js';
import {
  concat,
  cutText,
  jsonCut,
  MAX_LINE_BYTES,
  prepend,
  readAtLeast,
  recordPieces,
  TEXT_PIECE_BYTES,
  textShape,
} from '../replay/record-chunks.js';
import {
  add,
  addOutcome,
  documentsAt,
  EVTX_DEFAULT_FORMAT,
  FILE_LIMITS,
  hostOf,
  type SplitResult,
  splitRecords,
} from './split-records.js';

const empty = (): SplitResult => ({ records: [], skipped: [], oversize: [] });

/** Piece sizes; tests make them small. */
export interface StreamSizes {
  pieceBytes: number;
  maxLineBytes: number;
}

const SIZES: StreamSizes = { pieceBytes: TEXT_PIECE_BYTES, maxLineBytes: MAX_LINE_BYTES };

/** The records of one input, a piece at a time (see the module's comment). The input is read to its end. */
export async function* splitStream(
  input: InputStream,
  requested?: ShipperFormat,
  sizes: StreamSizes = SIZES,
): AsyncGenerator<SplitResult> {
  const it = input.chunks[Symbol.asyncIterator]();
  const head = await readAtLeast(it, sizes.pieceBytes);
  const first = concat(head.parts);
  if (head.done) {
    yield splitRecords({ source: input.source, data: first }, requested);
    return;
  }
  const stream: InputStream = { source: input.source, chunks: prepend(head.parts, it), reopen: input.reopen };
  const layer = binaryLayer(first);
  const format = requested ?? (layer === 'evtx' ? EVTX_DEFAULT_FORMAT : undefined);
  if (format !== undefined) {
    yield* reencoded(stream, format, sizes);
    return;
  }
  const shape = layer === undefined ? textShape(first) : undefined;
  if (shape?.syntax === 'json' && jsonCut(first, shape) === 'lines') {
    yield* documentsOf(stream, shape, sizes);
    return;
  }
  yield await oneRecord(stream);
}

/** An input sent as one record: held up to the record limit, past it counted and reported oversize. */
async function oneRecord(input: InputStream): Promise<SplitResult> {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of input.chunks) {
    bytes += chunk.length;
    if (bytes <= LIMITS.kinesisRecordBytes) parts.push(chunk);
    else parts.length = 0;
  }
  if (bytes > LIMITS.kinesisRecordBytes) return { ...empty(), oversize: [{ source: input.source, bytes }] };
  return splitRecords({ source: input.source, data: concat(parts) });
}

/** Each document of newline-delimited JSON text, its exact bytes, named by the line it starts on. */
async function* documentsOf(
  input: InputStream,
  shape: NonNullable<ReturnType<typeof textShape>>,
  sizes: StreamSizes,
): AsyncGenerator<SplitResult> {
  // Lines before the piece in hand; the bytes of a long line being given in parts (-1: none).
  let lines = 0;
  let long = -1;
  const endLong = (into: SplitResult) => {
    if (long === -1) return;
    into.oversize.push({ source: `${input.source}:${lines + 1}`, bytes: long });
    lines++;
    long = -1;
  };
  for await (const piece of cutText(input.chunks, sizes.pieceBytes, shape, sizes.maxLineBytes)) {
    const result = empty();
    if (!(piece instanceof Uint8Array)) {
      long = (long === -1 ? 0 : long) + piece.bytes.length;
      continue;
    }
    endLong(result);
    const source = textFromBytes(piece);
    for (const document of documentsAt(source, splitJsonText(source.text), lines + 1)) {
      // A copy: cutText reuses its buffer for the next piece, and the record is put later.
      const data = Uint8Array.from(document.data);
      add(result, `${input.source}:${document.line}`, data, () => hostOf(data));
    }
    const text = source.text;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
    yield result;
  }
  const last = empty();
  endLong(last);
  if (last.oversize.length > 0) yield last;
}

/** Each event read from the input re-encoded as `format`, numbered across the pieces; the rest skipped. */
async function* reencoded(input: InputStream, format: ShipperFormat, sizes: StreamSizes): AsyncGenerator<SplitResult> {
  let n = 0;
  for await (const piece of recordPieces(input, sizes.pieceBytes, sizes.maxLineBytes)) {
    const result = empty();
    const outcomes =
      piece instanceof Uint8Array
        ? readRecord(piece, FILE_LIMITS)
        : [{ kind: 'rejected' as const, reason: piece.reason, raw: piece.bytes }];
    for (const outcome of outcomes) addOutcome(result, `${input.source}#${++n}`, outcome, format);
    yield result;
  }
}
