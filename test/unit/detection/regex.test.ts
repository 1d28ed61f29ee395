import { compileRegex, regexLiteral, regexMinLength, translatePcre } from '../../../src/detection/regex.js';

describe('regexLiteral (prefilter literal a match must contain)', () => {
  it.each([
    ['\\$PSHome\\[\\s*\\d{1,3}', false, '$PSHome['],
    ['abc?def', false, 'def'],
    ['abcd+ef', false, 'abcd'],
    ['(x|y)hello[0-9]world', false, 'hello'],
    ['a|bcdef', false, undefined],
    ['^C:\\\\Users\\\\[^\\\\]+\\\\NTUSER\\.DAT$', false, '\\NTUSER.DAT'],
    ['(?i)task', true, undefined], // s and k end runs when case-insensitive
    ['ab', false, undefined],
  ])('%s -> %s', (pattern, ci, expected) => {
    expect(regexLiteral(pattern, ci as boolean)).toBe(expected);
  });
});

describe('translatePcre', () => {
  it.each([
    ['a\\Z', 'a(?:\\n?\\z)'],
    ['a*+b', 'a*b'],
    ['(?>ab)', '(?:ab)'],
    ['(?<name>x)', '(?P<name>x)'],
    ['[\\Z]', '[\\Z]'],
  ])('%s -> %s', (pattern, expected) => {
    expect(translatePcre(pattern)).toEqual({ ok: true, value: expected });
  });
});

describe('regexMinLength (values shorter than any match skip the engine)', () => {
  const flags = { i: false, m: false, s: false };
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
  ])('%s -> %i', (pattern, bound, shortest) => {
    expect(regexMinLength(pattern)).toBe(bound);
    const re = compileRegex(pattern, flags);
    expect(re.ok && re.value.test(shortest)).toBe(true);
  });

  it.each([['\\Qa.b\\E'], ['(unclosed'], ['[unclosed']])(
    'gives 0 (no bound) for what it does not parse: %s',
    (pattern) => {
      expect(regexMinLength(pattern)).toBe(0);
    },
  );
});
