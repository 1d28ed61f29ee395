/**
 * Sigma string values: plain text with the `*` and `?` wildcards and the backslash escapes of the
 * specification ("Escape Character"), and their compilation into allocation-free string tests.
 */

/** A wildcard inside a Sigma string: `*` (any run of characters) or `?` (exactly one character). */
export const ANY = 0;
export const ONE = 1;
export type Wildcard = typeof ANY | typeof ONE;
/** Literal text or a wildcard. Adjacent literals are always merged. */
export type Part = string | Wildcard;

/** A parsed Sigma string: `raw` is the text as written (used by `re`, `cidr`, `fieldref`), `parts` its meaning. */
export interface SigmaString {
  raw: string;
  parts: Part[];
}

/**
 * Parses a rule string value. `\*`, `\?` and `\\` escape; a backslash before any other character (or at
 * the end) is a literal backslash, so `\\\*` is a backslash then a plain asterisk and `\\*` a backslash
 * then a wildcard.
 */
export function parseSigmaString(raw: string): SigmaString {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(c === '*' ? ANY : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return { raw, parts };
}

/** A Sigma string holding only literal text (no wildcards). */
export function literalString(text: string): SigmaString {
  return { raw: text, parts: text ? [text] : [] };
}

export function hasWildcards(s: SigmaString): boolean {
  return s.parts.some((p) => typeof p !== 'string');
}

/** The literal text of a string without wildcards; `undefined` if it has any. */
export function plainText(s: SigmaString): string | undefined {
  let out = '';
  for (const p of s.parts) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}

/** Maps every literal part, keeping wildcards; merges literals again. */
export function mapLiterals(s: SigmaString, f: (text: string) => string): SigmaString {
  return { raw: s.raw, parts: normalise(s.parts.map((p) => (typeof p === 'string' ? f(p) : p))) };
}

export function withParts(s: SigmaString, parts: Part[]): SigmaString {
  return { raw: s.raw, parts: normalise(parts) };
}

function normalise(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string') {
      if (!p) continue;
      if (typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
    } else if (!(p === ANY && last === ANY)) {
      out.push(p);
    }
  }
  return out;
}

/** Tests an already case-folded (or not, when cased) field value. */
export type StringTest = (value: string) => boolean;

/**
 * Compiles a Sigma string into a test. `fold` is applied to the literals once here (lower-casing, dash
 * folding) so the per-event side only folds the field value, once per event and field (see EvalContext).
 * The common shapes (equal, prefix, suffix, substring) become one native string call; other `*`-only
 * patterns an ordered indexOf scan; patterns with `?` a small backtracking glob, linear in practice and
 * never exponential (O(n*m) worst case).
 */
export function compileStringTest(s: SigmaString, fold: (text: string) => string): StringTest {
  const parts = s.parts.map((p) => (typeof p === 'string' ? fold(p) : p));
  const n = parts.length;
  if (n === 0) return (v) => v === '';
  const first = parts[0];
  const last = parts[n - 1];
  if (n === 1 && typeof first === 'string') return (v) => v === first;
  if (n === 1 && first === ANY) return () => true;
  if (n === 2 && first === ANY && typeof last === 'string') return (v) => v.endsWith(last);
  if (n === 2 && typeof first === 'string' && last === ANY) return (v) => v.startsWith(first);
  if (n === 3 && first === ANY && last === ANY && typeof parts[1] === 'string') {
    const mid = parts[1];
    return (v) => v.includes(mid);
  }
  if (!parts.includes(ONE)) return starOnlyTest(parts);
  return globTest(parts);
}

/** `*`-only patterns: prefix, suffix, then each middle literal leftmost in order (greedy is exact here). */
function starOnlyTest(parts: Part[]): StringTest {
  const prefix = typeof parts[0] === 'string' ? parts[0] : '';
  const suffix =
    parts.length > 1 && typeof parts[parts.length - 1] === 'string' ? (parts[parts.length - 1] as string) : '';
  const middles = parts
    .slice(prefix ? 1 : 0, suffix ? parts.length - 1 : parts.length)
    .filter((p): p is string => typeof p === 'string');
  const minLength = prefix.length + suffix.length;
  return (v) => {
    if (v.length < minLength || !v.startsWith(prefix) || !v.endsWith(suffix)) return false;
    let pos = prefix.length;
    const end = v.length - suffix.length;
    for (const m of middles) {
      const at = v.indexOf(m, pos);
      if (at < 0 || at + m.length > end) return false;
      pos = at + m.length;
    }
    return true;
  };
}

/** General glob over characters, with single-star backtracking. */
function globTest(parts: Part[]): StringTest {
  // Expand to a token array: a string of one char, ANY or ONE.
  const tokens: (string | Wildcard)[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) tokens.push(ch);
    else tokens.push(p);
  }
  return (value) => {
    const v = Array.from(value);
    let ti = 0;
    let vi = 0;
    let starTi = -1;
    let starVi = 0;
    while (vi < v.length) {
      const t = tokens[ti];
      if (t === ONE || (typeof t === 'string' && t === v[vi])) {
        ti++;
        vi++;
      } else if (t === ANY) {
        starTi = ti++;
        starVi = vi;
      } else if (starTi >= 0) {
        ti = starTi + 1;
        vi = ++starVi;
      } else {
        return false;
      }
    }
    while (tokens[ti] === ANY) ti++;
    return ti === tokens.length;
  };
}
