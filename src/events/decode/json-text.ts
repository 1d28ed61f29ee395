/**
 * Splitting text into JSON documents: newline-delimited JSON and concatenated (pretty-printed) JSON values,
 * with one result per document, including the pieces that are not JSON.
 */

/** One piece of the text: a parsed value, or the reason it is not one. */
export type JsonPiece = { ok: true; value: unknown; text: string } | { ok: false; error: string; text: string };

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

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB || c === 0xfeff;
}

/** Index just past the value starting at `start` (an object or array), or -1 when the text ends first. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function tryParse(text: string): JsonPiece {
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch {
    return { ok: false, error: 'not JSON or XML', text };
  }
}

/**
 * Every document in `text`. A line is tried as one document first (the newline-delimited case, fast); a value
 * spanning lines or sharing one is found by bracket matching. A line of anything else is one failed piece;
 * an unterminated object is 'truncated JSON'. Blank lines are not documents.
 */
export function splitJsonText(text: string): JsonPiece[] {
  const pieces: JsonPiece[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    let lineEnd = text.indexOf('\n', i);
    if (lineEnd === -1) lineEnd = text.length;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const line = tryParse(text.slice(i, lineEnd));
      if (line.ok) {
        pieces.push(line);
        i = lineEnd;
        continue;
      }
      const end = endOfValue(text, i);
      if (end === -1) {
        pieces.push({ ok: false, error: 'truncated JSON', text: text.slice(i) });
        break;
      }
      pieces.push(tryParse(text.slice(i, end)));
      i = end;
      continue;
    }
    pieces.push(
      c === QUOTE
        ? tryParse(text.slice(i, lineEnd))
        : { ok: false, error: 'not JSON or XML', text: text.slice(i, lineEnd) },
    );
    i = lineEnd;
  }
  return pieces;
}
