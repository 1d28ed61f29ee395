/**
 * What flows along the decoding chain (docs/formats.md): a record's bytes become pieces, each at one stage
 *
 *   bytes -> (binary layers: gzip, zstd, KPL, EVTX) -> text -> (document syntaxes: XML, JSON) -> document
 *         -> (envelopes: CloudWatch Logs, Splunk HEC) -> (shipper formats) -> outcome
 *
 * Each stage has its registry and turns one piece into the next stage's pieces, in order. A wrapper's content
 * goes on at the stage its content belongs to (a gzip's bytes, an envelope's message text, a JSON string's
 * text), one layer deeper; read-record.ts drives the pieces through the stages.
 */

import { LIMITS } from '../../limits.js';
import type { CanonicalEvent } from '../canonical-event.js';
import type { EvtxChecksums } from '../evtx/index.js';
import type { Normalised } from '../formats/build-event.js';
import type { DocumentSyntax } from '../formats/shipper-format.js';
import { type DecompressionBudget, recordBudget } from './binary-layers.js';
import type { ByteText } from './text-from-bytes.js';

/**
 * What became of one document. `invalidUtf8`: the document's bytes held invalid UTF-8 (or UTF-16), decoded as
 * U+FFFD. `truncatedFields`: EventData values cut to the field limit. Both are absent when not the case. `evtx`:
 * on the first outcome of a record holding an EVTX file only, what its checksums said (read-record.ts).
 */
export type RecordOutcome = (
  | { kind: 'event'; event: CanonicalEvent; truncatedFields?: number; unnamedFields?: number; invalidUtf8?: true }
  | { kind: 'rejected'; reason: string; raw: Uint8Array; invalidUtf8?: true }
  | { kind: 'filtered'; reason: string; invalidUtf8?: true }
) & { evtx?: EvtxChecksums };

/** Most wrapping layers (compression, aggregation, envelope, JSON string) one document may sit under. */
export const MAX_LAYERS = 8;

/** The reason a piece under more than {@link MAX_LAYERS} layers is rejected with. */
export const TOO_DEEP = 'encoding nested too deeply';

/**
 * Where a rejected document's bytes come from: already bytes; a piece of a record's text, given back as its
 * original bytes; or text that never existed as bytes of its own (inside a JSON string), encoded only when
 * rejected.
 */
export type Raw = Uint8Array | string | { source: ByteText; start: number; end: number };

/** One piece of a record at one stage of the chain. `invalid`: decoded from invalid bytes (flags its outcomes). */
export type Piece = (
  | { stage: 'bytes'; bytes: Uint8Array; depth: number }
  | { stage: 'text'; text: string; depth: number; raw: Raw; source?: ByteText }
  | { stage: 'document'; value: unknown; syntax: DocumentSyntax; depth: number; raw: Raw }
  | { stage: 'outcome'; outcome: RecordOutcome }
) & { invalid?: boolean };

export type BytesPiece = Extract<Piece, { stage: 'bytes' }>;
export type TextPiece = Extract<Piece, { stage: 'text' }>;
export type DocumentPiece = Extract<Piece, { stage: 'document' }>;

/** The decompression budget and the document cap of one record, shared by every layer of it. */
export interface ChainBudget extends DecompressionBudget {
  documents: number;
  /** What the EVTX layer's checksums said in this record (made by the layer when it reads one). */
  evtx?: EvtxChecksums;
}

/** A fresh budget for one record (defaults: src/limits.ts). */
export function chainBudget(decompressedBytes?: number, documents?: number): ChainBudget {
  return { ...recordBudget(decompressedBytes), documents: documents ?? LIMITS.documentsPerRecord };
}

const encoder = new TextEncoder();

function rawBytes(raw: Raw): Uint8Array {
  if (typeof raw === 'string') return encoder.encode(raw);
  if (raw instanceof Uint8Array) return raw;
  return raw.source.bytesOf(raw.start, raw.end);
}

/** A rejection outcome, with the document's bytes. */
export function rejected(reason: string, raw: Raw): Piece {
  return { stage: 'outcome', outcome: { kind: 'rejected', reason, raw: rawBytes(raw) } };
}

/** A filtered outcome (nothing to read, on purpose: a control message, an empty log). */
export function filtered(reason: string): Piece {
  return { stage: 'outcome', outcome: { kind: 'filtered', reason } };
}

/** The outcome of a normalised document: its event, or its rejection. */
export function normalised(result: Normalised, raw: Raw): Piece {
  if (!result.ok) return rejected(result.error, raw);
  const outcome: RecordOutcome = { kind: 'event', event: result.value };
  if (result.truncatedFields !== undefined) outcome.truncatedFields = result.truncatedFields;
  if (result.unnamedFields !== undefined) outcome.unnamedFields = result.unnamedFields;
  return { stage: 'outcome', outcome };
}
