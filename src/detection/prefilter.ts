/**
 * Literal prefiltering. Testing every rule of a logsource against every event is thousands of substring
 * searches per process creation. Instead each rule gets, at compile time, a set of literals of which at
 * least one MUST occur in a given (folded) field for the rule to match; per event one Aho-Corasick pass per
 * field finds which rules are still possible, and only those (plus rules without such literals) are
 * evaluated. The prefilter may let through rules that then do not match, never the reverse.
 */
import {
  ALPHABET_CLASSES,
  type Anchor,
  AnchorAutomaton,
  type AutomatonParts,
  foldedOccurrence,
} from './anchor-automaton.js';
import { DASH_LOWER, type EvalContext, LOWER, type Variant } from './eval-context.js';

/** The pseudo-slot of keyword needles: the literal must occur in some value of the event. */
export const KEYWORDS_SLOT = -1;

/** A literal that must occur in the field `slot` (or any value, for {@link KEYWORDS_SLOT}), folded for `variant`. */
export interface Needle {
  slot: number;
  variant: Variant;
  text: string;
}

/** A clause: literals of which at least one occurs in every matching event. */
export type Clause = readonly Needle[];

/**
 * Necessary clauses, all of which hold for every matching event (a conjunction, best first), or undefined
 * when nothing is known. Several clauses let an AND reject an event on any of its branches.
 */
export type Needles = readonly Clause[] | undefined;

/** How many clauses a rule keeps: each is one more automaton hit to wait for; a few filter nearly everything. */
const MAX_CLAUSES = 3;

// Fragments present in most Windows events: a literal made of them filters nothing, so an AND prefers
// another branch. Only a choice between necessary literals; soundness does not depend on this list.
const COMMON =
  /c:|windows|system32|syswow64|program files|\(x86\)|users|appdata|local|roaming|\.exe|\.dll|microsoft|\\/g;

function informativeLength(text: string): number {
  return text.toLowerCase().replace(COMMON, '').length;
}

function quality(n: Clause): number {
  let min = Number.POSITIVE_INFINITY;
  for (const x of n) min = Math.min(min, Math.min(informativeLength(x.text), ANCHOR + 2));
  // Longer shortest informative literal first, then fewer literals.
  return min * 1e6 - n.length;
}

/**
 * Units that lower-casing adds with no unit of their own in the raw value: `İ` (U+0130) lower-cases to `i`
 * and U+0307 (combining dot above), the only character whose lower case is longer (checked over all of
 * Unicode in the tests). Every other character lower-cases to one of the same alphabet class.
 */
const LOWERING_TAILS = /\u0307/;

/**
 * The needle for a rule literal already folded for `variant`, or undefined when nothing is left. The
 * automaton scans raw values, so a lower-cased literal is cut at the units lower-casing may have added (the
 * raw value then holds `İ` where the folded literal holds `i` + U+0307) and its longest piece is kept.
 */
export function literalNeedle(slot: number, variant: Variant, folded: string): Needle | undefined {
  let text = folded;
  if ((variant === LOWER || variant === DASH_LOWER) && LOWERING_TAILS.test(folded)) {
    text = '';
    for (const piece of folded.split(LOWERING_TAILS)) if (piece.length > text.length) text = piece;
  }
  return text ? { slot, variant, text } : undefined;
}

/** One clause: at least one of `literals` occurs (undefined when there are none). */
export function anyOfLiterals(literals: readonly Needle[]): Needles {
  return literals.length > 0 ? [literals] : undefined;
}

/** AND: every child's clauses are necessary; keep the most selective few. */
export function bestOf(children: readonly Needles[]): Needles {
  const all: { clause: Clause; q: number }[] = [];
  for (const c of children) {
    if (!c) continue;
    for (const clause of c)
      if (clause.length > 0 && !all.some((x) => x.clause === clause)) all.push({ clause, q: quality(clause) });
  }
  if (all.length === 0) return undefined;
  all.sort((x, y) => y.q - x.q);
  return all.slice(0, MAX_CLAUSES).map((x) => x.clause);
}

