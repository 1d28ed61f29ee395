/**
 * Literal prefiltering. Testing every rule of a logsource against every event is thousands of substring
 * searches per process creation. Instead each rule gets, at compile time, a set of literals of which at
 * least one MUST occur in a given (folded) field for the rule to match; per event one Aho-Corasick pass per
 * field finds which rules are still possible, and only those (plus rules without such literals) are
 * evaluated. The prefilter may let through rules that then do not match, never the reverse.
 */
import type { EvalContext, Variant } from './eval-context.js';

/** The pseudo-slot of keyword needles: the literal must occur in some value of the event. */
export const KEYWORDS_SLOT = -1;

/** A literal that must occur in the field `slot` (or any value, for {@link KEYWORDS_SLOT}), folded for `variant`. */
export interface Needle {
  slot: number;
  variant: Variant;
  text: string;
}

/** Necessary literals (at least one occurs), or undefined when nothing is known. */
export type Needles = readonly Needle[] | undefined;

// Fragments present in most Windows events: a literal made of them filters nothing, so an AND prefers
// another branch. Only a choice between necessary literals; soundness does not depend on this list.
const COMMON =
  /c:|windows|system32|syswow64|program files|\(x86\)|users|appdata|local|roaming|\.exe|\.dll|microsoft|\\/g;

function informativeLength(text: string): number {
  return text.toLowerCase().replace(COMMON, '').length;
}

function quality(n: readonly Needle[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const x of n) min = Math.min(min, Math.min(informativeLength(x.text), ANCHOR + 2));
  // Longer shortest informative literal first, then fewer literals.
  return min * 1e6 - n.length;
}

/** AND: any child's literals are necessary; keep the most selective. */
export function bestOf(children: readonly Needles[]): Needles {
  let best: readonly Needle[] | undefined;
  for (const c of children) if (c && c.length > 0 && (!best || quality(c) > quality(best))) best = c;
  return best;
}

/** OR: necessary only if every branch has literals; then their union. */
export function unionOf(children: readonly Needles[]): Needles {
  const out: Needle[] = [];
  for (const c of children) {
    if (!c || c.length === 0) return undefined;
    out.push(...c);
  }
  return out;
}

/** Anchors are at most this long: it bounds the automaton's depth and so its size. */
const ANCHOR = 4;

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
// The only non-ASCII characters whose lower case contains ASCII: dotted capital I and the Kelvin sign. With
// them folded here, the automaton can scan raw values for lower-cased literals.
CLASS[0x130] = CLASS[0x69] as number;
CLASS[0x212a] = CLASS[0x6b] as number;
// windash: `/`, en dash, em dash and horizontal bar are one class with `-` (extra candidates only).
for (const c of [0x2f, 0x2013, 0x2014, 0x2015]) CLASS[c] = CLASS[0x2d] as number;
const K = classCount;

class Automaton {
  private readonly table: Int32Array;
  private readonly outputs: (Int32Array | undefined)[];

  constructor(anchors: readonly { text: string; rule: number }[]) {
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    for (const { text, rule } of anchors) {
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        const c = CLASS[text.charCodeAt(i)] as number;
        let next = children[s]?.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          children[s]?.set(c, next);
        }
        s = next;
      }
      own[s]?.push(rule);
    }
    const n = children.length;
    const table = new Int32Array(n * K);
    const fail = new Int32Array(n);
    const merged: number[][] = own.map((o) => [...o]);
    const queue: number[] = [];
    for (const [c, child] of children[0] ?? []) {
      table[c] = child;
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      const f = fail[s] as number;
      merged[s] = [...new Set([...(merged[s] ?? []), ...(merged[f] ?? [])])];
      for (let c = 0; c < K; c++) {
        const child = children[s]?.get(c);
        if (child === undefined) {
          table[s * K + c] = table[f * K + c] as number;
        } else {
          table[s * K + c] = child;
          fail[child] = s === 0 ? 0 : (table[f * K + c] as number);
          queue.push(child);
        }
      }
    }
    this.table = table;
    this.outputs = merged.map((m) => (m.length > 0 ? Int32Array.from(m) : undefined));
  }

  /** Appends to `found` (once each, tracked by `mark`) every rule whose anchor occurs in `value`; returns the new count. */
  scan(value: string, mark: Int32Array, epoch: number, found: Int32Array, count: number): number {
    const table = this.table;
    const outputs = this.outputs;
    let s = 0;
    let n = count;
    for (let i = 0; i < value.length; i++) {
      s = table[s * K + (CLASS[value.charCodeAt(i)] as number)] as number;
      const out = outputs[s];
      if (out === undefined) continue;
      for (let j = 0; j < out.length; j++) {
        const r = out[j] as number;
        if (mark[r] !== epoch) {
          mark[r] = epoch;
          found[n++] = r;
        }
      }
    }
    return n;
  }
}

