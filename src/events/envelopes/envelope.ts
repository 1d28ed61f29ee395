/** The contract of an envelope (a JSON document that wraps others); see index.ts for the registry. */

import type { DocumentPiece, Piece } from '../decode/chain-piece.js';

export interface Envelope {
  name: string;
  /** Cheap shape test on the top-level keys of a JSON document. */
  recognises(document: Record<string, unknown>): boolean;
  /**
   * What the envelope holds, as the next pieces in order: texts or documents one layer deeper (rejected with
   * {@link TOO_DEEP} past MAX_LAYERS), filtered or rejected outcomes. Never throws.
   */
  open(document: Record<string, unknown>, piece: DocumentPiece): Piece[];
}
