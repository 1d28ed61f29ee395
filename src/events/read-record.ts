/**
 * The pipeline's entry point: one Kinesis record's bytes -> one outcome per document found in it.
 * Decoding is by content only: magic bytes (gzip, zstd, KPL), then text (JSON, newline-delimited or
 * concatenated JSON, XML), then envelopes (CloudWatch Logs) and JSON strings, each layer bounded in depth.
 */

import type { CanonicalEvent } from './canonical-event.js';
import { binaryLayer, deaggregate, gunzip, type Unwrapped, unzstd } from './decode/binary-layers.js';
import { splitJsonText } from './decode/json-text.js';
import { parseXmlEvents } from './decode/xml-events.js';
import { normaliseDocument } from './formats/index.js';
import { isObject } from './values.js';

export type RecordOutcome =
  | { kind: 'event'; event: CanonicalEvent }
  | { kind: 'rejected'; reason: string; raw: Uint8Array }
  | { kind: 'filtered'; reason: string };

/** Most wrapping layers (compression, aggregation, envelope, JSON string) one document may sit under. */
export const MAX_LAYERS = 8;

const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');
const encoder = new TextEncoder();

/** Where a rejected document's bytes come from: already bytes, or text to encode only when rejected. */
type Raw = Uint8Array | string;

function reject(out: RecordOutcome[], reason: string, raw: Raw): void {
  out.push({ kind: 'rejected', reason, raw: typeof raw === 'string' ? encoder.encode(raw) : raw });
}

function bytesToText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8.decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16.decode(bytes.subarray(2));
  return utf8.decode(bytes);
}

function readBytes(bytes: Uint8Array, depth: number, out: RecordOutcome[]): void {
  if (bytes.length === 0) {
    reject(out, 'record empty', bytes);
    return;
  }
  const layer = binaryLayer(bytes);
  if (layer === undefined) {
    readText(bytesToText(bytes), depth, out, bytes);
    return;
  }
  if (depth >= MAX_LAYERS) {
    reject(out, 'encoding nested too deeply', bytes);
    return;
  }
  let inner: Unwrapped;
  if (layer === 'gzip') inner = gunzip(bytes);
  else if (layer === 'zstd') inner = unzstd(bytes);
  else inner = deaggregate(bytes);
  if (!inner.ok) {
    reject(out, inner.error, bytes);
    return;
  }
  if (inner.value.length === 0) {
    reject(out, 'record empty', bytes);
    return;
  }
  for (const part of inner.value) readBytes(part, depth + 1, out);
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

function readText(text: string, depth: number, out: RecordOutcome[], raw: Raw): void {
  const first = firstNonSpace(text);
  if (first === -1) {
    reject(out, 'record empty', raw);
    return;
  }
  if (first === 60 /* < */) {
    readXml(text, out, raw);
    return;
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
    readValue(value, depth, out, raw);
    return;
  }
  const pieces = splitJsonText(text);
  if (pieces.length === 1 && !pieces[0]?.ok) {
    reject(out, pieces[0]?.error ?? 'not JSON or XML', raw);
    return;
  }
  for (const piece of pieces) {
    if (piece.ok) readValue(piece.value, depth, out, piece.text);
    else if (firstNonSpace(piece.text) === 60) readXml(piece.text, out, piece.text);
    else reject(out, piece.error, piece.text);
  }
}

function readXml(text: string, out: RecordOutcome[], raw: Raw): void {
  const events = parseXmlEvents(text);
  if (!events.ok) {
    reject(out, events.error, raw);
    return;
  }
  for (const element of events.value) {
    const result = normaliseDocument({ Event: element }, 'xml');
    if (result.ok) out.push({ kind: 'event', event: result.value });
    else reject(out, result.error, events.value.length === 1 ? raw : JSON.stringify(element));
  }
}

function readValue(value: unknown, depth: number, out: RecordOutcome[], raw: Raw): void {
  if (typeof value === 'string') {
    if (depth >= MAX_LAYERS) {
      reject(out, 'encoding nested too deeply', raw);
      return;
    }
    readText(value, depth + 1, out, raw);
    return;
  }
  if (!isObject(value)) {
    reject(out, 'unknown event shape', raw);
    return;
  }
  if (typeof value.messageType === 'string' && value.logEvents !== undefined) {
    readCloudWatchEnvelope(value, depth, out, raw);
    return;
  }
  const result = normaliseDocument(value, 'json');
  if (result.ok) out.push({ kind: 'event', event: result.value });
  else reject(out, result.error, raw);
}

/** A CloudWatch Logs subscription payload: each log event's message is a document of its own. */
function readCloudWatchEnvelope(envelope: Record<string, unknown>, depth: number, out: RecordOutcome[], raw: Raw) {
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
    else readText(message, depth + 1, out, message);
  }
}

/**
 * Decode one Kinesis record and normalise every document in it. Never throws. Every document found in the
 * record yields exactly one outcome: an event, a rejection (with a short stable reason and the document's
 * bytes) or a filtered item (with its reason).
 */
export function readRecord(data: Uint8Array): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  try {
    readBytes(data, 0, out);
  } catch (error) {
    // Last resort for the "never throws" contract (e.g. a stack overflow inside a third-party parser): the
    // record is rejected as a whole, with what was already decoded discarded so nothing is counted twice.
    const reason = error instanceof RangeError ? 'document nested too deeply' : 'undecodable record';
    return [{ kind: 'rejected', reason, raw: data }];
  }
  return out;
}
