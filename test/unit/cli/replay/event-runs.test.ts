/**
 * The external sort: runs written sorted, merged back in event-time order with input order among equal times,
 * whatever the number of runs (more than the fan-in are merged in groups first).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fieldsOf,
  lineOf,
  mergeRuns,
  type SpilledEvent,
  spilledLine,
  writeRun,
} from '../../../../cli/replay/event-runs.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';

function event(time: number, n: number): CanonicalEvent {
  return {
    host: `h${n % 5}`,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time,
    format: 'nxlog',
    data: { n: String(n), text: 'line\nfeed "quoted" \u00e9\u4e2d' },
  };
}

/**
 * The expected order, written here rather than taken from event-runs.ts (whose compareSpilled the merge itself
 * uses): event time, then input order (`seq`).
 */
function inExpectedOrder(items: readonly SpilledEvent[]): SpilledEvent[] {
  return [...items].sort((a, b) => (a.event.time !== b.event.time ? a.event.time - b.event.time : a.seq - b.seq));
}

/** A deterministic generator (LCG), so a failure can be replayed. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
}

async function mergedOf(files: string[], batch: number, scratch?: string, fanIn?: number): Promise<SpilledEvent[]> {
  const out: SpilledEvent[] = [];
  for await (const items of mergeRuns(files, batch, scratch, fanIn)) {
    expect(items.length).toBeLessThanOrEqual(batch);
    out.push(...items);
  }
  return out;
}

describe('writeRun and mergeRuns', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-runs-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** `count` events with few distinct times (many ties), in `runs` runs as replay spills them. */
  async function spill(count: number, runs: number): Promise<{ files: string[]; all: SpilledEvent[] }> {
    const next = numbers(count + runs);
    const all: SpilledEvent[] = [];
    for (let seq = 0; seq < count; seq++)
      all.push({ seq, origin: seq % 3, position: seq, event: event(1_600_000_000_000 + (next() % 50), seq) });
    const files: string[] = [];
    const per = Math.ceil(count / runs);
    for (let r = 0; r < runs; r++) {
      const file = path.join(folder, `run-${r}.jsonl`);
      await writeRun(file, all.slice(r * per, (r + 1) * per));
      files.push(file);
    }
    return { files, all };
  }

  it('merges runs into event-time order, equal times in input order, events unchanged', async () => {
    const { files, all } = await spill(2000, 7);
    const merged = await mergedOf(files, 64);
    const expected = inExpectedOrder(all);
    // Each merged event carries the run line it was read from (written again as it is while unchanged).
    expect(merged.map(({ line: _, ...item }) => item)).toEqual(expected);
    expect(merged.map((item) => item.line)).toEqual(expected.map(spilledLine));
    // Ties exist, and keep their input order (seq ascending) within a time.
    expect(new Set(all.map((item) => item.event.time)).size).toBeLessThan(100);
  });

  it('merges more runs than the fan-in through intermediate runs, with the same result', async () => {
    const { files, all } = await spill(600, 40);
    const scratch = path.join(folder, 'scratch');
    await import('node:fs/promises').then((fs) => fs.mkdir(scratch));
    const merged = await mergedOf(files, 50, scratch, 6);
    expect(merged.map((item) => item.seq)).toEqual(inExpectedOrder(all).map((item) => item.seq));
    expect((await readdir(scratch)).length).toBeGreaterThan(0);
  });

  it('merges empty and single runs', async () => {
    expect(await mergedOf([], 10)).toEqual([]);
    const { files, all } = await spill(5, 1);
    expect((await mergedOf(files, 10)).map((item) => item.seq)).toEqual(inExpectedOrder(all).map((item) => item.seq));
  });

  it('a merged event keeps its line until a field changes; then the line is made again', async () => {
    const { files } = await spill(4, 1);
    const [first, second, third] = (await mergedOf(files, 10)) as [SpilledEvent, SpilledEvent, SpilledEvent];
    const untouched = fieldsOf(first.event);
    expect(lineOf(first, untouched)).toBe(first.line);
    // A value changed, a field added, the same fields in another order: each is a new line.
    const changed = fieldsOf(second.event);
    second.event.data.n = 'changed';
    expect(lineOf(second, changed)).toBe(spilledLine(second));
    expect(lineOf(second, changed)).not.toBe(second.line);
    const reordered = fieldsOf(third.event);
    const { n, text } = third.event.data;
    third.event.data = { text: text as string, n: n as string };
    expect(lineOf(third, reordered)).toBe(spilledLine(third));
    expect(lineOf(third, reordered)).not.toBe(third.line);
    const added = fieldsOf(first.event);
    first.event.data.ProcessGuid = '{x}';
    expect(JSON.parse(lineOf(first, added))[3].data.ProcessGuid).toBe('{x}');
  });

  it('reads a run file whose lines cross its reads, with blank lines and a last line without a line feed', async () => {
    // Prepare: lines longer than a read (16 KiB at least), multi-byte characters across the read boundaries.
    const items: SpilledEvent[] = Array.from({ length: 40 }, (_, n) => ({
      seq: n,
      origin: 0,
      position: n,
      event: { ...event(1_000 + n, n), data: { n: String(n), text: '\u00e9\u4e2d\ud83d\ude00'.repeat(n * 300) } },
    }));
    const file = path.join(folder, 'run-by-hand.jsonl');
    const lines = items.map((item) => spilledLine(item));
    await writeFile(file, `${lines.slice(0, 20).join('\n')}\n\n\n${lines.slice(20).join('\n')}`);
    // Act
    const merged: SpilledEvent[] = [];
    for await (const batch of mergeRuns([file], 7)) merged.push(...batch);
    // Assess
    expect(merged.map((item) => item.event)).toEqual(items.map((item) => item.event));
    expect(merged.map((item) => item.line)).toEqual(lines);
  });

  it('refuses to merge more runs than the fan-in without a scratch folder', async () => {
    const { files } = await spill(30, 10);
    await expect(mergedOf(files, 10, undefined, 4)).rejects.toThrow(/no scratch folder/);
  });
});
