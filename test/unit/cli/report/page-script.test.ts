/**
 * The time axis of the report's script, evaluated as the browser runs it (the text is inlined in the page): bins and
 * ticks proportional to time, calendar-aligned, as many as their labels fit, over minutes and over years.
 */
import { TIME_AXIS_SCRIPT } from '../../../../cli/report/page-script.js';

interface Tick {
  t: number;
  label: string;
}
interface TimeAxis {
  binSize(span: number, maxBins: number): number;
  ticks(from: number, to: number, maxLabels: (chars: number) => number): { step: unknown; ticks: Tick[] };
}

const timeAxis = new Function(`${TIME_AXIS_SCRIPT}; return timeAxis;`)() as TimeAxis;
const MIN = 60_000;
const DAY = 86_400_000;
/** As the page computes it: a 928-unit plot, 6.6 units per character, 24 between labels. */
const fit = (chars: number) => Math.floor(928 / (chars * 6.6 + 24));

describe('the report time axis', () => {
  it.each([
    ['an hour', '2020-10-22T05:24:00Z', '2020-10-22T06:25:00Z', ['10-22 05:30', '10-22 05:40'], 6],
    ['a day', '2020-10-22T00:00:00Z', '2020-10-23T00:00:00Z', ['10-22 00:00', '10-22 03:00'], 9],
    ['two months', '2020-09-01T00:00:00Z', '2020-10-31T00:00:00Z', ['2020-09-03', '2020-09-10'], 9],
    ['a year and a half', '2019-03-14T00:00:00Z', '2020-10-29T00:00:00Z', ['2019-05', '2019-07'], 10],
    ['thirty years', '1995-06-01T00:00:00Z', '2025-01-01T00:00:00Z', ['1996', '1998'], 18],
  ])('over %s', (_what, from, to, firstLabels, most) => {
    const [lo, hi] = [Date.parse(from), Date.parse(to)];
    const { ticks } = timeAxis.ticks(lo, hi, fit);
    expect(ticks.slice(0, 2).map((t) => t.label)).toEqual(firstLabels);
    expect(ticks.length).toBeLessThanOrEqual(most);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((t) => t.t >= lo && t.t <= hi)).toBe(true);
    expect(ticks.every((t, i) => i === 0 || t.t > (ticks[i - 1] as Tick).t)).toBe(true);
    // Proportional: the labels' widths at their positions never touch.
    const x = (t: number) => (928 * (t - lo)) / (hi - lo);
    for (let i = 1; i < ticks.length; i++) {
      const [a, b] = [ticks[i - 1] as Tick, ticks[i] as Tick];
      expect(x(b.t) - x(a.t)).toBeGreaterThan((a.label.length + b.label.length) * 3.3);
    }
  });

  it.each([
    [60 * MIN, 240, MIN],
    [DAY, 240, 15 * MIN],
    [590 * DAY, 240, 7 * DAY],
    [30 * 365 * DAY, 240, 91 * DAY],
  ])('a span of %d ms in at most %d bins: bins of %d ms', (span, maxBins, bin) => {
    expect(timeAxis.binSize(span, maxBins)).toBe(bin);
  });
});
