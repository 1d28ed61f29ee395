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
