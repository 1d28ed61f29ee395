/**
 * The pipeline's entry point: one Kinesis record's bytes -> one outcome per document found in it. Decoding is by
 * content only, along the chain of decode/chain-piece.ts (docs/formats.md):
 *
 *   bytes -> binary layers (decode/binary/) -> text (decode/text-from-bytes.ts) -> documents (decode/documents/)
 *         -> envelopes (envelopes/) -> shipper formats (formats/) -> outcomes
 *
 * This file only drives pieces through the stages, depth first, so outcomes keep the order of the documents in
 * the record. Each wrapping layer is bounded in depth (MAX_LAYERS), all layers of one record together in
 * decompressed size and document count (RecordLimits).
 */

import { findBinaryLayer } from './decode/binary/index.js';
import {
  type BytesPiece,
  type ChainBudget,
  chainBudget,
  MAX_LAYERS,
  type Piece,
  type RecordOutcome,
  rejected,
  TOO_DEEP,
} from './decode/chain-piece.js';
import { readText } from './decode/documents/index.js';
import { readDocument } from './decode/read-document.js';
import { textFromBytes } from './decode/text-from-bytes.js';

export { MAX_LAYERS, type RecordOutcome } from './decode/chain-piece.js';

/** The bytes stage: a binary layer's content, or the bytes as text. */
function readBytes(piece: BytesPiece, budget: ChainBudget): Piece[] {
  const { bytes, depth } = piece;
  if (bytes.length === 0) return [rejected('record empty', bytes)];
  const layer = findBinaryLayer(bytes);
  if (layer === undefined) {
    const source = textFromBytes(bytes);
    return [{ stage: 'text', text: source.text, depth, raw: bytes, source }];
  }
  if (depth >= MAX_LAYERS) return [rejected(TOO_DEEP, bytes)];
  return layer.open(piece, budget);
}

function next(piece: Exclude<Piece, { stage: 'outcome' }>, budget: ChainBudget): Piece[] {
  switch (piece.stage) {
    case 'bytes':
      return readBytes(piece, budget);
    case 'text':
      return readText(piece, budget);
    case 'document':
      return readDocument(piece);
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

/**
 * Decode one Kinesis record and normalise every document in it. Never throws. Every document found in the
 * record yields exactly one outcome: an event, a rejection (with a short stable reason and the document's
 * bytes) or a filtered item (with its reason). The first outcome of a record holding an EVTX file carries the
 * file's checksum counts (`evtx`).
 */
export function readRecord(data: Uint8Array, limits: RecordLimits = {}): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  const budget = chainBudget(limits.decompressedBytes, limits.documents);
  // Pieces still to read, the next one last: children replace their parent in order.
  const stack: Piece[] = [{ stage: 'bytes', bytes: data, depth: 0 }];
  try {
    for (let piece = stack.pop(); piece !== undefined; piece = stack.pop()) {
      if (piece.stage === 'outcome') {
        if (piece.invalid) piece.outcome.invalidUtf8 = true;
        out.push(piece.outcome);
        continue;
      }
      const children = next(piece, budget);
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i] as Piece;
        if (piece.invalid) child.invalid = true;
        stack.push(child);
      }
    }
  } catch (error) {
    // Last resort for the "never throws" contract (e.g. a stack overflow inside a third-party parser): the
    // record is rejected as a whole, with what was already decoded discarded so nothing is counted twice.
    const reason = error instanceof RangeError ? 'document nested too deeply' : 'undecodable record';
    return [{ kind: 'rejected', reason, raw: data }];
  }
  // What the EVTX layer's checksums said, once per record (on its first outcome; an EVTX file always has one).
  if (budget.evtx !== undefined && out[0] !== undefined) out[0].evtx = budget.evtx;
  return out;
}
