/**
 * A multi-pattern matcher for the literal prefilter (prefilter.ts): Aho-Corasick compiled to a full transition
 * table over a folded alphabet, reporting which of a set of short anchors occur in a string in one pass.
 * Folding only merges characters, so it may report extra anchors, never miss one.
 */
// Characters are folded to a small alphabet (case-folded ASCII letters, digits, each ASCII punctuation, one
// class for everything else). Merging characters only adds candidates, so the prefilter stays sound.
const CLASS = new Uint8Array(65536);
let classCount = 1; // class 0: any other character
for (let c = 32; c < 127; c++) {
  const ch = String.fromCharCode(c);
  if (ch >= 'A' && ch <= 'Z') continue;
  CLASS[c] = classCount++;
}
for (let c = 65; c <= 90; c++) CLASS[c] = CLASS[c + 32] as number;
/**
 * The non-ASCII characters given an ASCII class, each with the character whose class it joins:
 * - dotted capital I and the Kelvin sign: the only ones whose lower case holds ASCII (`i` + U+0307, `k`), so
 *   the automaton can scan raw values for lower-cased literals;
 * - the Kelvin sign and long s: the only ones a case-insensitive regex (re2js simple case folding) matches
 *   with ASCII letters (`k`, `s`), so a regex needle need not know the `i` flag;
 * - windash: en dash, em dash and horizontal bar join `-` (as `/` does), extra candidates only.
 * The tests check these facts over every code point.
 */
const FOLDED_INTO: readonly (readonly [number, number])[] = [
  [0x130, 0x69],
  [0x212a, 0x6b],
  [0x17f, 0x73],
  [0x2f, 0x2d],
  [0x2013, 0x2d],
  [0x2014, 0x2d],
  [0x2015, 0x2d],
];
for (const [c, into] of FOLDED_INTO) CLASS[c] = CLASS[into] as number;
/** Number of classes of the shared alphabet. */
const CLASSES = classCount;

/** The alphabet class of a UTF-16 code unit: units of one class are not told apart (for tests). */
export function alphabetClass(unit: number): number {
  return CLASS[unit] as number;
}

/**
 * Automata with at most this many distinct anchors also get a native regular expression as a gate. Its cost grows
 * with the anchors (one alternative each): on the OTRF values the gate beat the walk up to 10 anchors, tied at 18, and
 * lost at 20 to the skip scan (the Mimikatz keywords, tested on every value of every event).
 */
const GATE_MAX_ANCHORS = 16;
/** Shorter values are walked through the table directly: calling the regular expression costs more. */
const GATE_MIN_LENGTH = 0;
/** Anchors at least this long let the skip scan move on by up to this length minus one units at a time. */
const SKIP_MIN_LENGTH = 3;
/** Shorter values are walked through the table directly: the skip scan's set-up costs more than it saves. */
const SKIP_MIN_VALUE = 32;

/**
 * The skip table of {@link scanSkip} (Wu-Manber with blocks of two units, over the automaton's local classes): for
 * the pair of classes `first * k + second`, the least distance from where that pair ends in the first `m` units of
 * some anchor to their end; `m - 1` for a pair in none. 0: a window of `m` units ending so may start an anchor.
 */
function shiftTable(anchors: readonly Anchor[], local: Uint8Array, k: number, m: number): Uint8Array {
  const shift = new Uint8Array(k * k).fill(m - 1);
  for (const { text } of anchors) {
    for (let j = 1; j < m; j++) {
      const first = local[CLASS[text.charCodeAt(j - 1)] as number] as number;
      const second = local[CLASS[text.charCodeAt(j)] as number] as number;
      const at = first * k + second;
      shift[at] = Math.min(shift[at] as number, m - 1 - j);
    }
  }
  return shift;
}

/** classSource's results, by class: every automaton's gate asks for the same few dozen. */
const classSources: (string | undefined)[] = [];

/** A character class (source) holding every character of the shared alphabet's class `cls`. */
function classSource(cls: number): string {
  const known = classSources[cls];
  if (known !== undefined) return known;
  const made = makeClassSource(cls);
  classSources[cls] = made;
  return made;
}

function makeClassSource(cls: number): string {
  const folded = FOLDED_INTO.map(([c]) => c).filter((c) => c >= 128);
  const unit = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  if (cls === 0) {
    // Everything the table does not assign: controls, DEL and every non-ASCII character but the folded ones.
    return `[^\\x20-\\x7e${folded.map(unit).join('')}]`;
  }
  const members: number[] = [];
  for (const c of [...Array(128).keys(), ...folded]) if (CLASS[c] === cls) members.push(c);
  return `[${members.map(unit).join('')}]`;
}

