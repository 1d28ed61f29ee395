/**
 * The document stage: a document is a JSON string (its text goes on one layer deeper), an envelope (its
 * contents go on), or an event of a shipper format (its outcome).
 */

import { findEnvelope } from '../envelopes/index.js';
import { normaliseDocument } from '../formats/index.js';
import { isObject } from '../values.js';
import { type DocumentPiece, MAX_LAYERS, normalised, type Piece, rejected, TOO_DEEP } from './chain-piece.js';

/** One document's next pieces. */
export function readDocument(piece: DocumentPiece): Piece[] {
  const { value, raw, depth } = piece;
  if (typeof value === 'string') {
    if (depth >= MAX_LAYERS) return [rejected(TOO_DEEP, raw)];
    return [{ stage: 'text', text: value, depth: depth + 1, raw }];
  }
  if (!isObject(value)) return [rejected('unknown event shape', raw)];
  if (piece.syntax === 'json') {
    const envelope = findEnvelope(value);
    if (envelope !== undefined) return envelope.open(value, piece);
  }
  return [normalised(normaliseDocument(value, piece.syntax), raw)];
}
