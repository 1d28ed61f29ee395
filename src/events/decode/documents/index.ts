/**
 * The document syntax registry: a text is read by the first syntax that recognises its first non-blank character
 * (XML at `<`, else JSON). How to add one: docs/formats.md.
 */

import { type ChainBudget, type Piece, rejected, type TextPiece } from '../chain-piece.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';
import { firstNonSpace, jsonDocuments } from './json.js';
import { xmlDocuments } from './xml.js';

export type { DocumentSyntaxReader } from './document-syntax.js';

export const DOCUMENT_SYNTAXES: readonly DocumentSyntaxReader[] = [xmlDocuments, jsonDocuments];

/** The text stage: a text's documents (or its rejection) as the next pieces. */
export function readText(piece: TextPiece, budget: ChainBudget): Piece[] {
  const first = firstNonSpace(piece.text);
  if (first === -1) return flagged([rejected('record empty', piece.raw)], piece.source?.invalid);
  for (const syntax of DOCUMENT_SYNTAXES) if (syntax.recognises(first)) return syntax.read(piece, budget);
  return flagged([rejected('not JSON or XML', piece.raw)], piece.source?.invalid);
}