/**
 * A regular expression that matches exactly when some anchor occurs under the shared alphabet's folding.
 * V8 runs it natively, several times faster per character than the table walk, so values without any
 * anchor (most) are rejected without walking the table.
 */
function gateOf(texts: readonly string[]): RegExp | undefined {
  const distinct = [...new Set(texts)];
  if (distinct.length === 0 || distinct.length > GATE_MAX_ANCHORS) return undefined;
  const alternatives = distinct.map((t) => {
    let out = '';
    for (let i = 0; i < t.length; i++) out += classSource(CLASS[t.charCodeAt(i)] as number);
    return out;
  });
  return new RegExp(alternatives.join('|'));
}

/**
 * A regular expression that matches exactly when `text` occurs in a value under the shared alphabet's folding (what
 * the automaton reports for an anchor, for the whole text): the prefilter confirms an anchor's hit with it.
 */
export function foldedOccurrence(text: string): RegExp {
  let source = '';
  for (let i = 0; i < text.length; i++) source += classSource(CLASS[text.charCodeAt(i)] as number);
  return new RegExp(source);
}

/** Anchors -> the ids (rule indices) to report when the anchor occurs. */
export interface Anchor {
  text: string;
  id: number;
}

/**
 * What an {@link AnchorAutomaton} scans with, all flat typed arrays (and so what a rule cache keeps of it; see
 * prefilter.ts encodeShared): built from anchors by {@link buildParts}, or read back.
 */
export interface AutomatonParts {
  /** Global class -> this automaton's class: only the classes its anchors use are told apart (a smaller table). */
  local: Uint8Array;
  /** Number of local classes. */
  k: number;
  /**
   * Transitions: entry `state * k + class` holds the next state's row offset (`next * k`); states are numbered so
   * that those with output have offsets `>= firstOutput`.
   */
  table: Uint16Array | Int32Array;
  firstOutput: number;
  /** Outputs of the state at row offset `firstOutput + i * k`: `outIds[outStart[i] .. outStart[i + 1])`. */
  outStart: Int32Array;
  outIds: Int32Array;
  /** The shortest and the longest anchor. */
  minLength: number;
  maxLength: number;
  /**
   * For the skip scan (see {@link scanSkip}), by the local classes of two adjacent units (`first * k + second`): how
   * far the end of a window of `minLength` units may move on when they end it. Undefined: anchors too short to skip.
   */
  shift: Uint8Array | undefined;
}

/** Number of classes of the shared alphabet (the length of {@link AutomatonParts.local}). */
export const ALPHABET_CLASSES = CLASSES;

/** The automaton of `anchors` as flat tables (Aho-Corasick, every transition resolved). */
export function buildParts(anchors: readonly Anchor[]): AutomatonParts {
  const local = new Uint8Array(CLASSES);
  let k = 1; // local class 0: a character no anchor contains
  for (const { text } of anchors) {
    for (let i = 0; i < text.length; i++) {
      const c = CLASS[text.charCodeAt(i)] as number;
      if (local[c] === 0) local[c] = k++;
    }
  }
  // Class 0 of the global alphabet (other characters) may occur in anchors; it then has its own local class.
  // The trie as a flat table (`state * k + class` -> child; 0: none, since no edge leads back to the root), made in
  // place into the full transition table below: no map per state, one allocation per automaton.
  let bound = 1;
  for (const { text } of anchors) bound += text.length;
  const table = new Int32Array(bound * k);
  const own: (number[] | undefined)[] = [];
  let n = 1;
  for (const { text, id } of anchors) {
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const at = s * k + (local[CLASS[text.charCodeAt(i)] as number] as number);
      let next = table[at] as number;
      if (next === 0) {
        next = n++;
        table[at] = next;
      }
      s = next;
    }
    const ids = own[s];
    if (ids === undefined) own[s] = [id];
    else ids.push(id);
  }
  const fail = new Int32Array(n);
  const merged: (readonly number[])[] = new Array(n);
  merged[0] = own[0] ?? [];
  // Breadth first, so that a state's failure state (shallower) is complete before the state itself.
  const queue = new Int32Array(n);
  let tail = 0;
  for (let c = 0; c < k; c++) {
    const child = table[c] as number;
    if (child !== 0) queue[tail++] = child;
  }
  for (let head = 0; head < tail; head++) {
    const s = queue[head] as number;
    const f = fail[s] as number;
    // Most states have no output of their own or inherit none: share the one list instead of copying.
    const mine = own[s];
    const inherited = merged[f] as readonly number[];
    if (mine === undefined) merged[s] = inherited;
    else if (inherited.length === 0) merged[s] = mine;
    else merged[s] = [...new Set([...mine, ...inherited])];
    const row = s * k;
    const failRow = f * k;
    for (let c = 0; c < k; c++) {
      const child = table[row + c] as number;
      if (child === 0) {
        table[row + c] = table[failRow + c] as number;
      } else {
        fail[child] = table[failRow + c] as number;
        queue[tail++] = child;
      }
    }
  }
  // Renumber: states without output first (the root stays 0), so the scan tests output with one compare.
  const order: number[] = [];
  for (let s = 0; s < n; s++) if ((merged[s]?.length ?? 0) === 0) order.push(s);
  const withoutOutput = order.length;
  for (let s = 0; s < n; s++) if ((merged[s]?.length ?? 0) > 0) order.push(s);
  const renamed = new Int32Array(n);
  order.forEach((old, i) => {
    renamed[old] = i;
  });
  // Entries hold the next state's row offset (state * k), not its number: the scan then adds the class and loads,
  // with no multiply on its one dependency chain.
  const out = n * k <= 65536 ? new Uint16Array(n * k) : new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const old = order[i] as number;
    for (let c = 0; c < k; c++) out[i * k + c] = (renamed[table[old * k + c] as number] as number) * k;
  }
  // Outputs flat, one run per output state: one array instead of one per state.
  const outStart = new Int32Array(n - withoutOutput + 1);
  let total = 0;
  for (let i = withoutOutput; i < n; i++) total += (merged[order[i] as number] as readonly number[]).length;
  const outIds = new Int32Array(total);
  let at = 0;
  for (let i = withoutOutput; i < n; i++) {
    outStart[i - withoutOutput] = at;
    for (const id of merged[order[i] as number] as readonly number[]) outIds[at++] = id;
  }
  outStart[n - withoutOutput] = at;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const { text } of anchors) {
    min = Math.min(min, text.length);
    max = Math.max(max, text.length);
  }
  const skips = min >= SKIP_MIN_LENGTH && min !== Number.POSITIVE_INFINITY;
  return {
    local,
    k,
    table: out,
    firstOutput: withoutOutput * k,
    outStart,
    outIds,
    minLength: min,
    maxLength: max,
    shift: skips ? shiftTable(anchors, local, k, min) : undefined,
  };
}

