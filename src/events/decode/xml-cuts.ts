/**
 * Where a long XML text of Windows events (wevtutil / Get-WinEvent exports: `<Event>` elements one after another,
 * or inside one `<Events>` element) may be cut so that each piece, given the text's head and the wrapper's end tag,
 * parses to its part of the whole text's events (docs/replay.md, "Input pieces"). Pure and incremental: the text
 * comes in buffers of code units (UTF-8 bytes or UTF-16 code units), scanned once.
 *
 * The scanner follows the markup (tags with quoted attribute values, comments, CDATA, processing instructions, a
 * DOCTYPE with its internal subset before the first element). A cut lies right after the end of an `<Event>` at
 * the events' level (`Event` elements at the top, or the children of the one `<Events>`). It gives up (no cut
 * from there on) on anything that does not fit that shape: other text than blanks at the events' level, a second
 * top-level element after `<Events>`, a DOCTYPE after an element, markup it cannot follow.
 */

/** Code units of the text: UTF-8 bytes or UTF-16 code units (ASCII markup is one unit in both). */
export type Units = Uint8Array | Uint16Array;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const DASH = 0x2d;
const COLON = 0x3a;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

function startsWith(units: Units, at: number, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (units[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** The index just past `ascii` found at or after `from`, or -1. */
function past(units: Units, from: number, end: number, ascii: string): number {
  const first = ascii.charCodeAt(0);
  for (let at = units.indexOf(first, from); at !== -1 && at + ascii.length <= end; at = units.indexOf(first, at + 1)) {
    if (startsWith(units, at, ascii)) return at + ascii.length;
  }
  return -1;
}

/** The end (past `>`) of a tag starting at `at`, skipping quoted attribute values; -1 when not in hand yet. */
function tagEnd(units: Units, at: number, end: number): number {
  let quote = 0;
  for (let i = at + 1; i < end; i++) {
    const c = units[i] as number;
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === QUOTE || c === APOSTROPHE) quote = c;
    else if (c === GT) return i + 1;
    else if (c === LT) return -2; // not markup this scanner can follow
  }
  return -1;
}

/** The name's local part (after a namespace prefix) as ASCII text, from a tag's first name character. */
function tagName(units: Units, from: number, end: number): { qname: string; local: string } {
  let qname = '';
  for (let i = from; i < end; i++) {
    const c = units[i] as number;
    if (isBlank(c) || c === SLASH || c === GT) break;
    qname += String.fromCharCode(c);
  }
  const colon = qname.lastIndexOf(String.fromCharCode(COLON));
  return { qname, local: colon === -1 ? qname : qname.slice(colon + 1) };
}

/** One place to cut: the units before `at` end with an `<Event>` at the events' level, the `count`-th one. */
export interface XmlCut {
  at: number;
  count: number;
}

/**
 * Scans a growing buffer of units. `scan(units, end, final)` goes on from where it stopped; `cuts` lists the places
 * found so far (positions in the current buffer); `shift(n)` is called after the caller drops the first `n` units.
 */
export class XmlCutScanner {
  /** Where scanning goes on (the caller starts it past a byte order mark). */
  private at: number;
  private depth = 0;
  /** The depth of the events (0: top-level `<Event>`s; 1: inside `<Events>`); undefined until the first element. */
  private eventsDepth: number | undefined;
  /** Events (at the events' level) ended so far. */
  private events = 0;
  /** Whether an `<Event>` at the events' level is open, and its depth. */
  private inEvent = false;
  private stopped = false;
  private wrapperClosed = false;
  /** Units of the text before the events (up to the wrapper's start tag's end, or the first `<Event>`). */
  headEnd: number | undefined;
  /** The wrapper's qualified name (`Events`), when the events are inside one. */
  wrapper: string | undefined;
  readonly cuts: XmlCut[] = [];

  constructor(start = 0) {
    this.at = start;
  }

  /** Whether no more cuts can come (markup out of the expected shape). */
  get done(): boolean {
    return this.stopped;
  }

  shift(n: number): void {
    this.at -= n;
    for (const cut of this.cuts) cut.at -= n;
    while (this.cuts.length > 0 && (this.cuts[0] as XmlCut).at <= 0) this.cuts.shift();
  }

  scan(units: Units, end: number): void {
    while (!this.stopped && this.at < end) {
      const c = units[this.at] as number;
      if (c !== LT) {
        const next = units.indexOf(LT, this.at);
        const stop = next === -1 || next > end ? end : next;
        if (this.eventsDepth === undefined || this.depth <= this.eventsDepth) {
          for (let i = this.at; i < stop; i++) {
            if (!isBlank(units[i] as number)) {
              this.stopped = true;
              return;
            }
          }
        }
        this.at = stop;
        continue;
      }
      const found = this.markup(units, end);
      if (found === -1) return; // incomplete: wait for more
      if (found === -2) {
        this.stopped = true;
        return;
      }
      this.at = found;
    }
  }

  /** Handles the markup at `this.at`; returns where it ends, -1 when not all in hand, -2 when out of shape. */
  private markup(units: Units, end: number): number {
    const at = this.at;
    if (at + 2 > end) return -1;
    const next = units[at + 1] as number;
    if (next === BANG) {
      if (at + 4 > end) return -1;
      if (units[at + 2] === DASH && units[at + 3] === DASH) return past(units, at + 4, end, '-->');
      if (at + 9 > end) return -1;
      if (startsWith(units, at, '<![CDATA[')) {
        if (this.eventsDepth === undefined || this.depth <= this.eventsDepth) return -2;
        return past(units, at + 9, end, ']]>');
      }
      if (this.eventsDepth !== undefined) return -2; // a DOCTYPE after an element
      // A DOCTYPE, with an internal subset in square brackets.
      let square = false;
      for (let i = at + 2; i < end; i++) {
        const u = units[i] as number;
        if (u === OPEN_SQUARE) square = true;
        else if (u === CLOSE_SQUARE) square = false;
        else if (u === GT && !square) return i + 1;
      }
      return -1;
    }
    if (next === QUESTION) return past(units, at + 2, end, '?>');
    const close = tagEnd(units, at, end);
    if (close < 0) return close;
    if (next === SLASH) return this.endTag(units, at, close);
    return this.startTag(units, at, close);
  }

  private startTag(units: Units, at: number, close: number): number {
    const selfClosing = units[close - 2] === SLASH;
    const { qname, local } = tagName(units, at + 1, close);
    if (this.depth === 0) {
      if (this.wrapperClosed) return -2;
      if (this.eventsDepth === undefined) {
        if (local === 'Events' && !selfClosing) {
          this.eventsDepth = 1;
          this.wrapper = qname;
          this.headEnd = close;
        } else {
          this.eventsDepth = 0;
          this.headEnd = at;
        }
      }
    }
    if (this.depth === this.eventsDepth && local === 'Event') {
      if (selfClosing) return -2; // an empty <Event/> is no event: the whole text is rejected, leave it whole
      this.inEvent = true;
    }
    if (!selfClosing) this.depth++;
    return close;
  }

  private endTag(units: Units, at: number, close: number): number {
    if (this.depth === 0) return -2;
    this.depth--;
    const { local } = tagName(units, at + 2, close);
    if (this.depth === 0 && this.eventsDepth === 1) {
      this.wrapperClosed = true;
      return close;
    }
    if (this.depth === this.eventsDepth && this.inEvent) {
      if (local !== 'Event') return -2;
      this.inEvent = false;
      this.events++;
      this.cuts.push({ at: close, count: this.events });
    }
    return close;
  }
}
