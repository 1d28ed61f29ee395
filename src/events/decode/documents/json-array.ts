/**
 * A top-level JSON array of events (`[{...},{...}]`: `ConvertTo-Json`, a log shipper's batch file), read as a
 * list of documents, one per element, so a bad element costs only itself. The elements are found by one cheap scan
 * (strings with their escapes, brackets), never by parsing the whole array; the JSON reader (json.ts) parses each
 * element on its own, and replay (cli/replay/record-chunks.ts) cuts a long array between two elements with the
 * same scanner, so a text read in pieces gives the elements of the whole text.
 *
 * An element ends at the next comma or bracket that closes the array, both outside strings and nested values. So
 * that a damaged element (cut short, a bracket missing) does not swallow the ones after it: a line feed inside a
 * string ends the string (JSON strings hold none) and makes the element truncated; and a line whose first
 * character is `{`, in a column no deeper than the first character of the open element (when that began its
 * line), while the element is still open, starts a new element (pretty printers indent what is inside an element
 * deeper than the element itself), the open one being truncated.
 *
 * The scanner is incremental and reacts only to ASCII characters, so it gives the same elements for UTF-8 bytes
 * read as latin1 (one character per byte) as for their decoded text, positions aside.
 */

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;

function isBlank(c: number): boolean {
  return c === 0x20 || c === LF || c === 0x0d || c === 0x09;
}

/**
 * One element, units `[start, end)` of the whole text (its first to its last non-blank character). `by`: what
 * ended it: a comma, the array's closing bracket, a new element's line, or the end of the text.
 */
export interface JsonArrayItem {
  kind: 'element' | 'truncated';
  start: number;
  end: number;
  by: 'comma' | 'close' | 'line' | 'end';
}

/**
 * Finds the elements of a top-level JSON array given in consecutive parts. `scan(text, base, final)`: `text`
 * holds the units from `base` on, `base` at most {@link JsonArrayScanner.resume}; `final`: the text ends with it.
 * Everything before the first `[` is skipped (the caller knows it is blank).
 */
export class JsonArrayScanner {
  readonly items: JsonArrayItem[] = [];
  /** Where the next scan starts. */
  resume = 0;
  /** The index past the bracket that closed the array, or -1 while it is open. */
  closedAt = -1;
  /** The first character of the first element (-1: none yet). */
  firstChar = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private broken = false;
  private elementStart = -1;
  private elementEnd = -1;
  private elementIndent = -1;
  private lineStart = 0;
  private lineBlank = true;

  /** The start of the element begun and not ended yet, or -1. */
  get openElement(): number {
    return this.elementStart;
  }

  scan(text: string, base: number, final: boolean): void {
    let i = this.resume - base;
    const end = text.length;
    for (; i < end && this.closedAt === -1; i++) {
      const c = text.charCodeAt(i);
      if (this.depth === 0) {
        if (c === OPEN_BRACKET) this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (c === LF) {
          this.inString = false;
          this.escaped = false;
          this.broken = true;
          this.newLine(base + i + 1);
        } else if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        if (c !== LF) this.elementEnd = base + i + 1;
        continue;
      }
      if (isBlank(c)) {
        if (c === LF) this.newLine(base + i + 1);
        continue;
      }
      const at = base + i;
      const column = this.lineBlank ? at - this.lineStart : -1;
      this.lineBlank = false;
      if (
        c === OPEN_BRACE &&
        this.depth > 1 &&
        column !== -1 &&
        this.elementIndent !== -1 &&
        column <= this.elementIndent
      ) {
        this.end('truncated', 'line');
        this.depth = 1;
      }
      if (this.depth === 1 && c === COMMA) {
        this.end(this.broken ? 'truncated' : 'element', 'comma');
        continue;
      }
      if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && this.depth === 1) {
        this.end(this.broken ? 'truncated' : 'element', 'close');
        this.depth = 0;
        this.closedAt = at + 1;
        continue;
      }
      if (this.elementStart === -1) {
        this.elementStart = at;
        this.elementIndent = column;
        if (this.firstChar === -1) this.firstChar = c;
      }
      this.elementEnd = at + 1;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.depth--;
    }
    this.resume = base + i;
    if (final && this.closedAt === -1 && this.elementStart !== -1) {
      this.end(this.depth > 1 || this.inString || this.broken ? 'truncated' : 'element', 'end');
    }
  }

  private newLine(at: number): void {
    this.lineStart = at;
    this.lineBlank = true;
  }

  /** Ends the open element, if any (blanks between commas are no element). */
  private end(kind: JsonArrayItem['kind'], by: JsonArrayItem['by']): void {
    if (this.elementStart !== -1) this.items.push({ kind, start: this.elementStart, end: this.elementEnd, by });
    this.elementStart = -1;
    this.elementIndent = -1;
    this.broken = false;
  }
}

/**
 * The elements of `text`, a top-level array, when its first element is an object (an array of events); undefined
 * otherwise (an empty array, an array of numbers...), which the reader takes as one document, as before. `rest`:
 * where the text goes on after the array (its closing bracket), or the text's length.
 */
export function jsonArrayElements(text: string): { items: JsonArrayItem[]; rest: number } | undefined {
  const scanner = new JsonArrayScanner();
  scanner.scan(text, 0, true);
  if (scanner.firstChar !== OPEN_BRACE) return undefined;
  return { items: scanner.items, rest: scanner.closedAt === -1 ? text.length : scanner.closedAt };
}
