/**
 * The streaming replay (pieces, sorted runs, merges, streamed gzip partitions) writes what the in-memory core
 * writes for the same input: processBatch over the whole input as one batch, then batchOutputs. Small pieces and
 * runs force every path (many runs, many pieces per file). An interrupted replay leaves nothing behind.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OUTPUT_MARKER } from '../../../cli/io/output-folder.js';
import { ReplayInterruptedError, type RunLimits, runReplay } from '../../../cli/replay/run-replay.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { comparable, inMemory, readOut } from '../../helpers/replay-compare.js';
import { describeUnless, missing } from '../../helpers/skip.js';

/** Memory budgets for the runs: none (every run a file), one the first runs fit in (then all are written out), the default. */
const ON_DISK: Partial<RunLimits> = { memoryBytes: 0 };

async function streamed(inputs: string[], rules: string[], out: string, memory: Partial<RunLimits> = ON_DISK) {
  return runReplay({
    inputs,
    out,
    rules,
    enrich: true,
    enrichment: {},
    dedupeFields: ['host', 'destination'],
    runLimits: { bytes: 256 * 1024, events: 700, ...memory },
    pieceBytes: 64 * 1024,
  });
}

describe('streaming replay against the in-memory core', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-streaming-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['every run on disk', ON_DISK, 'all'],
    ['the first runs in memory, then all written out', { events: 8, memoryEvents: 12 }, 'all'],
    ['every run in memory (the default budget)', {}, 'none'],
  ] as const)(
    'writes the same events, alerts and rejected items for the project’s events/ and rules/: %s',
    async (_name, memory, onDisk) => {
      const expected = await inMemory(['events'], ['rules']);
      const result = await streamed(['events'], ['rules'], path.join(root, 'out'), memory);
      expect(result.runs).toBeGreaterThan(1);
      expect(result.runsOnDisk).toBe(onDisk === 'all' ? result.runs : 0);
      expect(result.summary.rejected).toBeGreaterThan(5);
      expect(result.summary.alerts.total).toBeGreaterThan(0);
      expect(comparable(result.summary)).toEqual(comparable(expected.summary));
      expect(await readOut(path.join(root, 'out'))).toEqual(expected.areas);
      // Conservation: every document read is written, rejected or filtered.
      const { read, written, rejected, filtered } = result.summary;
      expect(written + rejected + filtered).toBe(read);
    },
  );

  it('writes the same without enrichment (--no-enrich: no hooks, connections still counted)', async () => {
    const expected = await inMemory(['events'], ['rules'], false);
    const result = await runReplay({
      inputs: ['events'],
      out: path.join(root, 'out'),
      rules: ['rules'],
      enrich: false,
      enrichment: {},
      dedupeFields: ['host', 'destination'],
      runLimits: { bytes: 64 * 1024, events: 200, memoryEvents: 500 },
    });
    expect(result.summary.connections.total).toBeGreaterThan(0);
    expect(comparable(result.summary)).toEqual(comparable(expected.summary));
    expect(await readOut(path.join(root, 'out'))).toEqual(expected.areas);
  });

  it('writes the same output twice for the same input (deterministic)', async () => {
    await streamed(['events'], ['rules'], path.join(root, 'a'));
    await streamed(['events'], ['rules'], path.join(root, 'b'));
    expect(await readOut(path.join(root, 'b'))).toEqual(await readOut(path.join(root, 'a')));
  });

  it('leaves an absent --out absent when interrupted, and a previous output as it was', async () => {
    const out = path.join(root, 'out');
    const controller = new AbortController();
    const interrupted = (signal: AbortSignal) =>
      runReplay({
        inputs: ['events'],
        out,
        enrich: true,
        enrichment: {},
        dedupeFields: [],
        runLimits: { bytes: 64 * 1024, events: 100 },
        // Interrupted while writing, after the runs and some output exist.
        onProgress: (progress) => {
          if (progress.phase === 'write') controller.abort();
        },
        signal,
      });
    await expect(interrupted(controller.signal)).rejects.toBeInstanceOf(ReplayInterruptedError);
    expect(await readdir(root)).toEqual([]);
    // A finished replay, then an interrupted one: the first one's output is what is left, exactly.
    await streamed(['events'], [], out);
    const before = await readOut(out);
    const names = (await readdir(out, { recursive: true })).sort();
    const again = new AbortController();
    const second = runReplay({
      inputs: ['events'],
      out,
      enrich: true,
      enrichment: {},
      dedupeFields: [],
      onProgress: () => again.abort(),
      signal: again.signal,
    });
    await expect(second).rejects.toBeInstanceOf(ReplayInterruptedError);
    expect((await readdir(out, { recursive: true })).sort()).toEqual(names);
    expect(names).toContain(OUTPUT_MARKER);
    expect(await readOut(out)).toEqual(before);
  });
});

const describeIfData = describeUnless(missing(OTRF_DIR));

describeIfData('streaming replay of OTRF recordings against the in-memory core', () => {
  it('writes the same events and counts for the smaller recordings, cut into many pieces and runs', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-otrf-streaming-'));
    try {
      const inputs = [
        'covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip',
        'covenant_sc_query_dcerpc_smb_svcctl.zip',
        'psh_cmstp_execution_bypassuac.zip',
      ].map((name) => path.join(OTRF_DIR, name));
      const expected = await inMemory(inputs, ['rules']);
      // The first two runs' worth of text in memory, then written out with the others.
      const result = await streamed(inputs, ['rules'], path.join(root, 'out'), { memoryBytes: 512 * 1024 });
      expect(result.runs).toBeGreaterThan(5);
      expect(result.runsOnDisk).toBe(result.runs);
      expect(result.summary.connections.enriched).toBeGreaterThan(0);
      expect(comparable(result.summary)).toEqual(comparable(expected.summary));
      expect(await readOut(path.join(root, 'out'))).toEqual(expected.areas);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