/** OR: necessary only if every branch has literals; then the union of each branch's best clause. */
export function unionOf(children: readonly Needles[]): Needles {
  const out: Needle[] = [];
  for (const c of children) {
    const best = c?.[0];
    if (!best || best.length === 0) return undefined;
    out.push(...best);
  }
  return [out];
}

/** Anchors are at most this long: it bounds the automaton's depth and so its size. */
const ANCHOR = 4;
/**
 * Anchors of keyword groups (literals that may occur in any value) are up to this long. Such a group's automaton scans
 * every value of every event its list sees (the Mimikatz keywords: about 27 values an event, 76% of all the units the
 * prefilter scans on OTRF), and longer anchors let the skip scan move on further and report fewer anchors whose
 * literal is not there (a keyword anchor's hit meets its requirement unchecked): on the OTRF values, 8 units scanned
 * that automaton in about 0.6 of the time of 4 and reported 9 anchors a pass instead of 33,000.
 */
const KEYWORD_ANCHOR = 8;

// Text found in most Windows events. An anchor inside it (`.exe`, `.dll`, `.com`) lets nearly every event
// through, so it is chosen only when a literal has nothing else. Only a choice; soundness does not depend on it.
const COMMON_TEXT = [
  'c:\\windows\\system32\\',
  'c:\\windows\\syswow64\\',
  'c:\\program files (x86)\\',
  'c:\\programdata\\',
  'c:\\users\\',
  '\\appdata\\local\\temp\\',
  '\\appdata\\roaming\\',
  '.exe .dll .sys .com .tmp .txt .log .dat',
  'microsoft corporation',
  'windows operating system',
  'nt authority\\system',
  'hklm\\software\\microsoft\\windows\\currentversion\\',
  'hku\\',
  'sha256= sha1= md5= imphash=',
  'http:// https://',
  'true false dword (0x0000000',
].join('\n');

/** Every ANCHOR-long piece of COMMON_TEXT: a set lookup instead of a search of the whole text per candidate. */
let commonGrams: Set<string> | undefined;

/** Whether `g` (ANCHOR units long), lower-cased, occurs in COMMON_TEXT. */
function isCommonGram(g: string): boolean {
  if (commonGrams === undefined) {
    commonGrams = new Set();
    for (let i = 0; i + ANCHOR <= COMMON_TEXT.length; i++) commonGrams.add(COMMON_TEXT.slice(i, i + ANCHOR));
  }
  return commonGrams.has(g.toLowerCase());
}

/**
 * An ANCHOR-long piece of `t` at `i` as a number when its units are all ASCII (7 bits each, a small integer: Map keys
 * without a string made per piece), else -1.
 */
function asciiGram(t: string, i: number): number {
  let key = 0;
  for (let j = 0; j < ANCHOR; j++) {
    const c = t.charCodeAt(i + j);
    if (c >= 128) return -1;
    key = (key << 7) | c;
  }
  return key;
}