/** Finds which anchors occur in a string, case- and dash-folded, in one pass; built once per rule list and field. */
export class AnchorAutomaton {
  private readonly local: Uint8Array;
  /** `local` composed with the shared alphabet for ASCII characters: one lookup for most characters. */
  private readonly ascii = new Uint8Array(128);
  private readonly k: number;
  private readonly table: Uint16Array | Int32Array;
  private readonly firstOutput: number;
  /** For small automata: a value it does not match holds no anchor. */
  private readonly gate: RegExp | undefined;
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;
  private readonly minLength: number;
  private readonly maxLength: number;
  private readonly shift: Uint8Array | undefined;
  /** What it was made of (for a cache to keep). */
  readonly parts: AutomatonParts;

  /**
   * The automaton of `anchors`; with `parts`, those tables instead of building them (they must be what
   * {@link buildParts} gives for these anchors: prefilter.ts decodeShared checks what it reads back).
   */
  constructor(anchors: readonly Anchor[], parts: AutomatonParts = buildParts(anchors)) {
    this.parts = parts;
    this.local = parts.local;
    this.k = parts.k;
    this.table = parts.table;
    this.firstOutput = parts.firstOutput;
    this.outStart = parts.outStart;
    this.outIds = parts.outIds;
    this.minLength = parts.minLength;
    this.maxLength = parts.maxLength;
    this.shift = parts.shift;
    this.gate = gateOf(anchors.map((a) => a.text));
    for (let c = 0; c < 128; c++) this.ascii[c] = parts.local[CLASS[c] as number] as number;
  }

  /** Number of states (for tests and sizing). */
  get states(): number {
    return this.table.length / this.k;
  }

  /**
   * Appends to `found` (once each, tracked by `mark` = `epoch`) every id whose anchor occurs in `value`, plus
   * `offset` (lists sharing one automaton number its ids from their own offset); returns the new count.
   */
  scan(value: string, mark: Int32Array, epoch: number, found: Int32Array, count: number, offset = 0): number {
    // No anchor fits in a shorter value (a keyword group's automaton is given every value, most of them short).
    if (value.length < this.minLength) return count;
    if (this.gate !== undefined && value.length > GATE_MIN_LENGTH && !this.gate.test(value)) return count;
    if (this.shift !== undefined && value.length >= SKIP_MIN_VALUE) {
      return scanSkip(
        this.table,
        this.ascii,
        this.local,
        this.k,
        this.firstOutput,
        this.outStart,
        this.outIds,
        this.shift,
        this.minLength,
        this.maxLength,
        value,
        mark,
        epoch,
        found,
        count,
        offset,
      );
    }
    return this.table instanceof Uint16Array
      ? scan16(
          this.table,
          this.ascii,
          this.local,
          this.k,
          this.firstOutput,
          this.outStart,
          this.outIds,
          value,
          mark,
          epoch,
          found,
          count,
          offset,
        )
      : scan32(
          this.table,
          this.ascii,
          this.local,
          this.k,
          this.firstOutput,
          this.outStart,
          this.outIds,
          value,
          mark,
          epoch,
          found,
          count,
          offset,
        );
  }
}

