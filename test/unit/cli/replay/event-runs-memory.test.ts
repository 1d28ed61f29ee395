/**
 * Runs kept in memory merge with run files into the same order as if every run were a file; the merge hands the
 * memory runs' own event objects on (no JSON round trip) and lets each go from its run as it leaves it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryRun, mergeRuns, type Run, type SpilledEvent, writeRun } from '../../../../cli/replay/event-runs.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';

function event(time: number, n: number): CanonicalEvent {
  return {
    host: `h${n % 3}`,
    channel: 'Microsoft-Windows-Security-Auditing',
    provider: 'Microsoft-Windows-Security-Auditing',
    eventId: 4688,
    time,
    format: 'winlogbeat',
    data: { n: String(n), text: 'tab\t"quoted" \u00e9' },
  };
}

/** Written here, not taken from event-runs.ts: event time, then input order. */
function inExpectedOrder(items: readonly SpilledEvent[]): number[] {
  return [...items]
    .sort((a, b) => (a.event.time !== b.event.time ? a.event.time - b.event.time : a.seq - b.seq))
    .map((item) => item.seq);
}

async function merged(runs: Run[], batch: number, scratch?: string, fanIn?: number): Promise<SpilledEvent[]> {
  const out: SpilledEvent[] = [];
  for await (const items of mergeRuns(runs, batch, scratch, fanIn)) out.push(...items);
  return out;
}

describe('mergeRuns with runs in memory', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-memory-runs-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** `count` events with few distinct times (ties across runs), cut into `runs` sorted runs of consecutive seq. */
  function events(count: number): SpilledEvent[] {
    const all: SpilledEvent[] = [];
    for (let seq = 0; seq < count; seq++)
      all.push({ seq, origin: seq % 2, position: seq, event: event(1_700_000_000_000 + ((seq * 7919) % 23), seq) });
    return all;
  }

  function sortedRuns(all: SpilledEvent[], runs: number): SpilledEvent[][] {
    const per = Math.ceil(all.length / runs);
    const out: SpilledEvent[][] = [];
    for (let r = 0; r < runs; r++)
      out.push(
        all
          .slice(r * per, (r + 1) * per)
          .sort((a, b) => (a.event.time !== b.event.time ? a.event.time - b.event.time : a.seq - b.seq)),
      );
    return out;
  }

  it.each([
    ['every run in memory', [true, true, true, true, true]],
    ['every run a file', [false, false, false, false, false]],
    ['some of each', [true, false, true, false, false]],
  ])('%s: the same order', async (_name, inMemory) => {
    const all = events(900);
    const runs: Run[] = [];
    const memoryEvents = new Set<SpilledEvent>();
    for (const [i, items] of sortedRuns(all, inMemory.length).entries()) {
      if (inMemory[i]) {
        for (const item of items) memoryEvents.add(item);
        runs.push(new MemoryRun([...items]));
      } else {
        const file = path.join(folder, `run-${i}.jsonl`);
        await writeRun(file, items);
        runs.push(file);
      }
    }
    const out = await merged(runs, 64);
    expect(out.map((item) => item.seq)).toEqual(inExpectedOrder(all));
    // An event from memory is the object itself (no line: nothing was written); one from a file has its line.
    for (const item of out) {
      expect(item.line === undefined).toBe(memoryEvents.has(item));
      if (item.line === undefined) expect(all[item.seq]).toBe(item);
      else expect(item).toEqual({ ...(all[item.seq] as SpilledEvent), line: item.line });
    }
  });

  it('lets each memory event go from its run as the merge moves past it', async () => {
    const [first, second] = sortedRuns(events(200), 2) as [SpilledEvent[], SpilledEvent[]];
    const a = new MemoryRun([...first]);
    const b = new MemoryRun([...second]);
    const generator = mergeRuns([a, b], 10);
    const batch = await generator.next();
    expect(batch.done).toBe(false);
    // Ten handed on (and one head each in hand at most): those left their runs, the rest are still held.
    const held = [...a.items, ...b.items].filter((item) => item !== undefined).length;
    expect(held).toBeGreaterThanOrEqual(200 - 12);
    expect(held).toBeLessThanOrEqual(200 - 10);
    for await (const _ of generator) {
      // drain
    }
    expect([...a.items, ...b.items].every((item) => item === undefined)).toBe(true);
  });

  it('merges more run files than the fan-in in groups, memory runs only at the end, with the same order', async () => {
    const all = events(700);
    const scratch = path.join(folder, 'scratch');
    await mkdir(scratch);
    const runs: Run[] = [];
    for (const [i, items] of sortedRuns(all, 14).entries()) {
      if (i % 3 === 0) {
        runs.push(new MemoryRun([...items]));
      } else {
        const file = path.join(folder, `run-${i}.jsonl`);
        await writeRun(file, items);
        runs.push(file);
      }
    }
    // 9 files at a fan-in of 4: intermediate merges; the 5 memory runs do not count against the fan-in.
    const out = await merged(runs, 50, scratch, 4);
    expect(out.map((item) => item.seq)).toEqual(inExpectedOrder(all));
    // Without a scratch folder, 9 files are too many for a fan-in of 4, however few memory runs.
    await expect(
      merged(
        runs.filter((run) => typeof run === 'string'),
        50,
        undefined,
        4,
      ),
    ).rejects.toThrow(/no scratch folder/);
  });
});