/** The ASCII piece's text, lower-cased (what {@link isCommonGram} tests). */
function lowerGramText(key: number): string {
  let out = '';
  for (let j = ANCHOR - 1; j >= 0; j--) {
    const c = (key >> (7 * j)) & 127;
    out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return out;
}

const COMMON_PENALTY = 1e6;

/**
 * Picks, per literal, its rarest short substring within the group (rare anchors filter best), avoiding
 * text common in every event; among equals, the one nearest the end.
 */
function anchorsOf(texts: readonly string[], length: number): string[] {
  if (length !== ANCHOR) return longAnchorsOf(texts, length);
  // Score of each piece: how many distinct literals hold it, plus a penalty when it is common text. ASCII pieces
  // (nearly all) are keyed by number, the others by their text. While counting, an ASCII piece's number is
  // count * 2^20 + a stamp of the last literal that counted it, so a piece twice in one literal counts once.
  const ascii = new Map<number, number>();
  const other = new Map<string, number>();
  const distinct = [...new Set(texts)];
  const SHIFT = 2 ** 20;
  distinct.forEach((t, index) => {
    const stamp = (index % (SHIFT - 1)) + 1;
    const seenOther = new Set<string>();
    for (let i = 0; i + ANCHOR <= t.length; i++) {
      const key = asciiGram(t, i);
      if (key < 0) {
        seenOther.add(t.slice(i, i + ANCHOR));
        continue;
      }
      const packed = ascii.get(key);
      if (packed === undefined) ascii.set(key, SHIFT + stamp);
      else if (packed % SHIFT !== stamp) ascii.set(key, (Math.floor(packed / SHIFT) + 1) * SHIFT + stamp);
    }
    for (const g of seenOther) other.set(g, (other.get(g) ?? 0) + 1);
  });
  for (const [key, packed] of ascii) ascii.set(key, Math.floor(packed / SHIFT));
  if (commonGrams === undefined) isCommonGram('');
  const common = commonGrams as Set<string>;
  for (const [key, count] of ascii) if (common.has(lowerGramText(key))) ascii.set(key, count + COMMON_PENALTY);
  for (const [g, count] of other) if (isCommonGram(g)) other.set(g, count + COMMON_PENALTY);
  const chosen = new Map<string, string>();
  for (const t of distinct) {
    if (t.length <= ANCHOR) {
      chosen.set(t, t);
      continue;
    }
    // The last piece with the lowest score (a forward scan keeping the later of equals).
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i + ANCHOR <= t.length; i++) {
      const key = asciiGram(t, i);
      const c = (key >= 0 ? ascii.get(key) : other.get(t.slice(i, i + ANCHOR))) as number;
      if (c <= bestScore) {
        best = i;
        bestScore = c;
      }
    }
    chosen.set(t, t.slice(best, best + ANCHOR));
  }
  return texts.map((t) => chosen.get(t) as string);
}

/**
 * {@link anchorsOf} for pieces of another `length` than ANCHOR (keyword groups: a few literals), with the same
 * choice (fewest distinct literals holding the piece, text common in every event last, the later of equals), the
 * pieces kept as text.
 */
function longAnchorsOf(texts: readonly string[], length: number): string[] {
  const distinct = [...new Set(texts)];
  const score = new Map<string, number>();
  for (const t of distinct) {
    const seen = new Set<string>();
    for (let i = 0; i + length <= t.length; i++) seen.add(t.slice(i, i + length));
    for (const g of seen) score.set(g, (score.get(g) ?? 0) + 1);
  }
  for (const [g, count] of score) if (COMMON_TEXT.includes(g.toLowerCase())) score.set(g, count + COMMON_PENALTY);
  return texts.map((t) => {
    if (t.length <= length) return t;
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i + length <= t.length; i++) {
      const c = score.get(t.slice(i, i + length)) as number;
      if (c <= bestScore) {
        best = i;
        bestScore = c;
      }
    }
    return t.slice(best, best + length);
  });
}

/**
 * One automaton per field: the alphabet folds case and dashes, so every variant's literals share it. Its ids are the
 * group's distinct anchors, numbered from 0 in order of first use; `base` turns them into the list's anchor ids.
 */
interface Group {
  slot: number;
  base: number;
  automaton: AnchorAutomaton;
  anchorLength: number;
}

/** A group's anchors (one per literal, in order) and its automaton: a function of the group's literals alone. */
interface SharedAutomaton {
  anchors: readonly string[];
  automaton: AnchorAutomaton;
  /** Where each anchor starts in its literal (what an image keeps instead of the anchors' text). */
  starts: Int32Array;
  /** Per literal, the automaton id of its anchor (distinct anchors, numbered in order of first use). */
  anchorIds: Int32Array;
  /** Number of distinct anchors. */
  distinct: number;
  /** The longest an anchor may be (ANCHOR, KEYWORD_ANCHOR): part of what the automaton is a function of. */
  anchorLength: number;
}

/**
 * Automata kept elsewhere (a rule cache, node-io/rule-cache.ts), each the image {@link encodeShared} made, by the
 * {@link literalsDigest} of its literals. The keeper checks each image whole (its checksum) before giving it out;
 * {@link decodeShared} checks that it is an automaton of those literals.
 */
export interface AutomatonStore {
  get(digest: string): Uint8Array | undefined;
}

/** One automaton's image and the digest of its literals: what a store keeps. */
export interface AutomatonImage {
  digest: string;
  image: Uint8Array;
}

