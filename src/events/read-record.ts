/**
 * The pipeline's entry point: one Kinesis record's bytes -> one outcome per document found in it.
 * Decoding is by content only: magic bytes (gzip, zstd, KPL, EVTX), then text (JSON, newline-delimited or
 * concatenated JSON, XML), then envelopes (CloudWatch Logs) and JSON strings, each layer bounded in depth, all
 * layers of one record together bounded in decompressed size.
 */

import { LIMITS } from '../limits.js';
import type { CanonicalEvent } from './canonical-event.js';
import {
  binaryLayer,
  type DecompressionBudget,
  deaggregate,
  gunzip,
  recordBudget,
  type Unwrapped,
  unzstd,
} from './decode/binary-layers.js';
import { splitJsonText } from './decode/json-text.js';
import { type ByteText, textFromBytes } from './decode/text-from-bytes.js';
import { parseXmlEvents } from './decode/xml-events.js';
import { readEvtxOutcomes } from './evtx/evtx-outcomes.js';
import type { Normalised } from './formats/build-event.js';
import { normaliseDocument } from './formats/index.js';
import { isObject } from './values.js';

/**
 * What became of one document. `invalidUtf8`: the document's bytes held invalid UTF-8 (or UTF-16), decoded as
 * U+FFFD. `truncatedFields`: EventData values cut to the field limit. Both are absent when not the case.
 */
export type RecordOutcome =
  | { kind: 'event'; event: CanonicalEvent; truncatedFields?: number; unnamedFields?: number; invalidUtf8?: true }
  | { kind: 'rejected'; reason: string; raw: Uint8Array; invalidUtf8?: true }
  | { kind: 'filtered'; reason: string; invalidUtf8?: true };

/** Most wrapping layers (compression, aggregation, envelope, JSON string) one document may sit under. */
export const MAX_LAYERS = 8;

const encoder = new TextEncoder();

/**
 * Where a rejected document's bytes come from: already bytes; a piece of a record's text, given back as its
 * original bytes; or text that never existed as bytes of its own (inside a JSON string), encoded only when
 * rejected.
 */
type Raw = Uint8Array | string | { source: ByteText; start: number; end: number };

function rawBytes(raw: Raw): Uint8Array {
  if (typeof raw === 'string') return encoder.encode(raw);
  if (raw instanceof Uint8Array) return raw;
  return raw.source.bytesOf(raw.start, raw.end);
}

function reject(out: RecordOutcome[], reason: string, raw: Raw): void {
  out.push({ kind: 'rejected', reason, raw: rawBytes(raw) });
}

function accept(out: RecordOutcome[], result: Normalised, raw: Raw): void {
  if (!result.ok) reject(out, result.error, raw);
  else {
    const event: RecordOutcome = { kind: 'event', event: result.value };
    if (result.truncatedFields !== undefined) event.truncatedFields = result.truncatedFields;
    if (result.unnamedFields !== undefined) event.unnamedFields = result.unnamedFields;
    out.push(event);
  }
}

/** Flags the outcomes from `from` on as decoded from invalid bytes. */
function markInvalid(out: RecordOutcome[], from: number): void {
  for (let i = from; i < out.length; i++) (out[i] as RecordOutcome).invalidUtf8 = true;
}

function readBytes(bytes: Uint8Array, depth: number, out: RecordOutcome[], budget: ReadBudget): void {
  if (bytes.length === 0) {
    reject(out, 'record empty', bytes);
    return;
  }
  const layer = binaryLayer(bytes);
  if (layer === undefined) {
    const source = textFromBytes(bytes);
    readText(source.text, depth, out, bytes, budget, source);
    return;
  }
  if (depth >= MAX_LAYERS) {
    reject(out, 'encoding nested too deeply', bytes);
    return;
  }
  if (layer === 'evtx') {
    readEvtxOutcomes(bytes, out, budget.documents);
    return;
  }
  let inner: Unwrapped;
  if (layer === 'gzip') inner = gunzip(bytes, budget);
  else if (layer === 'zstd') inner = unzstd(bytes, budget);
  else inner = deaggregate(bytes);
  if (!inner.ok) {
    reject(out, inner.error, bytes);
    return;
  }
  if (inner.value.length === 0) {
    reject(out, 'record empty', bytes);
    return;
  }
  for (const part of inner.value) readBytes(part, depth + 1, out, budget);
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) return c;
  }
  return -1;
}

function lastNonSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  }
  return -1;
}

/**
 * One text: XML, one JSON document, or several (split by lines and brackets). `source` is given when the text was
 * decoded from bytes: pieces are then rejected with their own original bytes, and flagged when those bytes were
 * invalid; a text read whole is one document, flagged as a whole.
 */
function readText(
  text: string,
  depth: number,
  out: RecordOutcome[],
  raw: Raw,
  budget: ReadBudget,
  source?: ByteText,
): void {
  const from = out.length;
  if (!readSplitText(text, depth, out, raw, budget, source) && source?.invalid) markInvalid(out, from);
}

