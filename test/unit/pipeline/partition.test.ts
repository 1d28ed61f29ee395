/** partitionOf (src/pipeline/partition.ts): the `dt=/hour=` of a time, with the last hour remembered. */
import { partitionOf } from '../../../src/pipeline/partition.js';

/** The partition computed here from the ISO time, without the remembered hour. */
function expected(time: number): string {
  const iso = new Date(time).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

describe('partitionOf', () => {
  it.each([
    ['an hour, then the same hour again', [Date.UTC(2026, 11, 3, 10, 0, 0, 0), Date.UTC(2026, 11, 3, 10, 59, 59, 999)]],
    [
      'across an hour boundary and back',
      [Date.UTC(2026, 11, 3, 10, 59, 59, 999), Date.UTC(2026, 11, 3, 11), Date.UTC(2026, 11, 3, 10, 30)],
    ],
    [
      'across midnight and a year',
      [Date.UTC(2025, 11, 31, 23, 59), Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2025, 11, 31, 23, 1)],
    ],
    ['before 1970 (negative times)', [-1, 0, -3_600_000, -3_600_001, Date.UTC(1969, 6, 20, 20, 17)]],
  ])('%s', (_name, times) => {
    for (const time of times) expect(partitionOf(time)).toBe(expected(time));
  });

  it('gives the hour of the time it is given, not of the one before', () => {
    expect(partitionOf(Date.UTC(2026, 11, 3, 10))).toBe('dt=2026-12-03/hour=10');
    expect(partitionOf(Date.UTC(2026, 11, 3, 11))).toBe('dt=2026-12-03/hour=11');
    expect(partitionOf(Date.UTC(2026, 11, 4, 11))).toBe('dt=2026-12-04/hour=11');
  });

  it('throws for a time that is not one, as before (never the last hour remembered)', () => {
    partitionOf(Date.UTC(2026, 11, 3, 10));
    expect(() => partitionOf(Number.NaN)).toThrow(RangeError);
  });
});
