import { nestsDeeperThan, readInteger, readName, windowsText } from '../../../src/events/values.js';

describe('windowsText', () => {
  it.each<[unknown, string]>([
    ['text', 'text'],
    [6708, '6708'],
    [0, '0'],
    [-1.5, '-1.5'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [undefined, ''],
    [{ '#text': 42 }, '42'],
    [[1, 'a'], '[1,"a"]'],
    [{ a: { b: 1 } }, '{"a":{"b":1}}'],
  ])('%j -> %j', (value, expected) => {
    expect(windowsText(value)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, unknown, string]>([
    ['a value nested 33 deep', JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`), 'document nested too deeply'],
    [
      'a value nested 10,000 deep',
      JSON.parse(`${'['.repeat(10000)}${']'.repeat(10000)}`),
      'document nested too deeply',
    ],
    ['NaN', Number.NaN, 'invalid number'],
    ['a bigint', 1n, 'invalid value type'],
  ])('rejects %s', (_name, value, error) => {
    expect(windowsText(value)).toEqual({ ok: false, error });
  });

  it('accepts nesting up to the limit', () => {
    expect(nestsDeeperThan(JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`), 32)).toBe(false);
  });
});

describe('readInteger', () => {
  it.each<[unknown, number | undefined]>([
    [3, 3],
    ['3', 3],
    [' 42 ', 42],
    [{ '#text': '7036' }, 7036],
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
  ])('%j -> %j', (value, expected) => {
    expect(readInteger(value)).toEqual({ ok: true, value: expected });
  });

  it.each(['abc', '3a', -1, 3.5, '9999999999999999', true, {}, []])('rejects %j', (value) => {
    expect(readInteger(value)).toEqual({ ok: false });
  });
});

describe('readName', () => {
  it.each<[unknown, string | undefined]>([
    [' WORKSTATION5 ', 'WORKSTATION5'],
    ['Desktop-5sua567', 'Desktop-5sua567'],
    ['  ', undefined],
    [5, undefined],
    [{ '#text': 'x' }, 'x'],
  ])('%j -> %j', (value, expected) => {
    expect(readName(value)).toBe(expected);
  });
});
