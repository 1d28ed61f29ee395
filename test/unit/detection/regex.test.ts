import { alphabetClass } from '../../../src/detection/anchor-automaton.js';
import { compileRegex, regexFacts, regexMinLength, translatePcre } from '../../../src/detection/regex.js';
import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';

type Flags = { i: boolean; m: boolean; s: boolean };
const NONE: Flags = { i: false, m: false, s: false };
const CI: Flags = { i: true, m: false, s: false };

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

// Construct, pattern, flags, values the regex matches. Every value must satisfy every clause (so the prefilter
// lets it through) and be at least minLength long.
const CONSTRUCTS: [string, string, Flags, string[]][] = [
  ['hex escape', '\\x41BCD', NONE, ['xABCDx']],
  ['hex escape, braces', '\\x{263a}smile', NONE, ['a☺smile']],
  ['hex escape, astral', 'x\\x{1F600}yz', NONE, ['x😀yz']],
  ['octal escape', '\\101\\102\\103D', NONE, ['ABCD']],
  ['octal zero', 'ab\\0cd', NONE, ['ab\0cd']],
  ['octal, two digits', 'ab\\012cd', NONE, ['ab\ncd']],
  ['control escapes', 'a\\tb\\nc\\rd\\fe\\vf\\ag', NONE, ['a\tb\nc\rd\fe\vf\x07g']],
  ['escaped punctuation', '\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\-\\_\\#', NONE, ['.*+?()[]{}|^$\\-_#']],
  ['escaped slash (PCRE)', 'a\\/b\\/c', NONE, ['a/b/c']],
  ['digit class', 'abc\\d\\d\\ddef', NONE, ['abc123def']],
  ['non-digit', 'abc\\Ddef', NONE, ['abcxdef']],
  ['space classes', 'abc\\s\\Sdef', NONE, ['abc xdef']],
  ['word classes', 'abc\\w\\Wdef', NONE, ['abcx-def']],
  ['word boundaries', '\\bword\\B\\w+', NONE, ['a wordy']],
  ['horizontal space (PCRE)', 'abc\\hdef', NONE, ['abc\tdef']],
  ['class of members', '[abc]xyz', NONE, ['bxyz']],
  ['class range', '[a-c]xyz', NONE, ['cxyz']],
  ['large range', '[a-z]{3}xyz', NONE, ['qqqxyz']],
  ['negated class', '[^abc]xyz', NONE, ['dxyz', '☺xyz']],
  ['] first in class', '[]a]xyz', NONE, [']xyz', 'axyz']],
  ['] first in negated class', '[^]a]xyz', NONE, ['bxyz']],
  ['- at the end of a class', '[a-]xyz', NONE, ['-xyz']],
  ['- at the start of a class', '[-a]xyz', NONE, ['-xyz']],
  ['POSIX class', '[[:alpha:]]xyz', NONE, ['Qxyz']],
  ['negated POSIX class', '[[:^digit:]]xyz', NONE, ['Qxyz']],
  ['escapes in a class', '[\\d\\x41-\\x43]xyz', NONE, ['Bxyz', '7xyz']],
  ['property in a class', '[\\p{Greek}]xyz', NONE, ['αxyz']],
  ['case pairs in a class', '[Ff][Oo][Oo]bar', NONE, ['FoObar']],
  ['Unicode property', '\\p{Greek}+abc', NONE, ['αβabc']],
  ['negated property', '\\P{Greek}abc', NONE, ['xabc']],
  ['one-letter property', '\\pLabc\\PLdef', NONE, ['xabc1def']],
  ['property negated inside', '\\p{^Greek}abc', NONE, ['xabc']],
  ['number and letter categories', '\\pN\\p{Lu}abc', NONE, ['7Xabc']],
  ['\\Q..\\E quotes', 'x\\Qa.b*c\\Ey', NONE, ['xa.b*cy']],
  ['\\Q to the end', 'x\\Qa.b*c', NONE, ['xa.b*c']],
  ['\\Q..\\E quotes PCRE syntax', '\\Q(?<n>a*+)\\E', NONE, ['(?<n>a*+)']],
  ['quantifier after \\Q..\\E repeats its last character', '\\Qabc\\E*def', NONE, ['abdef', 'abcccdef']],
  ['(?i)', '(?i)abcdef', NONE, ['ABCDEF']],
  ['(?s)', '(?s)abc.def', NONE, ['abc\ndef']],
  ['(?m)', '(?m)^abc$', NONE, ['x\nabc\ny']],
  ['(?U)', '(?U)abc.+def', NONE, ['abcxdef']],
  ['scoped (?i:..)', '(?i:abc)def', NONE, ['ABCdef']],
  ['flags on and off', '(?i-s:abc)def(?-i)ghi', NONE, ['AbCdefghi']],
  ['i sub-modifier', 'abcdef', CI, ['ABCDEF']],
  ['capturing group', '(abc)def', NONE, ['abcdef']],
  ['non-capturing group', '(?:abc)def', NONE, ['abcdef']],
  ['named group (RE2)', '(?P<n>abc)def', NONE, ['abcdef']],
  ['named group (PCRE)', '(?<n>abc)def', NONE, ['abcdef']],
  ['atomic group (PCRE)', '(?>abc)def', NONE, ['abcdef']],
  ['empty group', 'abc()def', NONE, ['abcdef']],
  ['nested groups', '((a(b))c)def', NONE, ['abcdef']],
  ['alternation', 'abcd|efgh', NONE, ['xabcd', 'efghx']],
  ['alternation with an empty branch', 'abcd|', NONE, ['', 'zzz']],
  ['alternation in a group', 'x(abc|def)y', NONE, ['xabcy', 'xdefy']],
  ['alternation with a branch without literals', 'abcd|.+', NONE, ['zz']],
  ['star', 'abc*def', NONE, ['abdef', 'abcccdef']],
  ['plus', 'abc+def', NONE, ['abcdef', 'abcccdef']],
  ['question mark', 'abc?def', NONE, ['abdef', 'abcdef']],
  ['counted', 'ab{3}cd', NONE, ['abbbcd']],
  ['at least', 'ab{2,}cd', NONE, ['abbbbcd']],
  ['between', 'ab{1,3}cd', NONE, ['abbcd']],
  ['zero times', 'abc{0}def', NONE, ['abdef']],
  ['zero to zero', 'abc{0,0}def', NONE, ['abdef']],
  ['group zero times', 'ab(cde){0}fgh', NONE, ['abfgh']],
  ['optional group', 'ab(cde)?fgh', NONE, ['abfgh', 'abcdefgh']],
  ['many copies', '(?:ab){12}', NONE, ['ab'.repeat(12)]],
  ['lazy star', 'abc*?def', NONE, ['abdef']],
  ['lazy plus', 'abc+?def', NONE, ['abccdef']],
  ['lazy question mark', 'abc??def', NONE, ['abdef']],
  ['lazy counted', 'ab{1,3}?cd', NONE, ['abbbcd']],
  ['possessive (PCRE)', 'abc*+def', NONE, ['abcdef']],
  ['a brace that is no quantifier', 'ab{,3}cd', NONE, ['ab{,3}cd']],
  ['a lone brace', 'ab{cd', NONE, ['ab{cd']],
  ['anchors', '^abc$', NONE, ['abc']],
  ['text anchors', '\\Aabc\\z', NONE, ['abc']],
  ['\\Z (PCRE)', 'abc\\Z', NONE, ['abc\n']],
  ['dot', 'ab.cd', NONE, ['abxcd', 'ab😀cd']],
  ['Kelvin sign, case-insensitive', '(?i)kernel', NONE, ['\u212aernel', 'KERNEL']],
  ['long s, case-insensitive', '(?i)system', NONE, ['\u017fy\u017ftem']],
  ['Greek sigma, case-insensitive', '(?i)οδοσ', NONE, ['ΟΔΟΣ', 'οδος']],
  ['sharp s, case-insensitive', '(?i)straße', NONE, ['STRAẞE']],
  ['dotted capital I', 'İstanbul', NONE, ['İstanbul']],
  ['dotted capital I, case-insensitive', '(?i)İstanbul', NONE, ['İSTANBUL']],
  ['accented letters, case-insensitive', '(?i)éèê', NONE, ['ÉÈÊ']],
  ['astral characters repeated', 'ab😀+cd', NONE, ['ab😀😀cd']],
  ['astral character optional', 'abc😀?def', NONE, ['abcdef']],
];

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
