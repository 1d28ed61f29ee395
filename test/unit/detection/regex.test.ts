import { regexLiteral, translatePcre } from '../../../src/detection/regex.js';

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
