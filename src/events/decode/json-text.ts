/**
 * Splitting text into JSON documents: newline-delimited JSON and concatenated (pretty-printed) JSON values,
 * with one result per document, including the pieces that are not JSON. Each piece knows where it lies in the
 * text, so the caller can give a rejected piece back as its exact original bytes.
 *
 * A line is the unit of damage: a broken document costs its own line(s), never the documents after it. So the
 * bracket matcher that finds values spanning lines stops where the value cannot go on: at a line feed inside a
 * string (JSON strings hold none), and at a line that cannot be inside it (see endsValue). One pass over the text,
 * whatever it holds.
 */

import { LIMITS } from '../../limits.js';

/** One piece of the text, `text.slice(start, end)`: a parsed value, or the reason it is not one. */
export type JsonPiece =
  | { ok: true; value: unknown; text: string; start: number; end: number }
  | { ok: false; error: string; text: string; start: number; end: number };

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const LESS_THAN = 60;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB || c === 0xfeff;
}

/** `end` moved back over blanks (a line's CR, trailing spaces, blank lines): they are not part of a document. */
function trimEnd(text: string, start: number, end: number): number {
  let at = end;
  while (at > start && isSpace(text.charCodeAt(at - 1))) at--;
  return at;
}

/**
 * Whether `text.slice(start, end)` (no blanks around it) could be one JSON value by its ends: an object ends with
 * `}`, an array with `]`, a string with a second `"`. A cut line seldom does, and JSON.parse's exception costs
 * microseconds: without this check a record of a million cut lines costs a million exceptions.
 */
function couldBeValue(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(end - 1);
  if (first === OPEN_BRACE) return last === CLOSE_BRACE;
  if (first === OPEN_BRACKET) return last === CLOSE_BRACKET;
  if (first === QUOTE) return last === QUOTE && end - start >= 2;
  return true;
}

function tryParse(text: string, start: number, end: number): JsonPiece {
  const piece = text.slice(start, end);
  if (!couldBeValue(text, start, end)) return { ok: false, error: 'not JSON or XML', text: piece, start, end };
  try {
    return { ok: true, value: JSON.parse(piece), text: piece, start, end };
  } catch {
    return { ok: false, error: 'not JSON or XML', text: piece, start, end };
  }
}

function failed(error: string, text: string, start: number, end: number): JsonPiece {
  return { ok: false, error, text: text.slice(start, end), start, end };
}

/**
 * Whether the line starting at `at` ends a value open before it. Pretty printers put a value's first line as the
 * bracket alone and indent what is inside, so for such a value (`compact` false) only a line that could not be
 * inside it ends it: one starting in column 0 with `<` (XML, which JSON outside a string cannot hold) or a whole
 * JSON object on its own line (a newline-delimited document). A value whose first line holds more than its bracket
 * is a cut newline-delimited line: any line starting in column 0 with `{`, `[` or `<` ends it.
 */
function endsValue(text: string, at: number, compact: boolean): boolean {
  const c = text.charCodeAt(at);
  if (c === LESS_THAN) return true;
  if (compact) return c === OPEN_BRACE || c === OPEN_BRACKET;
  if (c !== OPEN_BRACE) return false;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd === -1) lineEnd = text.length;
  const end = trimEnd(text, at, lineEnd);
  if (text.charCodeAt(end - 1) !== CLOSE_BRACE) return false; // cheap: a pretty-printed first line ends with `{`
  try {
    JSON.parse(text.slice(at, end));
    return true;
  } catch {
    return false;
  }
}

/** Where the value starting at `start` (an object or array) closes, or where it is cut off. */
type Scan = { closed: true; end: number } | { closed: false; stop: number };

function scanValue(text: string, start: number, compact: boolean): Scan {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) {
        if (text.charCodeAt(i + 1) === LF) return { closed: false, stop: i + 1 };
        i++;
      } else if (c === QUOTE) inString = false;
      else if (c === LF) return { closed: false, stop: i };
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return { closed: true, end: i + 1 };
    } else if (c === LF && endsValue(text, i + 1, compact)) return { closed: false, stop: i };
  }
  return { closed: false, stop: text.length };
}

/**
 * Every document in `text`, in order. A line is tried as one document first (the newline-delimited case, fast);
 * a value spanning lines or sharing one is found by bracket matching. A line of anything else is one failed
 * piece ('not JSON or XML'); a value cut off (by the end of the text, a line feed inside a string, or the next
 * document line) is 'truncated JSON', and reading goes on after it. Blank lines are not documents; pieces exclude
 * the blanks around them. Linear in the length of the text: no character is scanned by two bracket matches.
 */
export function splitJsonText(text: string, maxDocuments: number = LIMITS.documentsPerRecord): JsonPiece[] {
  const pieces: JsonPiece[] = [];
  let i = 0;
  // Whether `i` is the first non-blank of its line. After a value that ended inside a line (concatenated on one
  // line) the rest of the line is not tried as one document: that would parse the line again for every value.
  let lineStart = true;
  // The end of the line `i` is on, and of its content, found once per line (not once per value: a line may
  // hold thousands).
  let lineEnd = -1;
  let contentEnd = -1;
  while (i < text.length) {
    if (pieces.length >= maxDocuments) {
      // Each bad piece costs a parse: a record of a million tiny bad lines must not take minutes (and time out its
      // batch forever). The rest is rejected as one piece, with its bytes.
      const rest = failed('too many documents in one record', text, i, text.length);
      pieces.push(rest);
      break;
    }
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === LF) lineStart = true;
      i++;
      continue;
    }
    if (lineEnd < i) {
      lineEnd = text.indexOf('\n', i);
      if (lineEnd === -1) lineEnd = text.length;
      contentEnd = trimEnd(text, i, lineEnd);
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (lineStart) {
        const line = tryParse(text, i, contentEnd);
        if (line.ok) {
          pieces.push(line);
          i = lineEnd;
          continue;
        }
      }
      const scan = scanValue(text, i, contentEnd > i + 1);
      if (!scan.closed) {
        pieces.push(failed('truncated JSON', text, i, trimEnd(text, i, scan.stop)));
        i = scan.stop;
        continue;
      }
      // A value that is the whole line was just tried as the line: do not pay its exception twice.
      const value =
        lineStart && scan.end === contentEnd
          ? failed('not JSON or XML', text, i, scan.end)
          : tryParse(text, i, scan.end);
      if (value.ok) {
        pieces.push(value);
        i = scan.end;
        lineStart = false;
        continue;
      }
      // Balanced but not JSON: within one line the whole line is the damage (its rest is no document either);
      // a value spanning lines is rejected as the span it covers.
      const end = scan.end <= lineEnd ? contentEnd : scan.end;
      pieces.push(failed('not JSON or XML', text, i, end));
      i = end;
      lineStart = false;
      continue;
    }
    pieces.push(c === QUOTE ? tryParse(text, i, contentEnd) : failed('not JSON or XML', text, i, contentEnd));
    i = lineEnd;
  }
  return pieces;
}
