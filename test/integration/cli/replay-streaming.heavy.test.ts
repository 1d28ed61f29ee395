/**
 * Every OTRF recording replayed with the streaming replay's own limits (4 MiB pieces, 8 MiB runs: the two large
 * recordings are cut and spilled many times) writes what the in-memory core writes, line by line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { comparable, inMemory, readOut } from '../../helpers/replay-compare.js';
import { describeUnless, missing } from '../../helpers/skip.js';

describeUnless(missing(OTRF_DIR))('streaming replay of every OTRF recording', () => {
  it('writes the same events, alerts and counts as the in-memory core', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-otrf-heavy-'));
    try {
      const expected = await inMemory([OTRF_DIR], ['rules']);
      const result = await runReplay({
        inputs: [OTRF_DIR],
        out: path.join(root, 'out'),
        rules: ['rules'],
        enrich: true,
        enrichment: {},
        dedupeFields: ['host', 'destination'],
      });
      expect(result.runs).toBeGreaterThan(5);
      expect(comparable(result.summary)).toEqual(comparable(expected.summary));
      expect(await readOut(path.join(root, 'out'))).toEqual(expected.areas);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);
});
