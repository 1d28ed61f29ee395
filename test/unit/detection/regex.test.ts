import { alphabetClass } from '../../../src/detection/anchor-automaton.js';
import { compileRegex, regexFacts, regexMinLength, translatePcre } from '../../../src/detection/regex.js';
import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';
import { CONSTRUCTS, NONE } from './prefilter-cases.js';

/** Whether `needle` occurs in `value` with units of one alphabet class taken as equal (what the automaton sees). */
function occursFolded(needle: string, value: string): boolean {
  for (let at = 0; at + needle.length <= value.length; at++) {
    let k = 0;
    while (k < needle.length && alphabetClass(needle.charCodeAt(k)) === alphabetClass(value.charCodeAt(at + k))) k++;
    if (k === needle.length) return true;
  }
  return false;
}

/** The facts of a Sigma regex as the detection compiler reads them (after the PCRE rewrites). */
function factsOf(pattern: string) {
  const t = translatePcre(pattern);
  if (!t.ok) throw new Error(t.error);
  return regexFacts(t.value);
}

describe('regexFacts: every clause holds for values the regex matches', () => {
  it.each(CONSTRUCTS)('%s: %s', (_name, pattern, flags, values) => {
    const re = compileRegex(pattern, flags);
    if (!re.ok) throw new Error(re.error);
    const facts = factsOf(pattern);
    for (const value of values) {
      expect(re.value.test(value)).toBe(true);
      for (const clause of facts.clauses) expect(clause.some((needle) => occursFolded(needle, value))).toBe(true);
      expect(value.length).toBeGreaterThanOrEqual(facts.minLength);
    }
  });

  it.each(CONSTRUCTS)('%s: a rule with %s matches through the prefilter', (_name, pattern, flags, values) => {
    // JSON text is a YAML double-quoted scalar: the pattern reaches the rule as written.
    const modifiers = flags.i ? 're|i' : 're';
    const rule = processRule(
      `selection:\n    CommandLine|${modifiers}: ${JSON.stringify(pattern)}\ncondition: selection`,
    );
    for (const value of values) {
      expect(ruleMatches(rule, sysmonEvent({ CommandLine: value }))).toBe(true);
      expect(ruleMatches(rule, sysmonEvent({ CommandLine: value }), { prefilter: false })).toBe(true);
    }
  });

  // The needles the old extractor got wrong, and what they are now.
  it.each([
    ['\\x41BC', [['abc']]],
    ['\\x{263a}xyz', [['☺xyz']]],
    ['\\p{Greek}abc', [['abc']]],
    ['\\Qa.b\\E', [['a.b']]],
    ['\\101\\102\\103', [['abc']]],
    ['(?i)task', [['task']]],
    ['abc?def', [['abcdef', 'abdef']]],
    ['(x|y)hello[0-9]world', [['xhello', 'yhello'], ['world']]],
    ['abc|abd|abe', [['abc', 'abd', 'abe']]],
    ['\\$PSHome\\[\\s*\\d{1,3}', [['$pshome[']]],
    ['^C:\\\\Users\\\\[^\\\\]+\\\\NTUSER\\.DAT$', [['\\ntuser.dat'], ['c:\\users\\']]],
  ])('%s needs %j', (pattern, clauses) => {
    expect(factsOf(pattern).clauses).toEqual(clauses);
  });

  it.each([
    ['a|bcdef'], // a branch with no literal of three characters
    ['ab'], // too short to be worth an anchor
    ['(abc)*'],
    ['(?:abc)?'],
    ['abc{0}'], // `ab` only
    ['[^abc]{5}'],
    ['\\d+\\.\\d+'],
    ['(unclosed'], // not parsed: no needle
    ['[unclosed'],
    ['a**'],
    ['\\8abc'],
  ])('%s needs nothing', (pattern) => {
    expect(regexFacts(pattern).clauses).toEqual([]);
  });
});

describe('Sigma regexes RE2 does not accept are rejected, not left to never match', () => {
  it.each([['\\u0041bc'], ['\\cA'], ['[\\Qab\\E]'], ['a{2}{3}'], ['x{1001}'], ['(?=ab)c'], ['(a)\\1']])(
    '%s',
    (pattern) => {
      expect(compileRegex(pattern, NONE).ok).toBe(false);
    },
  );
});

describe('translatePcre', () => {
  it.each([
    ['a\\Z', 'a(?:\\n?\\z)'],
    ['a*+b', 'a*b'],
    ['(?>ab)', '(?:ab)'],
    ['(?<name>x)', '(?P<name>x)'],
    ['[\\Z]', '[\\Z]'],
    ['\\Q(?<n>a*+\\Z\\E(?<m>b)', '\\Q(?<n>a*+\\Z\\E(?P<m>b)'],
    ['\\Qa(?=b)', '\\Qa(?=b)'],
  ])('%s -> %s', (pattern, expected) => {
    expect(translatePcre(pattern)).toEqual({ ok: true, value: expected });
  });
});

describe('regexMinLength (values shorter than any match skip the engine)', () => {
  // pattern, bound, a shortest match (the bound must not exceed it) or undefined
  it.each([
    ['.{1000,}', 1000, 'x'.repeat(1000)],
    ['abc', 3, 'abc'],
    ['a|bcdef', 1, 'a'],
    ['(?:ab|c)d+', 2, 'cd'],
    ['^C:\\\\Users\\\\[^\\\\]+$', 10, 'C:\\Users\\x'],
    ['x{2,5}y?z*', 2, 'xx'],
    ['(?i)ab\\b', 2, 'AB'],
    ['\\d{3}\\s\\w', 5, '123 a'],
    ['[]a]{2}', 2, ']a'],
    ['\\x41\\x{42}\\pL\\p{Greek}', 4, 'ABcα'],
    ['(?P<n>ab)+?', 2, 'ab'],
    ['', 0, ''],
    ['a*', 0, ''],
    ['\\Aab\\z', 2, 'ab'],
    ['\\Qa.b\\E', 3, 'a.b'],
    ['😀{2}', 2, '😀😀'],
  ])('%s -> %i', (pattern, bound, shortest) => {
    expect(regexMinLength(pattern)).toBe(bound);
    const re = compileRegex(pattern, NONE);
    expect(re.ok && re.value.test(shortest)).toBe(true);
    expect(shortest.length).toBeGreaterThanOrEqual(bound);
  });

  it.each([['(unclosed'], ['[unclosed'], ['a)']])('gives 0 (no bound) for what it does not parse: %s', (pattern) => {
    expect(regexMinLength(pattern)).toBe(0);
  });
});
