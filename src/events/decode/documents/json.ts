/**
 * JSON text: one document, or several (newline-delimited, concatenated, pretty-printed), split by lines and
 * brackets (json-text.ts), or a top-level array of events, one document per element (json-array.ts). Pieces of a
 * text decoded from bytes are rejected with their own original bytes; an XML line among JSON lines is read as XML.
 */

import { type ChainBudget, type Piece, rejected, type TextPiece } from '../chain-piece.js';
import { type JsonPiece, splitJsonText } from '../json-text.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';
import { type JsonArrayItem, jsonArrayElements } from './json-array.js';

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
    if (firstNonSpace(text) === OPEN_BRACKET) {
      const array = jsonArrayElements(text);
      if (array !== undefined) return arrayDocuments(piece, budget, array.items, array.rest);
    }
    // Fast path: the whole text is one JSON value (single event, or one pretty-printed document).
    const whole = wholeValue(text);
    if (whole !== undefined) {
      return flagged([{ stage: 'document', value: whole.value, syntax: 'json', depth, raw }], source?.invalid);
    }
    const pieces = splitJsonText(text, budget.documents);
    if (pieces.length === 1 && !pieces[0]?.ok) {
      return flagged([rejected(pieces[0]?.error ?? 'not JSON or XML', raw)], source?.invalid);
    }
    return splitPieces(piece, pieces, 0);
  },
};

const OPEN_BRACKET = 0x5b;

/** The documents of split JSON text (`pieces` of `piece.text` from `offset` on), each with its own bytes. */
function splitPieces(piece: TextPiece, pieces: readonly JsonPiece[], offset: number): Piece[] {
  const { depth, source } = piece;
  const out: Piece[] = [];
  for (const part of pieces) {
    const start = part.start + offset;
    const end = part.end + offset;
    const partRaw: TextPiece['raw'] = source === undefined ? part.text : { source, start, end };
    let next: Piece;
    if (part.ok) next = { stage: 'document', value: part.value, syntax: 'json', depth, raw: partRaw };
    // An XML line among JSON lines: read by the XML syntax (it starts with '<').
    else if (firstNonSpace(part.text) === 60) next = { stage: 'text', text: part.text, depth, raw: partRaw };
    else next = rejected(part.error, partRaw);
    if (source?.isInvalid(start, end)) next.invalid = true;
    out.push(next);
  }
  return out;
}

/**
 * A top-level array's elements, one document each (a bad one rejected alone, with its own bytes), then what
 * follows the array, split as any JSON text. More elements than the record's document cap: the rest is rejected
 * as one piece, as the splitter does.
 */
function arrayDocuments(piece: TextPiece, budget: ChainBudget, items: readonly JsonArrayItem[], rest: number): Piece[] {
  const { text, depth, source } = piece;
  const rawOf = (start: number, end: number): TextPiece['raw'] =>
    source === undefined ? text.slice(start, end) : { source, start, end };
  const out: Piece[] = [];
  for (const item of items) {
    let next: Piece;
    if (out.length >= budget.documents) {
      const tooMany = rejected('too many documents in one record', rawOf(item.start, text.length));
      if (source?.isInvalid(item.start, text.length)) tooMany.invalid = true;
      out.push(tooMany);
      return out;
    }
    if (item.kind === 'truncated') next = rejected('truncated JSON', rawOf(item.start, item.end));
    else {
      try {
        const value: unknown = JSON.parse(text.slice(item.start, item.end));
        next = { stage: 'document', value, syntax: 'json', depth, raw: rawOf(item.start, item.end) };
      } catch {
        next = rejected('not JSON or XML', rawOf(item.start, item.end));
      }
    }
    if (source?.isInvalid(item.start, item.end)) next.invalid = true;
    out.push(next);
  }
  if (firstNonSpace(text.slice(rest)) !== -1) out.push(...splitPieces(piece, splitJsonText(text.slice(rest)), rest));
  return out;
}

/** The UTF-16 code of the first non-blank character (a BOM is blank), or -1 when there is none. */
export function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) return c;
  }
  return -1;
}