/**
 * Automata already built (or read back from a {@link AutomatonStore}), by the literals of their group. Lists of one
 * rule set often hold the same rules on the same fields (process_creation is both Sysmon 1 and Security 4688, with its
 * 13,000 literals): the second list then takes the first one's automata instead of building them again. Give one to
 * every list of a rule set.
 */
export class AutomatonCache {
  /** By digest; a list per digest, each with its literals, so that only equal literals share an automaton. */
  private readonly byDigest = new Map<string, { texts: readonly string[]; shared: SharedAutomaton }[]>();
  private count = 0;
  /** How many automata were read back from the store, and how many were built (for tests and the bench). */
  loaded = 0;
  built = 0;

  constructor(private readonly store?: AutomatonStore) {}

  /** Distinct lists of literals held. */
  get size(): number {
    return this.count;
  }

  /** The automaton of a group's literals with anchors up to `anchorLength`: held, else read back, else built. */
  shared(texts: readonly string[], anchorLength = ANCHOR): SharedAutomaton {
    const digest = literalsDigest(texts, anchorLength);
    let held = this.byDigest.get(digest);
    if (held === undefined) {
      held = [];
      this.byDigest.set(digest, held);
    }
    for (const h of held) if (h.shared.anchorLength === anchorLength && sameTexts(h.texts, texts)) return h.shared;
    const image = this.store?.get(digest);
    let shared = image === undefined ? undefined : decodeShared(image, texts, anchorLength);
    if (shared !== undefined) this.loaded++;
    else {
      shared = buildShared(texts, anchorLength);
      this.built++;
    }
    held.push({ texts, shared });
    this.count++;
    return shared;
  }

