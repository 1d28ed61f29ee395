/** One printed benchmark figure. */
export interface Figure {
  name: string;
  value: string;
}

/** events/s with thousands separators. */
export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
}

/** The baseline every throughput figure is printed beside: JSON.parse + JSON.stringify of each record, in ms. */
export function measureBaseline(records: readonly Uint8Array[]): number {
  const decoder = new TextDecoder();
  const start = performance.now();
  let sink = 0;
  for (const record of records) sink += JSON.stringify(JSON.parse(decoder.decode(record))).length;
  const elapsed = performance.now() - start;
  if (sink < 0) throw new Error('unreachable: keeps the work from being optimised away');
  return elapsed;
}

/** Prints a titled block of figures. */
export function printFigures(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...figures.map((figure) => figure.name.length));
  for (const figure of figures) console.log(`  ${figure.name.padEnd(width)}  ${figure.value}`);
}
