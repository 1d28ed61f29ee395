/**
 * The items of an XML text of Windows events (wevtutil / Get-WinEvent exports: `<Event>` elements one after
 * another, or inside `<Events>`), found by one cheap scan and never by the parser: each `<Event>..</Event>` span,
 * each `<Event>` cut short (truncated), each stretch of other text between them (stray). The XML reader
 * (documents/xml.ts) parses each event span on its own, and replay (cli/replay/record-chunks.ts) cuts a long text
 * right after an event span; both use this scanner, so a text read in pieces gives the items of the whole text.
 *
 * The scan follows comments, CDATA sections, processing instructions, a DOCTYPE (with an internal subset) and tags
 * with quoted attribute values (a `>` in quotes does not end a tag; a `<` in a tag, quoted or not, is not XML and
 * ends it as malformed). Inside an event it looks only for the first `</Event>` end tag (any namespace prefix) and
 * for a new `<Event` start tag, which ends the open event as truncated: an unclosed element never swallows the
 * events after it. Outside events, at the top level or inside one `<Events>` wrapper:
 * - blanks, comments, processing instructions, a DOCTYPE: the frame, no item;
 * - `<Events ...>` at the top level opens the wrapper, `</Events>` in it closes it (no item);
 * - anything else (text, CDATA, other elements' tags, a stray `</Event>`, markup cut short at the end): the
 *   stretch from the end of the last event or wrapper tag to the next one is one stray item, blanks included.
 *
 * The scanner is incremental: `scan` goes on where it stopped (at the start of markup not yet all in hand). It
 * reacts only to ASCII characters and treats every other one alike, so it gives the same items for UTF-8 bytes
 * read as latin1 (one character per byte) as for their decoded text, positions aside.
 */

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const COLON = 0x3a;

/** One item of the text: units `[start, end)` (code units of the whole text, counted from its first one). */
export type XmlItem =
  /** `<Event ...>` to its `</Event>` (or one `<Event/>`); `wrapper`: the open `<Events>`'s name, if any. */
  | { kind: 'event'; start: number; end: number; wrapper: string | undefined }
  /** An `<Event>` without an end tag: from its start tag to the next `<Event` or the end of the text. */
  | { kind: 'truncated'; start: number; end: number }
  /** Text outside any event that is not the frame. */
  | { kind: 'stray'; start: number; end: number };

/** The reason a truncated event is rejected with. */
export const TRUNCATED_EVENT = 'truncated <Event> (no end tag)';

/** The reason stray text is rejected with. */
export const STRAY_TEXT = 'text outside any <Event>';

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Whether `c` may start a tag name (ASCII letter, `_`, `:`, or any non-ASCII character). */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === COLON || c >= 0x80;
}

/** The end of a tag's name starting at `from`: the first blank, `/`, `>` or `<`, or `end`. */
function nameEnd(text: string, from: number, end: number): number {
  let i = from;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isBlank(c) || c === SLASH || c === GT || c === LT) break;
  }
  return i;
}

/** Whether the name `text[from, to)` has the local part `local` (after any namespace prefix). */
function localIs(text: string, from: number, to: number, local: string): boolean {
  const start = to - local.length;
  return start >= from && text.startsWith(local, start) && (start === from || text.charCodeAt(start - 1) === COLON);
}

const INCOMPLETE = -1;

/**
 * The index past the `>` ending the tag whose name ends at `from`, skipping quoted attribute values;
 * {@link INCOMPLETE} when it is not all in hand; `-2 - i` when a `<` at `i` comes first (malformed).
 */
function tagEnd(text: string, from: number, end: number): number {
  let quote = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === LT) return -2 - i;
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === GT) return i + 1;
    else if (c === QUOTE || c === APOSTROPHE) quote = c;
  }
  return INCOMPLETE;
}

/** The index past `terminator` found at or after `from`, or {@link INCOMPLETE}. */
function past(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? INCOMPLETE : at + terminator.length;
}

/**
 * The end of the `<!` or `<?` markup at `lt` (a comment, CDATA, a DOCTYPE with its internal subset, a processing
 * instruction), {@link INCOMPLETE} when not all in hand; `cdata` tells whether it was a CDATA section.
 */
function declarationEnd(text: string, lt: number, end: number): { end: number; cdata: boolean } {
  const next = text.charCodeAt(lt + 1);
  if (next === QUESTION) return { end: past(text, lt + 2, '?>'), cdata: false };
  if (lt + 4 > end) return { end: INCOMPLETE, cdata: false };
  if (text.startsWith('<!--', lt)) return { end: past(text, lt + 4, '-->'), cdata: false };
  if (lt + 9 > end && '<![CDATA['.startsWith(text.slice(lt, end))) return { end: INCOMPLETE, cdata: false };
  if (text.startsWith('<![CDATA[', lt)) return { end: past(text, lt + 9, ']]>'), cdata: true };
  let square = false;
  for (let i = lt + 2; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_SQUARE) square = true;
    else if (c === CLOSE_SQUARE) square = false;
    else if (c === GT && !square) return { end: i + 1, cdata: false };
  }
  return { end: INCOMPLETE, cdata: false };
}

/**
 * Finds the items of a text given in consecutive parts. `scan(text, base, final)`: `text` holds the units from
 * `base` on, where `base` is at most {@link XmlItemScanner.resume} (the units before it were scanned already);
 * `final`: the text ends with it. Items are appended to {@link XmlItemScanner.items} as they are complete.
 */
