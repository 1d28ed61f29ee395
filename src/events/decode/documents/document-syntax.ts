/** The contract of a document syntax (text -> documents); see index.ts for the registry. */

import type { ChainBudget, Piece, TextPiece } from '../chain-piece.js';

export interface DocumentSyntaxReader {
  name: string;
  /** Whether a text whose first non-blank character has this UTF-16 code is in this syntax. */
  recognises(firstChar: number): boolean;
  /**
   * The text's documents (or its rejection) as the next pieces, in order. Each piece the reader gives is flagged
   * `invalid` when the bytes it came from were (the whole text's flag when read whole, a piece's own when split).
   */
  read(piece: TextPiece, budget: ChainBudget): Piece[];
}

/** Flags the pieces as decoded from invalid bytes when `invalid`. */
export function flagged(pieces: Piece[], invalid: boolean | undefined): Piece[] {
  if (invalid) for (const piece of pieces) piece.invalid = true;
  return pieces;
}
