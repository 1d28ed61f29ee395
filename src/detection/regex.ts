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
      if (!inClass && (/[1-9]/.test(next) || next === 'k' || next === 'g'))
        return { ok: false, error: LOOKAROUND_REASON };
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

const QUANTIFIER_START = /^(?:[?*+]|\{\d*(?:,\d*)?\})/;

/**
 * The longest literal run every match of the pattern must contain (for the prefilter), or undefined. Only
 * the top level is read (groups, classes and escapes like `\d` end a run; a top-level `|` gives up). In
 * case-insensitive patterns `k` and `s` also end a run: Unicode folds them with K (Kelvin) and long s,
 * which the prefilter's alphabet does not.
 */
export function regexLiteral(pattern: string, caseInsensitive: boolean): string | undefined {
  const ci = caseInsensitive || pattern.includes('(?i');
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    let literal: string | undefined;
    let width = 1;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && /[^0-9A-Za-z]/.test(next)) literal = next;
      width = 2;
    } else if (c === '|') {
      return undefined;
    } else if (c === '(') {
      end();
      let depth = 0;
      for (; i < pattern.length; i++) {
        const x = pattern[i];
        if (x === '\\') i++;
        else if (x === '[') {
          while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
        } else if (x === '(') depth++;
        else if (x === ')' && --depth === 0) break;
      }
      width = 1;
      const q = QUANTIFIER_START.exec(pattern.slice(i + 1));
      if (q) i += q[0].length;
      continue;
    } else if (c === '[') {
      end();
      let j = i + 1;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      const q = QUANTIFIER_START.exec(pattern.slice(i + 1));
      if (q) i += q[0].length;
      continue;
    } else if (!'.^$?*+{}'.includes(c)) {
      literal = c;
    }
    i += width - 1;
    if (literal === undefined || (ci && /[ks]/i.test(literal))) {
      end();
      const q = QUANTIFIER_START.exec(pattern.slice(i + 1));
      if (q) i += q[0].length;
      continue;
    }
    const q = QUANTIFIER_START.exec(pattern.slice(i + 1));
    if (q) {
      // `a?`, `a*`, `a{0,n}` make the character optional; `a+`, `a{2}` keep one occurrence.
      const optional = q[0] === '?' || q[0] === '*' || /^\{0/.test(q[0]);
      if (!optional) run += literal;
      end();
      i += q[0].length;
      continue;
    }
    run += literal;
  }
  end();
  return best.length >= 3 ? best : undefined;
}

/**
 * A lower bound on the length (UTF-16 code units) of any match of an RE2 `pattern`, so values shorter than
 * it skip the regex engine (`.{1000,}` on a short command line). Each atom counts one character (a code
 * point is at least one code unit); anything not understood counts zero, and a pattern not understood
 * gives 0, so the bound is never too high.
 */
export function regexMinLength(pattern: string): number {
  let i = 0;
  let bad = false;
  const quantifier = /^(?:[*?+]|\{(\d+)(?:,\d*)?\})[?+]?/;

  function alternation(): number {
    let best = sequence();
    while (!bad && pattern[i] === '|') {
      i++;
      best = Math.min(best, sequence());
    }
    return best;
  }

  function sequence(): number {
    let total = 0;
    while (!bad && i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      const width = atom();
      const q = quantifier.exec(pattern.slice(i));
      if (q) {
        i += q[0].length;
        const head = q[0][0];
        total += head === '*' || head === '?' ? 0 : head === '+' ? width : width * Number(q[1]);
      } else {
        total += width;
      }
    }
    return total;
  }

  function atom(): number {
    const c = pattern[i] as string;
    if (c === '(') {
      i++;
      if (pattern[i] === '?') {
        // Flags `(?i)`, a flagged group `(?i:...)`, a named group `(?P<name>...)` / `(?<name>...)`.
        const m = /^\?(?:[imsU-]*[:)]|P?<[A-Za-z_][A-Za-z0-9_]*>)/.exec(pattern.slice(i));
        if (!m) {
          bad = true;
          return 0;
        }
        i += m[0].length;
        if (m[0].endsWith(')')) return 0;
      }
      const inner = alternation();
      if (pattern[i] !== ')') {
        bad = true;
        return 0;
      }
      i++;
      return inner;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j += 2;
        else if (pattern.startsWith('[:', j)) {
          const end = pattern.indexOf(':]', j + 2);
          j = end < 0 ? j + 1 : end + 2;
        } else j++;
      }
      if (j >= pattern.length) {
        bad = true;
        return 0;
      }
      i = j + 1;
      return 1;
    }
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) {
        bad = true;
        return 0;
      }
      if (next === 'p' || next === 'P') {
        const m = /^\\[pP](?:\{[^}]*\}|[A-Za-z])/.exec(pattern.slice(i));
        if (!m) {
          bad = true;
          return 0;
        }
        i += m[0].length;
        return 1;
      }
      if (next === 'x') {
        const m = /^\\x(?:\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})/.exec(pattern.slice(i));
        if (!m) {
          bad = true;
          return 0;
        }
        i += m[0].length;
        return 1;
      }
      if (next === 'Q') {
        bad = true;
        return 0;
      }
      i += 2;
      // Character escapes and classes are one character; assertions (\b \B \A \z) and anything else zero.
      return /[dDsSwWntrfva\\^$.|?*+()[\]{}\-/'"`~!@#%&=:;,<> ]/.test(next) ? 1 : 0;
    }
    i++;
    if (c === '^' || c === '$') return 0;
    // A lone high surrogate is half of one character: count the pair once.
    if (c >= '\ud800' && c <= '\udbff') return 0;
    return 1;
  }

  const n = alternation();
  return bad || i !== pattern.length ? 0 : n;
}