// Two copies of one loop so that each stays monomorphic in its table's element type.
function scan16(
  table: Uint16Array,
  ascii: Uint8Array,
  local: Uint8Array,
  k: number,
  firstOutput: number,
  outStart: Int32Array,
  outIds: Int32Array,
  value: string,
  mark: Int32Array,
  epoch: number,
  found: Int32Array,
  count: number,
  offset: number,
): number {
  let s = 0;
  let n = count;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    s = table[s + ((ch < 128 ? ascii[ch] : local[CLASS[ch] as number]) as number)] as number;
    if (s < firstOutput) continue;
    const o = ((s - firstOutput) / k) | 0;
    for (let j = outStart[o] as number, end = outStart[o + 1] as number; j < end; j++) {
      const r = (outIds[j] as number) + offset;
      if (mark[r] !== epoch) {
        mark[r] = epoch;
        found[n++] = r;
      }
    }
  }
  return n;
}

function scan32(
  table: Int32Array,
  ascii: Uint8Array,
  local: Uint8Array,
  k: number,
  firstOutput: number,
  outStart: Int32Array,
  outIds: Int32Array,
  value: string,
  mark: Int32Array,
  epoch: number,
  found: Int32Array,
  count: number,
  offset: number,
): number {
  let s = 0;
  let n = count;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    s = table[s + ((ch < 128 ? ascii[ch] : local[CLASS[ch] as number]) as number)] as number;
    if (s < firstOutput) continue;
    const o = ((s - firstOutput) / k) | 0;
    for (let j = outStart[o] as number, end = outStart[o + 1] as number; j < end; j++) {
      const r = (outIds[j] as number) + offset;
      if (mark[r] !== epoch) {
        mark[r] = epoch;
        found[n++] = r;
      }
    }
  }
  return n;
}

/**
 * The scan for anchors of `m` units or more: a window of `m` units slides along the value by the skip table, looked up
 * by the two units that end it; only where it says 0 (the window may hold the first `m` units of an anchor) is the
 * table walked, from the root at the window's start over the longest anchor's length. An anchor at `q` always gets
 * that walk: the window ending at `q + m - 1` ends with its units `m - 2` and `m - 1`, which no shift jumps over.
 */
function scanSkip(
  table: Uint16Array | Int32Array,
  ascii: Uint8Array,
  local: Uint8Array,
  k: number,
  firstOutput: number,
  outStart: Int32Array,
  outIds: Int32Array,
  shift: Uint8Array,
  m: number,
  longest: number,
  value: string,
  mark: Int32Array,
  epoch: number,
  found: Int32Array,
  count: number,
  offset: number,
): number {
  let n = count;
  const length = value.length;
  let previous = m >= 2 && length >= m ? value.charCodeAt(m - 2) : 0;
  // The walk so far: it has read value[from .. walked) without a gap and is in state `s`. A window that starts inside
  // it continues it (reading on from `walked`) instead of walking from its own start again: a walk from an earlier
  // start reports every anchor a walk from the window's start would (and only anchors that occur), and windows that
  // may start an anchor come in runs, where walking each from the root read every unit up to `longest` times.
  let s = 0;
  let walked = 0;
  for (let end = m - 1; end < length; ) {
    const last = value.charCodeAt(end);
    const first = (previous < 128 ? ascii[previous] : local[CLASS[previous] as number]) as number;
    const second = (last < 128 ? ascii[last] : local[CLASS[last] as number]) as number;
    const step = shift[first * k + second] as number;
    if (step === 0) {
      const start = end - m + 1;
      const stop = Math.min(length, start + longest);
      let i = start;
      if (walked > start) i = walked;
      else s = 0;
      if (stop > walked) walked = stop;
      for (; i < stop; i++) {
        const ch = value.charCodeAt(i);
        s = table[s + ((ch < 128 ? ascii[ch] : local[CLASS[ch] as number]) as number)] as number;
        if (s < firstOutput) continue;
        const o = ((s - firstOutput) / k) | 0;
        for (let j = outStart[o] as number, end = outStart[o + 1] as number; j < end; j++) {
          const r = (outIds[j] as number) + offset;
          if (mark[r] !== epoch) {
            mark[r] = epoch;
            found[n++] = r;
          }
        }
      }
      end++;
      previous = last;
    } else {
      end += step;
      if (end < length) previous = value.charCodeAt(end - 1);
    }
  }
  return n;
}
