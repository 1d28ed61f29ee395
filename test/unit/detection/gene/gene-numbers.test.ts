import { parseGeneInt, parseGeneNumber } from '../../../../src/detection/gene/gene-numbers.js';

describe('Gene numbers (Go base 0)', () => {
  it.each([
    ['0x1F', 31n],
    ['0X10', 16n],
    ['0b101', 5n],
    ['0o17', 15n],
    ['017', 15n],
    ['0', 0n],
    ['42', 42n],
    ['-8', -8n],
    ['0x7FFFFFFFFFFFFFFF', (1n << 63n) - 1n],
  ])('%s is %s', (text, n) => {
    expect(parseGeneInt(text)).toBe(n);
  });

  it.each([['0x8000000000000000'], ['09'], ['1.5'], [''], [' 1'], ['0x'], ['abc']])('%j is no integer', (text) => {
    expect(parseGeneInt(text)).toBeUndefined();
  });

  it.each([
    ['1.5', 1.5],
    ['0x10', 16],
    ['1e3', 1000],
    ['-2', -2],
    ['.5', 0.5],
  ])('number %s is %s', (text, n) => {
    expect(parseGeneNumber(text)).toBe(n);
  });

  it.each([['x'], ['1.2.3'], ['']])('%j is no number', (text) => {
    expect(parseGeneNumber(text)).toBeUndefined();
  });
});
