import { levelOfCriticality } from '../../../../src/detection/gene/criticality.js';

describe('levelOfCriticality', () => {
  it.each([
    [0, 'informational'],
    [1, 'low'],
    [3, 'low'],
    [4, 'medium'],
    [6, 'medium'],
    [7, 'high'],
    [8, 'high'],
    [9, 'critical'],
    [10, 'critical'],
    [15, 'critical'],
    [-3, 'informational'],
    [Number.NaN, 'informational'],
  ])('%s -> %s', (c, level) => {
    expect(levelOfCriticality(c)).toBe(level);
  });
});
