/**
 * Sigma `re` values run through re2js, a linear-time engine: rule regexes meet attacker-controlled fields,
 * so catastrophic backtracking must be impossible. PCRE constructs RE2 lacks are rewritten where the rewrite
 * keeps the meaning (or widens it harmlessly, e.g. a possessive quantifier becomes greedy); lookarounds and
 * backreferences cannot run in linear time and reject the rule.
 */
import { RE2JS } from 're2js';

export const LOOKAROUND_REASON = 'regex uses lookaround/backreference, which a linear-time engine cannot run';

export type RegexResult = { ok: true; value: RE2JS } | { ok: false; error: string };

/** Compiles a Sigma regex with its `i`/`m`/`s` sub-modifiers. */
export function compileRegex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }): RegexResult {
  const translated = translatePcre(pattern);
  if (!translated.ok) return translated;
  let f = 0;
  if (flags.i) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) f |= RE2JS.MULTILINE;
  if (flags.s) f |= RE2JS.DOTALL;
  try {
    return { ok: true, value: RE2JS.compile(translated.value, f) };
  } catch (error) {
    return {
      ok: false,
      error: `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Rewrites the PCRE-only syntax RE2 can express; reports lookarounds and backreferences. */
export function translatePcre(pattern: string): { ok: true; value: string } | { ok: false; error: string } {
  let out = '';
  let inClass = false;
  let afterQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (c === '\\') {
      if (next === undefined) return { ok: false, error: 'invalid regular expression: trailing backslash' };
      if (next === 'Q' && !inClass) {
        // `\Q...\E` quotes its text: nothing inside is rewritten (a `(?<` or `*+` there is literal text).
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop - 1;
        afterQuantifier = false;
        continue;
      }
      if (!inClass && (next === 'k' || next === 'g')) return { ok: false, error: LOOKAROUND_REASON };
      if (!inClass && /[1-9]/.test(next)) {
        // PCRE reads `\101` as octal only when it is not a group number (fewer groups, 10 or more) and starts
        // with an octal digit; RE2 then reads it the same. Anything else is a backreference.
        const digits = /^[0-9]+/.exec(pattern.slice(i + 1))?.[0] ?? '';
        const groups = pattern.split('(').length - 1;
        if (Number(digits) < 10 || /[89]/.test(next) || Number(digits) <= groups || !/^[0-7]{2,3}/.test(digits))
          return { ok: false, error: LOOKAROUND_REASON };
      }
      if (next === 'Z' && !inClass) out += '(?:\\n?\\z)';
      else if (next === 'h') out += inClass ? '\\t ' : '[\\t ]';
      else if (next === '/') out += '/';
      else out += c + next;
      i++;
      afterQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member.
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      afterQuantifier = false;
      continue;
    }
    if (c === '(' && next === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') {
        return { ok: false, error: LOOKAROUND_REASON };
      }
      if (rest.startsWith('>')) {
        out += '(?:';
        i += 2;
        afterQuantifier = false;
        continue;
      }
      if (rest.startsWith('<')) {
        out += '(?P<';
        i += 2;
        afterQuantifier = false;
        continue;
      }
    }
    if (c === '+' && afterQuantifier) {
      // Possessive quantifier: RE2 has none; greedy matches a superset, which is what a detection wants.
      afterQuantifier = false;
      continue;
    }
    out += c;
    afterQuantifier = c === '*' || c === '+' || c === '?' || c === '}';
    if (c === '?' && out.endsWith('(?')) afterQuantifier = false;
  }
  return { ok: true, value: out };
}

/**
 * What every match of a pattern is known to hold, for the literal prefilter and the length gate. Strings are
 * UTF-16 text with ASCII letters lower-cased: the prefilter's alphabet (anchor-automaton.ts) ignores ASCII
 * case and puts every case-insensitive partner of a character in that character's class, so what is known
 * does not depend on the `i` flag.
 */
export interface RegexFacts {
  /** Each list holds strings of which every match contains at least one; all lists hold at once. */
  clauses: string[][];
  /** A lower bound on the length, in UTF-16 code units, of any match. */
  minLength: number;
}

/** What a pattern the analysis does not fully parse yields: nothing (no needle, no length bound). */
const NOTHING_KNOWN: RegexFacts = { clauses: [], minLength: 0 };

/** Largest exact, prefix or suffix set kept; a bigger one is given up (which only forgets facts). */
const MAX_SET = 16;
/** Largest character class read as its members; a bigger class is one unknown character. */
const MAX_CLASS = 4;
/** Copies of a repeated item spelled out (`x{100}` is known to hold `x` eight times, then more). */
const MAX_COPIES = 8;
/** Strings shorter than this filter nearly nothing; a clause holding one is not worth an anchor. */
const MIN_NEEDLE = 3;

/**
 * One parsed piece of a pattern. `exact`, when known, is every string the piece can match; otherwise every
 * match starts with one of `prefix` and ends with one of `suffix` (`['']`: nothing known).
 */
interface Info {
  min: number;
  exact: string[] | undefined;
  prefix: string[];
  suffix: string[];
  clauses: string[][];
}

const EMPTY: Info = { min: 0, exact: [''], prefix: [''], suffix: [''], clauses: [] };
const UNKNOWN: Info = { min: 0, exact: undefined, prefix: [''], suffix: [''], clauses: [] };
const ANY_CHAR: Info = { ...UNKNOWN, min: 1 };

class NotUnderstood extends Error {}

function exactly(strings: string[]): Info {
  const min = Math.min(...strings.map((s) => [...s].length));
  return { min, exact: strings, prefix: strings, suffix: strings, clauses: [] };
}

function cross(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length * b.length > MAX_SET * 4) return undefined;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out.size <= MAX_SET ? [...out] : undefined;
}

function union(a: readonly string[], b: readonly string[]): string[] | undefined {
  const out = new Set([...a, ...b]);
  return out.size <= MAX_SET ? [...out] : undefined;
}

const starts = (x: Info): string[] => x.exact ?? x.prefix;
const ends = (x: Info): string[] => x.exact ?? x.suffix;

/** A set usable as a clause: non-empty, and no member is empty (an empty member is found everywhere). */
function asClause(set: readonly string[] | undefined): string[] | undefined {
  return set && set.length > 0 && !set.includes('') ? [...set] : undefined;
}

/** Every necessary clause an Info implies. */
function clausesOf(x: Info): string[][] {
  const out = [...x.clauses];
  for (const set of x.exact ? [x.exact] : [x.prefix, x.suffix]) {
    const c = asClause(set);
    if (c) out.push(c);
  }
  return out;
}

/** The strength of a clause: its shortest string (a short one lets most values through). */
const strength = (clause: readonly string[]): number => Math.min(...clause.map((s) => s.length));

function strongest(clauses: readonly string[][]): string[] | undefined {
  let best: string[] | undefined;
  for (const c of clauses) if (!best || strength(c) > strength(best)) best = c;
  return best;
}

function cat(a: Info, b: Info): Info {
  const min = a.min + b.min;
  if (a.exact && b.exact) {
    const exact = cross(a.exact, b.exact);
    if (exact) return { min, exact, prefix: exact, suffix: exact, clauses: [...a.clauses, ...b.clauses] };
  }
  const clauses = [...clausesOf(a), ...clausesOf(b)];
  // Where the two meet, a's end runs into b's start.
  const junction = asClause(cross(ends(a), starts(b)));
  if (junction) clauses.push(junction);
  const prefix = (a.exact ? cross(a.exact, b.prefix) : undefined) ?? (a.exact ? a.exact : a.prefix);
  const suffix = (b.exact ? cross(a.suffix, b.exact) : undefined) ?? (b.exact ? b.exact : b.suffix);
  return { min, exact: undefined, prefix, suffix, clauses };
}

function alt(a: Info, b: Info): Info {
  const min = Math.min(a.min, b.min);
  if (a.exact && b.exact) {
    const exact = union(a.exact, b.exact);
    if (exact) return { min, exact, prefix: exact, suffix: exact, clauses: [] };
  }
  const ca = strongest(clausesOf(a));
  const cb = strongest(clausesOf(b));
  const either = ca && cb ? union(ca, cb) : undefined;
  return {
    min,
    exact: undefined,
    prefix: union(starts(a), starts(b)) ?? [''],
    suffix: union(ends(a), ends(b)) ?? [''],
    clauses: either ? [either] : [],
  };
}

function repeat(x: Info, min: number, max: number): Info {
  if (max === 0) return EMPTY;
  if (min === 0) {
    const exact = max === 1 && x.exact ? union(x.exact, ['']) : undefined;
    return exact ? { min: 0, exact, prefix: exact, suffix: exact, clauses: [] } : UNKNOWN;
  }
  let head = x;
  for (let k = 1; k < Math.min(min, MAX_COPIES); k++) head = cat(head, x);
  if (min === max && min <= MAX_COPIES) return head;
  // More copies may follow (or were not spelled out): the match still ends with a match of x.
  const r = cat(head, UNKNOWN);
  return { ...r, min: x.min * min, suffix: ends(x) };
}

const lowerAscii = (cp: number): string => String.fromCodePoint(cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const PERL_CLASSES = 'dDsSwW';
const CHAR_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

/**
 * Parses an RE2 pattern (the syntax re2js accepts, after {@link translatePcre}) into what every match holds.
 * Anything it does not recognise exactly gives {@link NOTHING_KNOWN}: when in doubt, no needle.
 */
export function regexFacts(pattern: string): RegexFacts {
  let i = 0;
  const n = pattern.length;
  const fail = (): never => {
    throw new NotUnderstood();
  };

  /** `\pL`, `\p{Greek}`, `\P{^Greek}` after the backslash and the letter at `i`. */
  function skipProperty(): void {
    i += 2;
    if (pattern[i] === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) fail();
      i = end + 1;
    } else if (i < n && /[A-Za-z]/.test(pattern[i] as string)) {
      i++;
    } else {
      fail();
    }
  }

  /** A backslash escape that stands for one character (outside or inside a class); advances past it. */
  function charEscape(): number {
    const d = pattern[i + 1];
    if (d === undefined) return fail();
    const named = CHAR_ESCAPES[d];
    if (named !== undefined) {
      i += 2;
      return named;
    }
    if (d === 'x') {
      if (pattern[i + 2] === '{') {
        const m = /^\{([0-9A-Fa-f]{1,8})\}/.exec(pattern.slice(i + 2));
        const cp = m ? Number.parseInt(m[1] as string, 16) : Number.NaN;
        if (!m || !(cp <= 0x10ffff)) return fail();
        i += 2 + m[0].length;
        return cp;
      }
      const m = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2, i + 4));
      if (!m) return fail();
      i += 4;
      return Number.parseInt(m[0], 16);
    }
    if (isOctal(d)) {
      // `\0` and up to two more octal digits; `\1`-`\7` only with a second digit (alone, a backreference).
      if (d !== '0' && !isOctal(pattern[i + 2])) return fail();
      let j = i + 1;
      let cp = 0;
      while (j < i + 4 && isOctal(pattern[j])) cp = cp * 8 + Number(pattern[j++]);
      i = j;
      return cp;
    }
    const code = d.charCodeAt(0);
    if (code < 0x80 && !/[0-9A-Za-z]/.test(d)) {
      i += 2;
      return code;
    }
    return fail();
  }

  function charClass(): Info {
    i++; // [
    let negated = false;
    if (pattern[i] === '^') {
      negated = true;
      i++;
    }
    const members = new Set<string>();
    let large = false;
    let first = true;
    for (;;) {
      if (i >= n) fail();
      const c = pattern[i] as string;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (pattern.startsWith('[:', i)) {
        const m = /^\[:\^?[a-z]+:\]/.exec(pattern.slice(i));
        if (m) {
          i += m[0].length;
          large = true;
          continue;
        }
      }
      let lo: number;
      if (c === '\\') {
        const d = pattern[i + 1];
        if (d !== undefined && PERL_CLASSES.includes(d)) {
          i += 2;
          large = true;
          continue;
        }
        if (d === 'p' || d === 'P') {
          skipProperty();
          large = true;
          continue;
        }
        lo = charEscape();
      } else {
        lo = pattern.codePointAt(i) as number;
        i += lo > 0xffff ? 2 : 1;
      }
      if (pattern[i] === '-' && pattern[i + 1] !== ']' && i + 1 < n) {
        i++;
        let hi: number;
        if (pattern[i] === '\\') hi = charEscape();
        else {
          hi = pattern.codePointAt(i) as number;
          i += hi > 0xffff ? 2 : 1;
        }
        if (hi < lo) fail();
        if (hi - lo >= MAX_SET) large = true;
        else for (let cp = lo; cp <= hi; cp++) members.add(lowerAscii(cp));
      } else {
        members.add(lowerAscii(lo));
      }
    }
    if (negated || large || members.size > MAX_CLASS) return ANY_CHAR;
    return exactly([...members]);
  }

  function group(): Info {
    i++; // (
    if (pattern[i] === '?') {
      const m = /^\?(?:P?<[A-Za-z0-9_]+>|[imsU]*(?:-[imsU]*)?([:)]))/.exec(pattern.slice(i));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
      // Flags alone change how what follows matches, never which literals it needs (see RegexFacts).
      if (m?.[1] === ')') return EMPTY;
    }
    const inner = alternation();
    if (pattern[i] !== ')') fail();
    i++;
    return inner;
  }

  /** One atom, or several for `\Q...\E` (a quantifier after it repeats only its last character). */
  function atoms(): Info[] {
    const c = pattern[i] as string;
    switch (c) {
      case '(':
        return [group()];
      case '[':
        return [charClass()];
      case '.':
        i++;
        return [ANY_CHAR];
      case '^':
      case '$':
        i++;
        return [EMPTY];
      case '*':
      case '+':
      case '?':
        return fail();
      case '\\': {
        const d = pattern[i + 1];
        if (d === 'Q') {
          const end = pattern.indexOf('\\E', i + 2);
          const text = pattern.slice(i + 2, end < 0 ? n : end);
          i = end < 0 ? n : end + 2;
          return [...text].map((ch) => exactly([lowerAscii(ch.codePointAt(0) as number)]));
        }
        if (d !== undefined && PERL_CLASSES.includes(d)) {
          i += 2;
          return [ANY_CHAR];
        }
        if (d === 'p' || d === 'P') {
          skipProperty();
          return [ANY_CHAR];
        }
        if (d === 'b' || d === 'B' || d === 'A' || d === 'z') {
          i += 2;
          return [EMPTY];
        }
        return [exactly([lowerAscii(charEscape())])];
      }
      default: {
        if (c === '{' && /^\{\d+(?:,\d*)?\}/.test(pattern.slice(i))) fail();
        const cp = pattern.codePointAt(i) as number;
        i += cp > 0xffff ? 2 : 1;
        return [exactly([lowerAscii(cp)])];
      }
    }
  }

  /** A quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy), or undefined. */
  function quantifier(): { min: number; max: number } | undefined {
    const c = pattern[i];
    let q: { min: number; max: number } | undefined;
    if (c === '*') q = { min: 0, max: Number.POSITIVE_INFINITY };
    else if (c === '+') q = { min: 1, max: Number.POSITIVE_INFINITY };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) i++;
    else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(pattern.slice(i));
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
      if (min > 1000 || (max !== Number.POSITIVE_INFINITY && (max > 1000 || max < min))) fail();
      q = { min, max };
      i += m[0].length;
    } else {
      return undefined;
    }
    if (pattern[i] === '?') i++;
    return q;
  }

  function concatenation(): Info {
    let acc = EMPTY;
    while (i < n && pattern[i] !== '|' && pattern[i] !== ')') {
      const items = atoms();
      const q = quantifier();
      if (q) {
        const last = items.pop();
        if (!last) return fail();
        items.push(repeat(last, q.min, q.max));
        // A quantifier right after another is an error to RE2 (`a**`); do not guess at it.
        if (quantifier()) fail();
      }
      for (const item of items) acc = cat(acc, item);
    }
    return acc;
  }

  function alternation(): Info {
    let acc = concatenation();
    while (pattern[i] === '|') {
      i++;
      acc = alt(acc, concatenation());
    }
    return acc;
  }

  let top: Info;
  try {
    top = alternation();
    if (i !== n) return NOTHING_KNOWN;
  } catch (error) {
    if (error instanceof NotUnderstood) return NOTHING_KNOWN;
    throw error;
  }
  const clauses = prune(clausesOf(top).filter((c) => c.every((s) => s.length >= MIN_NEEDLE)));
  return { clauses, minLength: top.min };
}

/** Drops clauses another clause implies (each of its strings contains one of theirs), strongest first. */
function prune(clauses: string[][]): string[][] {
  const sorted = [...clauses].sort((a, b) => strength(b) - strength(a) || a.length - b.length);
  const kept: string[][] = [];
  for (const c of sorted) {
    const implied = kept.some((k) => k.every((s) => c.some((t) => s.includes(t))));
    if (!implied) kept.push(c);
  }
  return kept;
}

/** The necessary literal clauses of an RE2 pattern (see {@link regexFacts}). */
export function regexClauses(pattern: string): string[][] {
  return regexFacts(pattern).clauses;
}

/**
 * A lower bound on the length (UTF-16 code units) of any match of an RE2 `pattern`, so values shorter than
 * it skip the regex engine (`.{1000,}` on a short command line). Each character counts one code unit (a code
 * point is at least one); a pattern not understood gives 0, so the bound is never too high.
 */
export function regexMinLength(pattern: string): number {
  return regexFacts(pattern).minLength;
}