/** Picks, per literal, its rarest short substring within the group (rare anchors filter best). */
function anchorsOf(texts: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of new Set(texts)) {
    const seen = new Set<string>();
    for (let i = 0; i + ANCHOR <= t.length; i++) seen.add(t.slice(i, i + ANCHOR));
    for (const g of seen) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return texts.map((t) => {
    if (t.length <= ANCHOR) return t;
    let best = t.slice(t.length - ANCHOR);
    let bestCount = counts.get(best) ?? 0;
    for (let i = t.length - ANCHOR - 1; i >= 0; i--) {
      const g = t.slice(i, i + ANCHOR);
      const c = counts.get(g) ?? 0;
      if (c < bestCount) {
        best = g;
        bestCount = c;
      }
    }
    return best;
  });
}

/** One automaton per field: the alphabet folds case and dashes, so every variant's literals share it. */
interface Group {
  slot: number;
  automaton: Automaton;
}

/** A list of predicates evaluated with prefiltering. `T` is what a match reports. */
export class PrefilteredList<T> {
  /** Indices of the items without literals: evaluated for every event. */
  private readonly always: Int32Array;
  private readonly mark: Int32Array;
  /** Scratch: the indices to evaluate for the current event. */
  private readonly found: Int32Array;
  private readonly groups: Group[] = [];
  private epoch = 0;

  constructor(private readonly items: readonly { value: T; pred: (ctx: EvalContext) => boolean; needles: Needles }[]) {
    this.mark = new Int32Array(items.length);
    this.found = new Int32Array(items.length);
    const always: number[] = [];
    const byKey = new Map<number, { slot: number; entries: { text: string; rule: number }[] }>();
    items.forEach((item, rule) => {
      if (!item.needles || item.needles.length === 0) {
        always.push(rule);
        return;
      }
      for (const n of item.needles) {
        let g = byKey.get(n.slot);
        if (!g) {
          g = { slot: n.slot, entries: [] };
          byKey.set(n.slot, g);
        }
        g.entries.push({ text: n.text, rule });
      }
    });
    this.always = Int32Array.from(always);
    for (const g of byKey.values()) {
      const anchors = anchorsOf(g.entries.map((e) => e.text));
      const automaton = new Automaton(g.entries.map((e, i) => ({ text: anchors[i] as string, rule: e.rule })));
      this.groups.push({ slot: g.slot, automaton });
    }
  }

  get length(): number {
    return this.items.length;
  }

  /** Evaluates the possible items against the context's event; `onError` counts predicates that threw. */
  run(ctx: EvalContext, out: T[], onError: () => void): void {
    const epoch = ++this.epoch;
    const mark = this.mark;
    const found = this.found;
    let count = 0;
    for (const always of this.always) {
      mark[always] = epoch;
      found[count++] = always;
    }
    // Raw values: the alphabet already folds what the variants fold, so nothing is lower-cased here.
    for (const g of this.groups) {
      if (g.slot === KEYWORDS_SLOT) {
        const event = ctx.event;
        for (const key in event.data) {
          const v = event.data[key];
          if (typeof v === 'string') count = g.automaton.scan(v, mark, epoch, found, count);
        }
        for (const v of [event.host, event.channel, event.provider]) {
          count = g.automaton.scan(v, mark, epoch, found, count);
        }
      } else {
        const v = ctx.raw(g.slot);
        if (v !== undefined) count = g.automaton.scan(v, mark, epoch, found, count);
      }
    }
    if (count === 0) return;
    // Rule order is part of the output: evaluate the candidates in index order.
    const candidates = found.subarray(0, count).sort();
    const items = this.items;
    for (let k = 0; k < candidates.length; k++) {
      const item = items[candidates[k] as number] as (typeof items)[number];
      try {
        if (item.pred(ctx)) out.push(item.value);
      } catch {
        // Evaluation must not throw (one odd field must not stop a batch); counted by the caller.
        onError();
      }
    }
  }
}
