/**
 * A Gene rule's Condition: match names (`$a`) combined with `and` (`AND`, `&&`), `or` (`OR`, `||`), `!` and
 * parentheses, `!` binding tightest and `and` tighter than `or` (Gene prioritises the same way).
 *
 * Gene's evaluator lets a match name follow another with no operator between them, and the later one's value
 * then replaces the earlier one's; one public rule relies on that (`$wlp2 $wlp3`), so it is read the same way.
 */
import type { Parsed } from './gene-match.js';

export type GeneCondition =
  | { type: 'name'; name: string }
  | { type: 'not'; item: GeneCondition }
  | { type: 'and' | 'or'; items: GeneCondition[] };

type Token = '(' | ')' | '!' | 'and' | 'or' | { name: string };

function tokenize(text: string): Parsed<Token[]> {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|!|&&|\|\||\$\w+|[A-Za-z]+)/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return { ok: false, error: `condition: unexpected text at ${at}: ${text.slice(at, at + 20)}` };
    at = re.lastIndex;
    const t = m[1] as string;
    if (t === '(' || t === ')' || t === '!') tokens.push(t);
    else if (t === '&&' || t === 'and' || t === 'AND') tokens.push('and');
    else if (t === '||' || t === 'or' || t === 'OR') tokens.push('or');
    else if (t.startsWith('$')) tokens.push({ name: t });
    else return { ok: false, error: `condition: unknown word ${t}` };
  }
  return { ok: true, value: tokens };
}

/** Parses a condition; every name must be one of `names`. Never throws. */
export function parseGeneCondition(text: string, names: ReadonlySet<string>): Parsed<GeneCondition> {
  const tokenized = tokenize(text);
  if (!tokenized.ok) return tokenized;
  const tokens = tokenized.value;
  if (tokens.length === 0) return { ok: false, error: 'empty condition' };
  let pos = 0;
  const fail = (error: string): { ok: false; error: string } => ({ ok: false, error: `condition "${text}": ${error}` });

  const primary = (): Parsed<GeneCondition> => {
    const t = tokens[pos];
    if (t === undefined) return fail('ends too early');
    if (t === '!') {
      pos++;
      const inner = primary();
      return inner.ok ? { ok: true, value: { type: 'not', item: inner.value } } : inner;
    }
    if (t === '(') {
      pos++;
      const inner = or();
      if (!inner.ok) return inner;
      if (tokens[pos] !== ')') return fail('missing )');
      pos++;
      return inner;
    }
    if (typeof t === 'object') {
      if (!names.has(t.name)) return fail(`unknown operand ${t.name}`);
      pos++;
      // A name right after a name: the later one's value is the one Gene keeps.
      let last: GeneCondition = { type: 'name', name: t.name };
      while (typeof tokens[pos] === 'object' || tokens[pos] === '!') {
        const next = primary();
        if (!next.ok) return next;
        last = next.value;
      }
      return { ok: true, value: last };
    }
    return fail(`unexpected ${t}`);
  };
  const chain = (op: 'and' | 'or', item: () => Parsed<GeneCondition>): Parsed<GeneCondition> => {
    const first = item();
    if (!first.ok) return first;
    const items = [first.value];
    while (tokens[pos] === op) {
      pos++;
      const next = item();
      if (!next.ok) return next;
      items.push(next.value);
    }
    return { ok: true, value: items.length === 1 ? first.value : { type: op, items } };
  };
  const and = () => chain('and', primary);
  const or = (): Parsed<GeneCondition> => chain('or', and);

  const tree = or();
  if (!tree.ok) return tree;
  if (pos < tokens.length) return fail(`unexpected ${JSON.stringify(tokens[pos])}`);
  return tree;
}

/** The names a condition uses. */
export function conditionNames(c: GeneCondition, out = new Set<string>()): Set<string> {
  if (c.type === 'name') out.add(c.name);
  else if (c.type === 'not') conditionNames(c.item, out);
  else for (const i of c.items) conditionNames(i, out);
  return out;
}