  /** Images of every automaton held, for a store (none for a digest that two groups share: they build theirs). */
  images(): AutomatonImage[] {
    const out: AutomatonImage[] = [];
    for (const [digest, held] of this.byDigest) {
      const only = held[0];
      if (only !== undefined && held.length === 1) out.push({ digest, image: encodeShared(only.shared) });
    }
    return out;
  }
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A digest of a group's literals: two 32-bit FNV-1a style hashes (other offsets and mixing) over every literal's
 * length and units, with the number of literals and their total length. It names an image in a store, where a
 * collision would hand a list another group's automaton: 64 bits make that about 2^-64 per pair for the few hundred
 * groups of a corpus, and {@link decodeShared} refuses an image made for another number of literals or whose anchors
 * do not fit them. (In memory, {@link AutomatonCache} compares the literals themselves.)
 */
export function literalsDigest(texts: readonly string[], anchorLength = ANCHOR): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  let total = 0;
  for (const t of texts) {
    total += t.length;
    a = Math.imul(a ^ (t.length | 0x10000), 0x01000193);
    b = Math.imul(b ^ (t.length | 0x10000), 0x01000193) ^ (b >>> 15);
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return `${anchorLength}.${texts.length}.${total}.${hex(a)}${hex(b)}`;
}

function buildShared(texts: readonly string[], anchorLength = ANCHOR): SharedAutomaton {
  const anchors = anchorsOf(texts, anchorLength);
  const starts = new Int32Array(texts.length);
  texts.forEach((t, i) => {
    const anchor = anchors[i] as string;
    // Any occurrence of the anchor in its literal gives the same anchor back.
    starts[i] = anchor.length === t.length ? 0 : t.lastIndexOf(anchor);
  });
  const { list, anchorIds } = distinctAnchors(anchors);
  return { anchors, automaton: new AnchorAutomaton(list), starts, anchorIds, distinct: list.length, anchorLength };
}

/** One automaton id per distinct anchor, numbered in order of first use; and each anchor's id. */
function distinctAnchors(anchors: readonly string[]): { list: Anchor[]; anchorIds: Int32Array } {
  const idOf = new Map<string, number>();
  const list: Anchor[] = [];
  const anchorIds = new Int32Array(anchors.length);
  anchors.forEach((anchor, i) => {
    let id = idOf.get(anchor);
    if (id === undefined) {
      id = list.length;
      idOf.set(anchor, id);
      list.push({ text: anchor, id });
    }
    anchorIds[i] = id;
  });
  return { list, anchorIds };
}

/**
 * First word of an image: its layout's version (an image of another layout is not read). A rule cache keeps it in its
 * index too, and refuses the file of another (so that it is written again, not built on every run).
 */
export const AUTOMATON_IMAGE_FORMAT = 0x68736132;
const IMAGE_FORMAT = AUTOMATON_IMAGE_FORMAT;
/** Words before the arrays: format, literals, k, states, firstOutput, minLength, maxLength, table width, outputs, ids, shift, classes, anchor length. */
const IMAGE_HEADER = 13;

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * A shared automaton as one buffer: a header of 32-bit words, then the anchors' starts, the outputs, the table, the
 * class map and the skip table, each 4-byte aligned (so that {@link decodeShared} reads them as views, no copy).
 */
export function encodeShared(shared: SharedAutomaton): Uint8Array {
  const p = shared.automaton.parts;
  const states = p.table.length / p.k;
  const width = p.table instanceof Uint16Array ? 2 : 4;
  const count = shared.starts.length;
  const size =
    4 * (IMAGE_HEADER + count + p.outStart.length + p.outIds.length) +
    pad4(p.table.length * width) +
    pad4(p.local.length) +
    pad4(p.shift?.length ?? 0);
  const bytes = new Uint8Array(size);
  const words = new Int32Array(bytes.buffer, 0, IMAGE_HEADER);
  words.set([
    IMAGE_FORMAT,
    count,
    p.k,
    states,
    p.firstOutput,
    p.minLength,
    p.maxLength,
    width,
    p.outStart.length,
    p.outIds.length,
    p.shift === undefined ? 0 : 1,
    p.local.length,
    shared.anchorLength,
  ]);
  let at = 4 * IMAGE_HEADER;
  const put = (part: ArrayBufferView) => {
    bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
    at += pad4(part.byteLength);
  };
  put(shared.starts);
  put(p.outStart);
  put(p.outIds);
  put(p.table);
  put(p.local);
  if (p.shift !== undefined) put(p.shift);
  return bytes;
}

/** A tuple of `N` numbers (the image header read as one destructuring). */
type Numbers<N extends number, T extends number[] = []> = T['length'] extends N ? T : Numbers<N, [...T, number]>;

/**
 * The shared automaton of `texts` that {@link encodeShared} wrote, as views of `image` (copied first when it is not
 * 4-byte aligned), or undefined when the image does not describe an automaton of these literals: another layout or
 * number of literals, sizes that do not add up, an anchor outside its literal, or a table entry, class or output out
 * of range. (The store has checked the image whole: these checks keep a damaged or foreign image from ever being
 * scanned with, at a cost linear in its size.)
 */
export function decodeShared(
  image: Uint8Array,
  texts: readonly string[],
  anchorLength = ANCHOR,
): SharedAutomaton | undefined {
  const bytes = image.byteOffset % 4 === 0 ? image : image.slice();
  if (bytes.byteLength < 4 * IMAGE_HEADER) return undefined;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, IMAGE_HEADER);
  const [format, count, k, states, firstOutput, minLength, maxLength, width, outputs, ids, skips, classes, length] =
    Array.from(words) as Numbers<typeof IMAGE_HEADER>;
  if (format !== IMAGE_FORMAT || count !== texts.length || classes !== ALPHABET_CLASSES) return undefined;
  if (length !== anchorLength) return undefined;
  if (k < 1 || states < 1 || (width !== 2 && width !== 4) || outputs < 1 || ids < 0) return undefined;
  const cells = states * k;
  if ((width === 2) !== cells <= 65536) return undefined;
  const size =
    4 * (IMAGE_HEADER + count + outputs + ids) + pad4(cells * width) + pad4(classes) + pad4(skips === 1 ? k * k : 0);
  if (size !== bytes.byteLength) return undefined;
  let at = bytes.byteOffset + 4 * IMAGE_HEADER;
  const take = <A>(make: new (b: ArrayBufferLike, o: number, n: number) => A, n: number, unit: number): A => {
    const view = new make(bytes.buffer, at, n);
    at += pad4(n * unit);
    return view;
  };
  const starts = take(Int32Array, count, 4);
  const outStart = take(Int32Array, outputs, 4);
  const outIds = take(Int32Array, ids, 4);
  const table = width === 2 ? take(Uint16Array, cells, 2) : take(Int32Array, cells, 4);
  const local = take(Uint8Array, classes, 1);
  const shift = skips === 1 ? take(Uint8Array, k * k, 1) : undefined;
  // The anchors, from their literals and starts.
  const anchors: string[] = new Array(count);
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < count; i++) {
    const t = texts[i] as string;
    const start = starts[i] as number;
    if (t.length <= length ? start !== 0 : start < 0 || start > t.length - length) return undefined;
    const anchor = t.length <= length ? t : t.slice(start, start + length);
    anchors[i] = anchor;
    min = Math.min(min, anchor.length);
    max = Math.max(max, anchor.length);
  }
  const { list, anchorIds } = distinctAnchors(anchors);
  if (min !== minLength || max !== maxLength) return undefined;
  // Ranges: every state a row, every output an anchor id, every class a local one.
  if (firstOutput % k !== 0 || firstOutput < k || firstOutput > cells || outputs !== states - firstOutput / k + 1) {
    return undefined;
  }
  if (outStart[0] !== 0 || outStart[outputs - 1] !== ids) return undefined;
  for (let i = 1; i < outputs; i++) if ((outStart[i] as number) < (outStart[i - 1] as number)) return undefined;
  for (let i = 0; i < ids; i++) if ((outIds[i] as number) < 0 || (outIds[i] as number) >= list.length) return undefined;
  for (let i = 0; i < classes; i++) if ((local[i] as number) >= k) return undefined;
  if (shift !== undefined)
    for (let i = 0; i < shift.length; i++) if ((shift[i] as number) >= minLength) return undefined;
  const parts: AutomatonParts = { local, k, table, firstOutput, outStart, outIds, minLength, maxLength, shift };
  return {
    anchors,
    automaton: new AnchorAutomaton(list, parts),
    starts,
    anchorIds,
    distinct: list.length,
    anchorLength: length,
  };
}

