/**
 * The built CLI loads tar-stream only when it meets a tar.gz (issue 13): the package costs 17-22 ms of CPU to load,
 * which a replay of plain files would otherwise pay at start-up. Bundled as scripts/build-cli.mjs bundles it (the
 * run's bundle when jest made one), run in fresh processes with the preload that records every module loaded
 * (test/unit/node-io/record-module-loads.mjs): once on a plain .json file, once on a tar.gz holding the same file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { builtCliBundle } from '../../../helpers/cli-entry.js';
import { runRecordingModules } from '../../../helpers/module-loads.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const EVENTS = path.join(ROOT, 'events/evtx-json/sysmon3-data-pairs.json');
const TAR_STREAM = /\/node_modules\/tar-stream\/|^require tar-stream(\/|$)/;

async function tarGzOf(name: string, body: Buffer): Promise<Buffer> {
  const archive = pack();
  archive.entry({ name }, body);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('the built CLI and tar-stream', () => {
  let cli: string;
  let disposeBundle = () => {};
  let work: string;

  beforeAll(async () => {
    const bundle = await builtCliBundle();
    cli = bundle.file;
    disposeBundle = bundle.dispose;
    work = mkdtempSync(path.join(tmpdir(), 'hookstream-tar-stream-'));
    writeFileSync(path.join(work, 'events.tar.gz'), await tarGzOf('events.json', readFileSync(EVENTS)));
  });
  afterAll(() => {
    disposeBundle();
    rmSync(work, { recursive: true, force: true });
  });

  /** One `replay` in a fresh process: its summary and the modules it loaded. */
  const replay = (input: string, run: string): { summary: { read: number; written: number }; loaded: string[] } => {
    const { stdout, loaded } = runRecordingModules(
      cli,
      ['replay', input, '--out', path.join(work, `out-${run}`), '--json', '--no-progress'],
      { cwd: work, log: path.join(work, `${run}.modules`) },
    );
    return { summary: JSON.parse(stdout) as { read: number; written: number }, loaded };
  };

  it('does not load it for a plain .json file, and loads it for a tar.gz with the same events', () => {
    const plain = replay(EVENTS, 'plain');
    const archive = replay(path.join(work, 'events.tar.gz'), 'archive');

    // The recorder saw both runs (the replay command's chunk), and the archive's run read the same events.
    for (const run of [plain, archive]) expect(run.loaded.some((line) => /\/chunks\/replay-/.test(line))).toBe(true);
    expect(plain.loaded.filter((line) => TAR_STREAM.test(line))).toEqual([]);
    expect(archive.loaded.filter((line) => TAR_STREAM.test(line))).not.toEqual([]);
    expect(plain.summary.written).toBeGreaterThan(0);
    expect([archive.summary.read, archive.summary.written]).toEqual([plain.summary.read, plain.summary.written]);
  });
});
