/**
 * Input files -> Kinesis records, one per event or document, each with where it came from and its host.
 *
 * Without a format, a text file of several documents (JSON lines, concatenated or pretty-printed JSON) gives one
 * record per document, found by the pipeline's own splitter, so a broken line is a record of its own (which the
 * pipeline rejects) instead of turning the whole file into one record over the Kinesis limit; each record holds
 * the document's exact bytes. Any other file (one JSON or XML document, gzip, zstd, KPL...) is sent as its own
 * bytes, one record: the pipeline decodes records by content, as it does a shipper's. With a format, every event
 * read from the file is re-encoded as that shipper's document, one record each; documents that do not read as
 * events cannot be re-encoded and are skipped with the reader's reason. An .evtx file (recognised by content) is
 * always re-encoded, as evtx-json when no format is given: no shipper sends EVTX files, they send events.
 *
 * A record whose data is over LIMITS.kinesisRecordBytes is never made: it is returned as oversize, with its source
 * and size, so `send` reports it instead of failing a PutRecords request.
 */
import {
  type ByteText,
  binaryLayer,
  type CanonicalEvent,
  encodeEvent,
  hostKey,
  type RecordOutcome,
  readRecord,
  type ShipperFormat,
  splitJsonText,
  textFromBytes,
} from '../../src/events/index.js';
import { LIMITS } from '../../src/limits.js';
import type { InputRecord } from '../io/input-files.js';

/** One record to put, before it has a partition key. */
export interface SendRecord {
  /** File (and line or document number) it came from, for messages. */
  source: string;
  data: Uint8Array;
  /** Lower-case host of its (first) event; undefined when the bytes do not read as an event. */
  host?: string;
}

/** A document read from the inputs that will not be sent, and why. */
export interface SkippedDocument {
  source: string;
  reason: string;
}

/** A document too big for one Kinesis record: not sent. */
export interface OversizeDocument {
  source: string;
  /** Its data bytes. */
  bytes: number;
}

export interface SplitResult {
  records: SendRecord[];
  skipped: SkippedDocument[];
  oversize: OversizeDocument[];
}

const encoder = new TextEncoder();

/** The format an .evtx file's events are re-encoded as without --format: the evtx_dump JSON they are read as. */
export const EVTX_DEFAULT_FORMAT: ShipperFormat = 'evtx-json';

/**
 * `send` reads files (whole, or a piece at a time: split-stream.ts), like replay: a file is no 1 MiB Kinesis
 * record, so neither the per-record document cap nor its decompression budget applies (each record it makes is
 * checked against the Kinesis limit instead).
 */
export const FILE_LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };
const UTF16_BOM = new Uint8Array([0xff, 0xfe]);

/**
 * The documents of a text file of several, each as its exact bytes with the line it starts on; undefined for a
 * file that goes as one record (binary, XML, one document, nothing).
 */
function documents(data: Uint8Array): { line: number; data: Uint8Array }[] | undefined {
  if (binaryLayer(data) !== undefined) return undefined;
  const source = textFromBytes(data);
  if (source.text.trimStart().startsWith('<')) return undefined;
  const pieces = splitJsonText(source.text);
  return pieces.length < 2 ? undefined : documentsAt(source, pieces, 1);
}

/**
 * Each of `pieces` (splitJsonText of `source`'s text) as its exact bytes (a view of `source`'s, with the BOM back
 * for UTF-16) and the line it starts on, counting from `firstLine`.
 */
export function documentsAt(
  source: ByteText,
  pieces: readonly { start: number; end: number }[],
  firstLine: number,
): { line: number; data: Uint8Array }[] {
  const text = source.text;
  const out: { line: number; data: Uint8Array }[] = [];
  let line = firstLine;
  let counted = 0;
  for (const piece of pieces) {
    for (let at = text.indexOf('\n', counted); at !== -1 && at < piece.start; at = text.indexOf('\n', at + 1)) line++;
    counted = piece.start;
    out.push({ line, data: withBom(source.encoding, source.bytesOf(piece.start, piece.end)) });
  }
  return out;
}

/** A piece of UTF-16LE text is read alone only with its BOM; UTF-8 needs none. */
export function withBom(encoding: 'utf-8' | 'utf-16le', bytes: Uint8Array): Uint8Array {
  if (encoding === 'utf-8') return bytes;
  const out = new Uint8Array(UTF16_BOM.length + bytes.length);
  out.set(UTF16_BOM);
  out.set(bytes, UTF16_BOM.length);
  return out;
}

function firstEvent(data: Uint8Array): CanonicalEvent | undefined {
  for (const outcome of readRecord(data)) if (outcome.kind === 'event') return outcome.event;
  return undefined;
}

export function hostOf(data: Uint8Array): string | undefined {
  const event = firstEvent(data);
  return event === undefined ? undefined : hostKey(event.host);
}

/** Adds the record to `into`, or to `into.oversize` when its data cannot be one Kinesis record. */
export function add(into: SplitResult, source: string, data: Uint8Array, host: () => string | undefined): void {
  if (data.byteLength > LIMITS.kinesisRecordBytes) {
    into.oversize.push({ source, bytes: data.byteLength });
    return;
  }
  const value = host();
  into.records.push(value === undefined ? { source, data } : { source, data, host: value });
}

/**
 * The records one whole input gives, the documents skipped (only with a format) and those too big to send. send
 * itself calls splitStream (split-stream.ts), which gives the same records a piece at a time.
 */
export function splitRecords(input: InputRecord, requested?: ShipperFormat): SplitResult {
  const result: SplitResult = { records: [], skipped: [], oversize: [] };
  const format = requested ?? (binaryLayer(input.data) === 'evtx' ? EVTX_DEFAULT_FORMAT : undefined);
  if (format === undefined) {
    const pieces = documents(input.data);
    if (pieces === undefined) add(result, input.source, input.data, () => hostOf(input.data));
    else for (const piece of pieces) add(result, `${input.source}:${piece.line}`, piece.data, () => hostOf(piece.data));
    return result;
  }
  readRecord(input.data, FILE_LIMITS).forEach((outcome, i) => {
    addOutcome(result, `${input.source}#${i + 1}`, outcome, format);
  });
  return result;
}

/** An outcome of the record reader as a record of `format` (an event re-encoded), or skipped with its reason. */
export function addOutcome(
  into: SplitResult,
  source: string,
  outcome: RecordOutcome | { kind: 'rejected'; reason: string },
  format: ShipperFormat,
): void {
  if (outcome.kind === 'event') {
    const host = hostKey(outcome.event.host);
    add(into, source, encoder.encode(encodeEvent(outcome.event, format)), () => host);
  } else {
    into.skipped.push({ source, reason: outcome.reason });
  }
}