/** A list of predicates evaluated with prefiltering. `T` is what a match reports. */
export class PrefilteredList<T> {
  /** Indices of the items without literals: evaluated for every event. */
  private readonly always: Int32Array;
  /** Requirement (one clause of one item) -> its item. */
  private readonly requirementItem: Int32Array;
  /** Entry (one literal of one requirement) -> its requirement. Automata report entries. */
  private readonly entryRequirement: Int32Array;
  /** Entry -> its literal, and (made on the entry's first hit) the test of the whole literal, when its anchor is shorter. */
  private readonly entryText: string[];
  private readonly entryCheck: (RegExp | null | undefined)[];
  /** Automaton id (one distinct anchor of one group) -> its entries (see {@link groupsOf}); made with the automata. */
  private anchorStart = new Int32Array(1);
  private anchorEntries = new Int32Array(0);
  /** Scratch, stamped with the epoch: anchors found in the value being scanned (at most one per entry). */
  private readonly entryMark: Int32Array;
  private readonly entriesFound: Int32Array;
  /** Per item: how many requirements (clauses) must be met. */
  private readonly needed: Int32Array;
  /** Scratch, stamped with the epoch: requirements met so far, per item met requirements. */
  private readonly requirementMark: Int32Array;
  private readonly requirementsMet: Int32Array;
  private readonly itemMark: Int32Array;
  private readonly itemMet: Int32Array;
  /** Scratch: the indices to evaluate for the current event. */
  private readonly found: Int32Array;
  /** The automata, built on the list's first event (see {@link groupsOf}); until then the literals they take. */
  private groups: Group[] | undefined;
  private pending: { slot: number; entries: { text: string; id: number }[] }[] | undefined;
  private epoch = 0;

