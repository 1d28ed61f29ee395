/**
 * JSON text: one document, or several (newline-delimited, concatenated, pretty-printed), split by lines and
 * brackets (json-text.ts). Pieces of a text decoded from bytes are rejected with their own original bytes; an XML
 * line among JSON lines is read as XML.
 */

import { type Piece, rejected, type TextPiece } from '../chain-piece.js';
import { splitJsonText } from '../json-text.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';

function lastNonSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  }
  return -1;
}

/** The text as one whole JSON value, when it is one; undefined when it is not (or may be several lines). */
function wholeValue(text: string): { value: unknown } | undefined {
  // A newline before the last non-blank character means several lines: skip the whole-text attempt, whose
  // failure (after parsing the first document) would cost a parse and an exception per record.
  const newline = text.indexOf('\n');
  if (newline !== -1 && newline <= lastNonSpace(text)) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined; // not JSON, or several documents on one line: split
  }
}

export const jsonDocuments: DocumentSyntaxReader = {
  name: 'json',
  recognises: () => true,
  read: (piece, budget) => {
    const { text, depth, raw, source } = piece;
    // Fast path: the whole text is one JSON value (single event, or one pretty-printed document).
    const whole = wholeValue(text);
    if (whole !== undefined) {
      return flagged([{ stage: 'document', value: whole.value, syntax: 'json', depth, raw }], source?.invalid);
    }
    const pieces = splitJsonText(text, budget.documents);
    if (pieces.length === 1 && !pieces[0]?.ok) {
      return flagged([rejected(pieces[0]?.error ?? 'not JSON or XML', raw)], source?.invalid);
    }
    const out: Piece[] = [];
    for (const part of pieces) {
      const partRaw: TextPiece['raw'] = source === undefined ? part.text : { source, start: part.start, end: part.end };
      let next: Piece;
      if (part.ok) next = { stage: 'document', value: part.value, syntax: 'json', depth, raw: partRaw };
      // An XML line among JSON lines: read by the XML syntax (it starts with '<').
      else if (firstNonSpace(part.text) === 60) next = { stage: 'text', text: part.text, depth, raw: partRaw };
      else next = rejected(part.error, partRaw);
      if (source?.isInvalid(part.start, part.end)) next.invalid = true;
      out.push(next);
    }
    return out;
  },
};

/** The UTF-16 code of the first non-blank character (a BOM is blank), or -1 when there is none. */
export function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) return c;
  }
  return -1;
}
