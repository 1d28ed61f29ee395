/**
 * The condition grammar of the Sigma specification: `and`, `or`, `not`, parentheses, `1 of`/`any of`/
 * `all of` a search-identifier pattern or `them`; precedence (loosest first) or, and, not, x of, brackets.
 * Parsed once into a tree, then compiled into a closure over the search identifiers' predicates.
 */
import type { Compiled, Pred } from './detection-compiler.js';
import { bestOf, type Needles, unionOf } from './prefilter.js';

export type Condition =
  | { type: 'id'; name: string }
  | { type: 'and'; items: Condition[] }
  | { type: 'or'; items: Condition[] }
  | { type: 'not'; item: Condition }
  | { type: 'of'; min: number | 'all'; names: string[] };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function tokenize(text: string): string[] {
  return text.match(/\(|\)|[^\s()]+/g) ?? [];
}

/** Parses a condition against the rule's search identifiers (needed to expand `them` and patterns). */
export function parseCondition(text: string, names: readonly string[]): Compiled<Condition> {
  if (text.includes('|'))
    return fail(`aggregation in condition is not Sigma 2 syntax (use a correlation rule): ${text}`);
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const lower = (): string | undefined => tokens[pos]?.toLowerCase();

  function parseOr(): Compiled<Condition> {
    const items: Condition[] = [];
    for (;;) {
      const r = parseAnd();
      if (!r.ok) return r;
      items.push(r.value);
      if (lower() !== 'or') break;
      pos++;
    }
    return { ok: true, value: items.length === 1 ? (items[0] as Condition) : { type: 'or', items } };
  }
  function parseAnd(): Compiled<Condition> {
    const items: Condition[] = [];
    for (;;) {
      const r = parseNot();
      if (!r.ok) return r;
      items.push(r.value);
      if (lower() !== 'and') break;
      pos++;
    }
    return { ok: true, value: items.length === 1 ? (items[0] as Condition) : { type: 'and', items } };
  }
  function parseNot(): Compiled<Condition> {
    if (lower() === 'not') {
      pos++;
      const r = parseNot();
      if (!r.ok) return r;
      return { ok: true, value: { type: 'not', item: r.value } };
    }
    return parseAtom();
  }
  function parseAtom(): Compiled<Condition> {
    const tok = peek();
    if (tok === undefined) return fail(`unexpected end of condition: ${text}`);
    if (tok === '(') {
      pos++;
      const r = parseOr();
      if (!r.ok) return r;
      if (peek() !== ')') return fail(`missing ')' in condition: ${text}`);
      pos++;
      return r;
    }
    if (tok === ')') return fail(`unexpected ')' in condition: ${text}`);
    const quant = tok.toLowerCase();
    if (tokens[pos + 1]?.toLowerCase() === 'of' && (quant === 'all' || quant === 'any' || /^\d+$/.test(quant))) {
      const target = tokens[pos + 2];
      if (target === undefined || target === '(' || target === ')') return fail(`'of' needs a pattern: ${text}`);
      pos += 3;
      const matched =
        target.toLowerCase() === 'them' ? names.filter((n) => !n.startsWith('_')) : names.filter(globber(target));
      if (matched.length === 0) return fail(`'${target}' matches no search identifier`);
      const min = quant === 'all' ? 'all' : quant === 'any' ? 1 : Number(quant);
      if (min === 0) return fail(`'0 of' is not valid: ${text}`);
      return { ok: true, value: { type: 'of', min, names: matched } };
    }
    if (['and', 'or', 'not', 'of'].includes(quant)) return fail(`unexpected '${tok}' in condition: ${text}`);
    if (tok.includes('*')) return fail(`a pattern needs '1 of' or 'all of': ${tok}`);
    if (!names.includes(tok)) return fail(`condition names unknown search identifier '${tok}'`);
    pos++;
    return { ok: true, value: { type: 'id', name: tok } };
  }

  if (tokens.length === 0) return fail('empty condition');
  const r = parseOr();
  if (!r.ok) return r;
  if (pos < tokens.length) return fail(`unexpected '${tokens[pos]}' in condition: ${text}`);
  return r;
}

function globber(pattern: string): (name: string) => boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return (name) => re.test(name);
}

/** Compiles a condition tree into one predicate. */
export function compileCondition(cond: Condition, preds: ReadonlyMap<string, Pred>): Pred {
  switch (cond.type) {
    case 'id':
      return preds.get(cond.name) as Pred;
    case 'not': {
      const p = compileCondition(cond.item, preds);
      return (ctx) => !p(ctx);
    }
    case 'and':
    case 'or': {
      const ps = cond.items.map((c) => compileCondition(c, preds));
      return junction(ps, cond.type === 'and');
    }
    case 'of': {
      const ps = cond.names.map((n) => preds.get(n) as Pred);
      if (cond.min === 'all') return junction(ps, true);
      if (cond.min === 1) return junction(ps, false);
      const min = cond.min;
      return (ctx) => {
        let hits = 0;
        for (const p of ps) if (p(ctx) && ++hits >= min) return true;
        return false;
      };
    }
  }
}

function junction(ps: Pred[], and: boolean): Pred {
  if (ps.length === 1) return ps[0] as Pred;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return and ? (ctx) => a(ctx) && b(ctx) : (ctx) => a(ctx) || b(ctx);
  }
  return and
    ? (ctx) => {
        for (const p of ps) if (!p(ctx)) return false;
        return true;
      }
    : (ctx) => {
        for (const p of ps) if (p(ctx)) return true;
        return false;
      };
}

/**
 * The event IDs a condition requires, when the search identifiers pin `EventID` to plain values; undefined
 * when any event ID could match. Used only to index rules, never to decide a match.
 */
export function requiredEventIds(
  cond: Condition,
  idsOf: (name: string) => ReadonlySet<number> | undefined,
): ReadonlySet<number> | undefined {
  switch (cond.type) {
    case 'id':
      return idsOf(cond.name);
    case 'not':
      return undefined;
    case 'and':
    case 'or':
    case 'of': {
      const items: (ReadonlySet<number> | undefined)[] =
        cond.type === 'of' ? cond.names.map(idsOf) : cond.items.map((c) => requiredEventIds(c, idsOf));
      const and = cond.type === 'and' || (cond.type === 'of' && cond.min === 'all');
      if (and) {
        let acc: Set<number> | undefined;
        for (const s of items) {
          if (!s) continue;
          acc = acc ? new Set([...acc].filter((x) => s.has(x))) : new Set(s);
        }
        return acc;
      }
      const acc = new Set<number>();
      for (const s of items) {
        if (!s) return undefined;
        for (const x of s) acc.add(x);
      }
      return acc;
    }
  }
}

/** The prefilter literals of a condition: AND keeps the most selective branch, OR needs every branch. */
export function conditionNeedles(cond: Condition, needlesOf: (name: string) => Needles): Needles {
  switch (cond.type) {
    case 'id':
      return needlesOf(cond.name);
    case 'not':
      return undefined;
    case 'and':
      return bestOf(cond.items.map((c) => conditionNeedles(c, needlesOf)));
    case 'or':
      return unionOf(cond.items.map((c) => conditionNeedles(c, needlesOf)));
    case 'of': {
      const items = cond.names.map(needlesOf);
      return cond.min === 'all' ? bestOf(items) : unionOf(items);
    }
  }
}
