import type { Unwrapped } from '../binary-layers.js';
import { type BytesPiece, type Piece, rejected } from '../chain-piece.js';

/** What a wrapping layer (gzip, zstd, KPL) gives on: its inner byte strings one layer deeper, or the rejection. */
export function unwrappedPieces(piece: BytesPiece, inner: Unwrapped): Piece[] {
  if (!inner.ok) return [rejected(inner.error, piece.bytes)];
  if (inner.value.length === 0) return [rejected('record empty', piece.bytes)];
  return inner.value.map((bytes) => ({ stage: 'bytes', bytes, depth: piece.depth + 1 }));
}