  constructor(
    private readonly items: readonly { value: T; pred: (ctx: EvalContext) => boolean; needles: Needles }[],
    /** Automata shared with the other lists of the rule set (see {@link AutomatonCache}); none: built here. */
    private readonly automata?: AutomatonCache,
  ) {
    this.found = new Int32Array(items.length);
    this.needed = new Int32Array(items.length);
    this.itemMark = new Int32Array(items.length);
    this.itemMet = new Int32Array(items.length);
    const always: number[] = [];
    const requirementItem: number[] = [];
    const entryRequirement: number[] = [];
    const entryText: string[] = [];
    const byKey = new Map<number, { slot: number; entries: { text: string; id: number }[] }>();
    items.forEach((item, index) => {
      const clauses = item.needles?.filter((c) => c.length > 0) ?? [];
      if (clauses.length === 0) {
        always.push(index);
        return;
      }
      this.needed[index] = clauses.length;
      for (const clause of clauses) {
        const requirement = requirementItem.length;
        requirementItem.push(index);
        for (const n of clause) {
          let g = byKey.get(n.slot);
          if (!g) {
            g = { slot: n.slot, entries: [] };
            byKey.set(n.slot, g);
          }
          g.entries.push({ text: n.text, id: entryRequirement.length });
          entryRequirement.push(requirement);
          entryText.push(n.text);
        }
      }
    });
    this.always = Int32Array.from(always);
    this.requirementItem = Int32Array.from(requirementItem);
    this.entryRequirement = Int32Array.from(entryRequirement);
    this.entryText = entryText;
    this.entryCheck = new Array(entryText.length);
    this.entryMark = new Int32Array(entryText.length);
    this.entriesFound = new Int32Array(entryText.length);
    this.requirementMark = new Int32Array(requirementItem.length);
    this.requirementsMet = new Int32Array(requirementItem.length);
    this.pending = [...byKey.values()];
  }

  /**
   * The automata, built the first time they are needed. Building them is about a third of compiling the SigmaHQ
   * Windows corpus, and most lists (a channel and event ID each) never see an event in a given run: a rule set is
   * ready sooner, and a list's first event pays for its own automata once. Nothing here can fail: every rule was
   * checked when it was compiled.
   */
  private groupsOf(): Group[] {
    if (this.groups !== undefined) return this.groups;
    const pending = this.pending ?? [];
    const groups: Group[] = [];
    const anchorIds: Int32Array[] = [];
    // The group's anchor ids are base + the automaton's.
    let anchors = 0;
    for (const g of pending) {
      const texts = g.entries.map((e) => e.text);
      const length = g.slot === KEYWORDS_SLOT ? KEYWORD_ANCHOR : ANCHOR;
      const shared = this.automata === undefined ? buildShared(texts, length) : this.automata.shared(texts, length);
      groups.push({ slot: g.slot, base: anchors, automaton: shared.automaton, anchorLength: length });
      anchorIds.push(shared.anchorIds);
      anchors += shared.distinct;
    }
    // Anchor id -> its entries, flat: entries of anchor a are anchorEntries[anchorStart[a] .. anchorStart[a + 1]),
    // in the order of the group's entries (a counting sort by anchor).
    const start = new Int32Array(anchors + 1);
    pending.forEach((g, gi) => {
      const ids = anchorIds[gi] as Int32Array;
      const base = (groups[gi] as Group).base;
      for (let i = 0; i < g.entries.length; i++) {
        const at = base + (ids[i] as number) + 1;
        start[at] = (start[at] as number) + 1;
      }
    });
    for (let a = 0; a < anchors; a++) start[a + 1] = (start[a + 1] as number) + (start[a] as number);
    const next = start.slice(0, anchors);
    const flat = new Int32Array(this.entryText.length);
    pending.forEach((g, gi) => {
      const ids = anchorIds[gi] as Int32Array;
      const base = (groups[gi] as Group).base;
      g.entries.forEach((e, i) => {
        const a = base + (ids[i] as number);
        const at = next[a] as number;
        next[a] = at + 1;
        flat[at] = e.id;
        // An anchor that is its whole literal (one no longer than the group's anchors) needs no check (null); a
        // shorter one is checked on its first hit.
        if (e.text.length <= (groups[gi] as Group).anchorLength) this.entryCheck[e.id] = null;
      });
    });
    this.anchorStart = start;
    this.anchorEntries = flat;
    this.groups = groups;
    this.pending = undefined;
    return groups;
  }

  /** Builds every automaton now instead of on the first event (to measure it, or to pay for it up front). */
  prepare(): void {
    this.groupsOf();
  }

  get length(): number {
    return this.items.length;
  }