/** Reads `text`; true when it was split into pieces (each already flagged), false when read whole. */
function readSplitText(
  text: string,
  depth: number,
  out: RecordOutcome[],
  raw: Raw,
  budget: ReadBudget,
  source?: ByteText,
): boolean {
  const first = firstNonSpace(text);
  if (first === -1) {
    reject(out, 'record empty', raw);
    return false;
  }
  if (first === 60 /* < */) {
    readXml(text, out, raw);
    return false;
  }
  // Fast path: the whole text is one JSON value (single event, or one pretty-printed document).
  let value: unknown;
  let parsed = false;
  // A newline before the last non-blank character means several lines: skip the whole-text attempt, whose
  // failure (after parsing the first document) would cost a parse and an exception per record.
  const newline = text.indexOf('\n');
  if (newline === -1 || newline > lastNonSpace(text)) {
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // not JSON, or several documents on one line: split below
    }
  }
  if (parsed) {
    readValue(value, depth, out, raw, budget);
    return false;
  }
  const pieces = splitJsonText(text, budget.documents);
  if (pieces.length === 1 && !pieces[0]?.ok) {
    reject(out, pieces[0]?.error ?? 'not JSON or XML', raw);
    return false;
  }
  for (const piece of pieces) {
    const mark = out.length;
    const pieceRaw: Raw = source === undefined ? piece.text : { source, start: piece.start, end: piece.end };
    if (piece.ok) readValue(piece.value, depth, out, pieceRaw, budget);
    else if (firstNonSpace(piece.text) === 60) readXml(piece.text, out, pieceRaw);
    else reject(out, piece.error, pieceRaw);
    if (source?.isInvalid(piece.start, piece.end)) markInvalid(out, mark);
  }
  return true;
}

function readXml(text: string, out: RecordOutcome[], raw: Raw): void {
  const events = parseXmlEvents(text);
  if (!events.ok) {
    reject(out, events.error, raw);
    return;
  }
  for (const element of events.value) {
    // The parser gives no positions, so one of several <Event>s is rejected as its element tree in JSON.
    accept(
      out,
      normaliseDocument({ Event: element }, 'xml'),
      events.value.length === 1 ? raw : JSON.stringify(element),
    );
  }
}

function readValue(value: unknown, depth: number, out: RecordOutcome[], raw: Raw, budget: ReadBudget): void {
  if (typeof value === 'string') {
    if (depth >= MAX_LAYERS) {
      reject(out, 'encoding nested too deeply', raw);
      return;
    }
    readText(value, depth + 1, out, raw, budget);
    return;
  }
  if (!isObject(value)) {
    reject(out, 'unknown event shape', raw);
    return;
  }
  if (typeof value.messageType === 'string' && value.logEvents !== undefined) {
    readCloudWatchEnvelope(value, depth, out, raw, budget);
    return;
  }
  accept(out, normaliseDocument(value, 'json'), raw);
}

/** A CloudWatch Logs subscription payload: each log event's message is a document of its own. */
function readCloudWatchEnvelope(
  envelope: Record<string, unknown>,
  depth: number,
  out: RecordOutcome[],
  raw: Raw,
  budget: ReadBudget,
) {
  if (envelope.messageType === 'CONTROL_MESSAGE') {
    out.push({ kind: 'filtered', reason: 'CloudWatch Logs control message' });
    return;
  }
  if (envelope.messageType !== 'DATA_MESSAGE') {
    reject(out, 'unknown CloudWatch Logs message type', raw);
    return;
  }
  const logEvents = envelope.logEvents;
  if (!Array.isArray(logEvents)) {
    reject(out, 'CloudWatch Logs logEvents is not a list', raw);
    return;
  }
  if (logEvents.length === 0) {
    out.push({ kind: 'filtered', reason: 'CloudWatch Logs envelope without log events' });
    return;
  }
  if (depth >= MAX_LAYERS) {
    reject(out, 'encoding nested too deeply', raw);
    return;
  }
  for (const logEvent of logEvents) {
    const message = isObject(logEvent) ? logEvent.message : undefined;
    if (typeof message !== 'string')
      reject(out, 'CloudWatch Logs event without message', JSON.stringify(logEvent) ?? '');
    else readText(message, depth + 1, out, message, budget);
  }
}

/**
 * Per-record limits (defaults: src/limits.ts). A Kinesis record is at most 1 MiB; `replay` reads a whole file as
 * one record and passes limits of its own.
 */
export interface RecordLimits {
  /** Decompressed bytes, all layers together. Default LIMITS.decompressedBytesPerRecord. */
  decompressedBytes?: number;
  /** Documents in one text. Default LIMITS.documentsPerRecord. */
  documents?: number;
}

/** The decompression budget and the document cap, carried down the layers of one record. */
interface ReadBudget extends DecompressionBudget {
  documents: number;
}

/**
 * Decode one Kinesis record and normalise every document in it. Never throws. Every document found in the
 * record yields exactly one outcome: an event, a rejection (with a short stable reason and the document's
 * bytes) or a filtered item (with its reason).
 */
export function readRecord(data: Uint8Array, limits: RecordLimits = {}): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  const budget: ReadBudget = {
    ...recordBudget(limits.decompressedBytes),
    documents: limits.documents ?? LIMITS.documentsPerRecord,
  };
  try {
    readBytes(data, 0, out, budget);
  } catch (error) {
    // Last resort for the "never throws" contract (e.g. a stack overflow inside a third-party parser): the
    // record is rejected as a whole, with what was already decoded discarded so nothing is counted twice.
    const reason = error instanceof RangeError ? 'document nested too deeply' : 'undecodable record';
    return [{ kind: 'rejected', reason, raw: data }];
  }
  return out;
}
