/**
 * Figures of alternated A/B runs (bench/cold/alternate.ts, asset-ab.ts): collected by name, printed with the
 * median, the range and every run, so the noise stays in sight.
 */

export class AlternatedFigures {
  private readonly figures = new Map<string, number[]>();

  /** Adds one run's value; a value that is not a number (the run did not report it) is left out. */
  add(name: string, value: unknown): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    this.figures.set(name, [...(this.figures.get(name) ?? []), value]);
  }

  /** One line per figure, by name: median, min-max and the runs, rounded. */
  print(nameWidth: number): void {
    for (const [name, xs] of [...this.figures].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const runs = xs.map((x) => Math.round(x)).join(' ');
      console.log(
        `${name.padEnd(nameWidth)} median ${Math.round(median(xs))}, ${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} [${runs}]`,
      );
    }
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