  /** Evaluates the possible items against the context's event; `onError` counts predicates that threw. */
  run(ctx: EvalContext, out: T[], onError: () => void): void {
    if (++this.epoch === 0x7fffffff) {
      // Marks are Int32: start over before the epoch would wrap (after 2^31 events of this list).
      this.requirementMark.fill(0);
      this.itemMark.fill(0);
      this.entryMark.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const found = this.found;
    let count = 0;
    const always = this.always;
    for (let i = 0; i < always.length; i++) found[count++] = always[i] as number;
    // Raw values: the alphabet already folds what the variants fold, so nothing is lower-cased here.
    const mark = this.requirementMark;
    const met = this.requirementsMet;
    let metCount = 0;
    const entryMark = this.entryMark;
    const entries = this.entriesFound;
    const entryRequirement = this.entryRequirement;
    const groups = this.groupsOf();
    const anchorStart = this.anchorStart;
    const anchorEntries = this.anchorEntries;
    for (const g of groups) {
      const base = g.base;
      if (g.slot === KEYWORDS_SLOT) {
        // Keyword literals may occur in any value: an anchor's hit meets its requirement unchecked.
        const event = ctx.event;
        const data = event.data;
        let n = 0;
        for (const key in data) {
          const v = data[key];
          if (typeof v === 'string') n = g.automaton.scan(v, entryMark, epoch, entries, n, base);
        }
        n = g.automaton.scan(event.host, entryMark, epoch, entries, n, base);
        n = g.automaton.scan(event.channel, entryMark, epoch, entries, n, base);
        n = g.automaton.scan(event.provider, entryMark, epoch, entries, n, base);
        for (let i = 0; i < n; i++) {
          const a = entries[i] as number;
          for (let j = anchorStart[a] as number, end = anchorStart[a + 1] as number; j < end; j++) {
            const r = entryRequirement[anchorEntries[j] as number] as number;
            if (mark[r] !== epoch) {
              mark[r] = epoch;
              met[metCount++] = r;
            }
          }
        }
      } else {
        const v = ctx.raw(g.slot);
        if (v === undefined) continue;
        const n = g.automaton.scan(v, entryMark, epoch, entries, 0, base);
        // An anchor is a few units of its literal: the whole literal must occur too (under the same folding), or
        // the requirement is not met. This keeps a rule whose hundreds of literals share common anchors (a list
        // of script names) from being evaluated on every event its anchors hit.
        for (let i = 0; i < n; i++) {
          const a = entries[i] as number;
          for (let j = anchorStart[a] as number, end = anchorStart[a + 1] as number; j < end; j++) {
            const e = anchorEntries[j] as number;
            const r = entryRequirement[e] as number;
            if (mark[r] === epoch) continue;
            let check = this.entryCheck[e];
            if (check === undefined) {
              check = foldedOccurrence(this.entryText[e] as string);
              this.entryCheck[e] = check;
            }
            if (check !== null && !check.test(v)) continue;
            mark[r] = epoch;
            met[metCount++] = r;
          }
        }
      }
    }
    // An item is possible once every one of its clauses is met.
    const requirementItem = this.requirementItem;
    const needed = this.needed;
    const itemMark = this.itemMark;
    const itemMet = this.itemMet;
    for (let i = 0; i < metCount; i++) {
      const item = requirementItem[met[i] as number] as number;
      let n = 1;
      if (itemMark[item] === epoch) n = (itemMet[item] as number) + 1;
      else itemMark[item] = epoch;
      itemMet[item] = n;
      if (n === needed[item]) found[count++] = item;
    }
    if (count === 0) return;
    // Rule order is part of the output: evaluate the candidates in index order. Candidates are few (tens),
    // so an in-place insertion sort beats allocating a view to sort.
    for (let i = 1; i < count; i++) {
      const x = found[i] as number;
      let j = i - 1;
      while (j >= 0 && (found[j] as number) > x) {
        found[j + 1] = found[j] as number;
        j--;
      }
      found[j + 1] = x;
    }
    const items = this.items;
    for (let k = 0; k < count; k++) {
      const item = items[found[k] as number] as (typeof items)[number];
      try {
        if (item.pred(ctx)) out.push(item.value);
      } catch {
        // Evaluation must not throw (one odd field must not stop a batch); counted by the caller.
        onError();
      }
    }
  }
}
