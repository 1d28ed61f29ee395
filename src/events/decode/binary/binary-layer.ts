/** The contract of a binary layer (magic bytes -> inner pieces); see index.ts for the registry. */

import type { Layer } from '../binary-layers.js';
import type { BytesPiece, ChainBudget, Piece } from '../chain-piece.js';

export interface BinaryLayer {
  name: Layer;
  /** Whether the bytes start with this layer's magic (cheap: a few bytes). */
  matches(bytes: Uint8Array): boolean;
  /**
   * The layer's content as the next pieces, in order: bytes one layer deeper (compression, aggregation), or
   * documents (EVTX); a rejection of the whole when the layer is damaged. Never throws.
   */
  open(piece: BytesPiece, budget: ChainBudget): Piece[];
}
