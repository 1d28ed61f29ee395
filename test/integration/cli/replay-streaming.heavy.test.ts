/**
 * Every OTRF recording replayed with the streaming replay's own limits (4 MiB pieces, 8 MiB runs: the two large
 * recordings are cut and spilled many times; with a budget of 20,000 events the first runs in memory, then
 * written out with the others; with the default budget, all in memory) writes what the in-memory core writes, line by line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUN_LIMITS, runReplay } from '../../../cli/replay/run-replay.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { comparable, inMemory, readOut } from '../../helpers/replay-compare.js';
import { describeUnless, missing } from '../../helpers/skip.js';

describeUnless(missing(OTRF_DIR))('streaming replay of every OTRF recording', () => {
  // The in-memory core is computed once: it takes as long as a replay.
  let expected: Awaited<ReturnType<typeof inMemory>>;

  beforeAll(async () => {
    expected = await inMemory([OTRF_DIR], ['rules']);
  }, 300_000);

  it.each([
    // Session 7's default (64 MiB / 20,000 events): the first runs in memory, then written out, then collected.
    [
      'a budget the first runs fit in: the first runs in memory, then every run on disk',
      { memoryBytes: 64 * 1024 * 1024, memoryEvents: 20_000 },
      true,
    ],
    // Since session 8 the default holds the 39,373 OTRF events.
    ['the default memory budget: every run in memory', {}, false],
  ])(
    'writes the same events, alerts and counts as the in-memory core: %s',
    async (_name, memory, onDisk) => {
      const root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-otrf-heavy-'));
      try {
        const result = await runReplay({
          inputs: [OTRF_DIR],
          out: path.join(root, 'out'),
          rules: ['rules'],
          enrich: true,
          enrichment: {},
          dedupeFields: ['host', 'destination'],
          runLimits: { ...RUN_LIMITS, ...memory },
        });
        expect(result.runs).toBeGreaterThan(5);
        expect(result.runsOnDisk).toBe(onDisk ? result.runs : 0);
        expect(comparable(result.summary)).toEqual(comparable(expected.summary));
        expect(await readOut(path.join(root, 'out'))).toEqual(expected.areas);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