export class XmlItemScanner {
  /** The items found so far (the caller may remove the ones it has taken). */
  readonly items: XmlItem[] = [];
  /** Where the next scan starts: the units before it are done with. */
  resume = 0;
  /** The open `<Events>` wrapper's qualified name. */
  private wrapper: string | undefined;
  /** The start of the open event, or -1. */
  private eventStart = -1;
  /** Where the stretch between events started, and whether it holds stray text yet. */
  private segmentStart = 0;
  private segmentStray = false;

  /** Whether an item has begun that is not in {@link items} yet (an open event, or stray text). */
  get pending(): boolean {
    return this.eventStart >= 0 || this.segmentStray;
  }

  scan(text: string, base: number, final: boolean): void {
    const end = text.length;
    let i = this.resume - base;
    while (i < end) {
      const next = this.eventStart >= 0 ? this.inEvent(text, base, i, end) : this.outside(text, base, i, end);
      if (next === INCOMPLETE) break;
      i = next;
    }
    if (i > end) i = end;
    this.resume = base + i;
    if (!final) return;
    // The text ends here: markup not in hand is cut short.
    const last = base + end;
    if (this.eventStart >= 0) {
      this.items.push({ kind: 'truncated', start: this.eventStart, end: last });
      this.eventStart = -1;
    } else if (i < end && !this.segmentStray) this.segmentStray = true;
    this.closeSegment(last);
    this.segmentStart = last;
    this.resume = last;
  }

  /** Ends the stretch between events at `at`: one stray item when it held stray text. */
  private closeSegment(at: number): void {
    if (this.segmentStray) this.items.push({ kind: 'stray', start: this.segmentStart, end: at });
    this.segmentStray = false;
  }

  /** Scans from `i` outside any event; returns where to go on, or {@link INCOMPLETE}. */
  private outside(text: string, base: number, i: number, end: number): number {
    const lt = text.indexOf('<', i);
    const stop = lt === -1 ? end : lt;
    if (!this.segmentStray) {
      for (let j = i; j < stop; j++) {
        if (!isBlank(text.charCodeAt(j))) {
          this.segmentStray = true;
          break;
        }
      }
    }
    // Text first, then the markup at `lt` (which may not be all in hand yet).
    if (lt !== i) return stop;
    if (lt + 1 >= end) return INCOMPLETE;
    const next = text.charCodeAt(lt + 1);
    if (next === BANG || next === QUESTION) {
      const markup = declarationEnd(text, lt, end);
      if (markup.end === INCOMPLETE) return INCOMPLETE;
      if (markup.cdata) this.segmentStray = true;
      return markup.end;
    }
    const closing = next === SLASH;
    const nameStart = closing ? lt + 2 : lt + 1;
    if (nameStart >= end) return INCOMPLETE;
    if (!isNameStart(text.charCodeAt(nameStart))) {
      this.segmentStray = true;
      return lt + 1;
    }
    const name = nameEnd(text, nameStart, end);
    const close = tagEnd(text, name, end);
    if (close === INCOMPLETE) return INCOMPLETE;
    if (close < 0) {
      this.segmentStray = true;
      return -2 - close;
    }
    const at = base + lt;
    if (closing) {
      if (this.wrapper !== undefined && localIs(text, nameStart, name, 'Events')) {
        this.closeSegment(at);
        this.wrapper = undefined;
        this.segmentStart = base + close;
      } else this.segmentStray = true;
      return close;
    }
    const selfClosing = text.charCodeAt(close - 2) === SLASH;
    if (localIs(text, nameStart, name, 'Event')) {
      this.closeSegment(at);
      if (selfClosing) {
        this.items.push({ kind: 'event', start: at, end: base + close, wrapper: this.wrapper });
        this.segmentStart = base + close;
      } else this.eventStart = at;
      return close;
    }
    if (localIs(text, nameStart, name, 'Events') && this.wrapper === undefined) {
      if (!selfClosing) {
        this.closeSegment(at);
        this.wrapper = text.slice(nameStart, name);
        this.segmentStart = base + close;
      }
      return close;
    }
    this.segmentStray = true;
    return close;
  }

  /** Scans from `i` inside the open event; returns where to go on, or {@link INCOMPLETE}. */
  private inEvent(text: string, base: number, i: number, end: number): number {
    const lt = text.indexOf('<', i);
    if (lt === -1) return end;
    if (lt !== i) return lt;
    if (lt + 1 >= end) return INCOMPLETE;
    const next = text.charCodeAt(lt + 1);
    if (next === BANG || next === QUESTION) return declarationEnd(text, lt, end).end;
    const closing = next === SLASH;
    const nameStart = closing ? lt + 2 : lt + 1;
    if (nameStart >= end) return INCOMPLETE;
    if (!isNameStart(text.charCodeAt(nameStart))) return lt + 1; // not markup: the parser will say
    const name = nameEnd(text, nameStart, end);
    if (name >= end) return INCOMPLETE;
    const isEvent = localIs(text, nameStart, name, 'Event');
    if (isEvent && !closing) {
      // A new event starts: the open one has no end tag. The new one is read from here, outside.
      this.items.push({ kind: 'truncated', start: this.eventStart, end: base + lt });
      this.eventStart = -1;
      this.segmentStart = base + lt;
      return lt;
    }
    const close = tagEnd(text, name, end);
    if (close === INCOMPLETE) return INCOMPLETE;
    if (close < 0) return -2 - close; // a malformed tag: go on at its `<`; the parser rejects the event
    if (isEvent) {
      this.items.push({ kind: 'event', start: this.eventStart, end: base + close, wrapper: this.wrapper });
      this.eventStart = -1;
      this.segmentStart = base + close;
    }
    return close;
  }
}

/** The items of a whole text (see {@link XmlItemScanner}). */
export function xmlItems(text: string): XmlItem[] {
  const scanner = new XmlItemScanner();
  scanner.scan(text, 0, true);
  return scanner.items;
}
