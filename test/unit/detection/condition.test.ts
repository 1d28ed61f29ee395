import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';

const detection = `sel_a:
    A: '1'
sel_b:
    B: '1'
filter_c:
    C: '1'
_hidden:
    D: '1'`;

// [condition, event data, expected]
const cases: [string, Record<string, string>, boolean][] = [
  ['sel_a and sel_b', { A: '1', B: '1' }, true],
  ['sel_a and sel_b', { A: '1' }, false],
  ['sel_a or sel_b', { B: '1' }, true],
  ['sel_a or sel_b', { C: '1' }, false],
  ['sel_a and not filter_c', { A: '1' }, true],
  ['sel_a and not filter_c', { A: '1', C: '1' }, false],
  ['not sel_a', { B: '1' }, true],
  ['not not sel_a', { A: '1' }, true],
  ['sel_a or sel_b and filter_c', { A: '1' }, true], // and binds tighter than or
  ['(sel_a or sel_b) and filter_c', { A: '1' }, false],
  ['not sel_a or sel_b', { A: '1', B: '1' }, true], // not binds tighter than or
  ['not (sel_a or sel_b)', { A: '1' }, false],
  ['1 of sel_*', { B: '1' }, true],
  ['any of sel_*', { B: '1' }, true],
  ['1 of sel_*', { C: '1' }, false],
  ['all of sel_*', { A: '1', B: '1' }, true],
  ['all of sel_*', { A: '1' }, false],
  ['2 of sel_* or filter_c', { A: '1', B: '1' }, true],
  ['1 of them', { D: '1' }, false], // them excludes names starting with _
  ['1 of them', { C: '1' }, true],
  ['all of them', { A: '1', B: '1', C: '1' }, true], // _hidden is not required
  ['1 of _hid*', { D: '1' }, true], // an explicit pattern may name _ identifiers
  ['1 of sel_* and not 1 of filter*', { A: '1', C: '1' }, false],
  ['sel_a AND sel_b', { A: '1', B: '1' }, true],
];

describe('conditions', () => {
  it.each(cases)('%s with %j -> %s', (condition, data, expected) => {
    expect(ruleMatches(processRule(`${detection}\ncondition: ${condition}`), sysmonEvent(data))).toBe(expected);
  });

  it.each([
    [{ A: '1' }, true],
    [{ B: '1' }, true],
    [{ C: '1' }, false],
  ])('a list of conditions is OR: %j -> %s', (data, expected) => {
    const rule = processRule(`${detection}\ncondition:\n    - sel_a\n    - sel_b`);
    expect(ruleMatches(rule, sysmonEvent(data))).toBe(expected);
  });
});
