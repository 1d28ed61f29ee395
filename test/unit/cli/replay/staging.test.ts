/**
 * The staging folder: a replay that finishes replaces the output areas; one that does not leaves --out exactly as
 * it found it (absent, empty, or the previous output), with no file of its own left.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkOutputFolder, OUTPUT_MARKER } from '../../../../cli/io/output-folder.js';
import { ReplayStaging, STAGING_PREFIX } from '../../../../cli/replay/staging.js';

async function tree(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).sort();
}

describe('ReplayStaging', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-staging-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function stage(out: string): Promise<ReplayStaging> {
    const staging = await ReplayStaging.open(out, await checkOutputFolder(out, []));
    await mkdir(staging.area('events'), { recursive: true });
    await writeFile(path.join(staging.area('events'), 'new.json.gz'), 'new');
    await writeFile(path.join(staging.scratch, 'run-0.jsonl'), 'run');
    return staging;
  }

  it('abandoned in an absent folder: the folder is gone again', async () => {
    const out = path.join(root, 'out');
    await (await stage(out)).abandon();
    expect(await readdir(root)).toEqual([]);
  });

  it('abandoned in an empty folder: the folder is empty again', async () => {
    const out = path.join(root, 'out');
    await mkdir(out);
    await (await stage(out)).abandon();
    expect(await readdir(out)).toEqual([]);
  });

  it('abandoned in a previous output: the previous output is untouched', async () => {
    const out = path.join(root, 'out');
    await (await stage(out)).commit();
    const before = await tree(out);
    await (await stage(out)).abandon();
    expect(await tree(out)).toEqual(before);
  });

  it('committed: the new areas replace the old ones, the marker is there, no staging is left', async () => {
    const out = path.join(root, 'out');
    await mkdir(path.join(out, 'events/old'), { recursive: true });
    await writeFile(path.join(out, OUTPUT_MARKER), '{"tool":"hookstream"}');
    await writeFile(path.join(out, 'events/old/x.json.gz'), 'old');
    await mkdir(path.join(out, 'rejected'));
    await (await stage(out)).commit();
    expect(await tree(out)).toEqual([OUTPUT_MARKER, 'events', 'events/new.json.gz']);
    expect(JSON.parse(await readFile(path.join(out, OUTPUT_MARKER), 'utf8'))).toMatchObject({ command: 'replay' });
  });

  it('removes the staging folder of a replay that is no longer running', async () => {
    const out = path.join(root, 'out');
    await (await stage(out)).commit();
    // A pid that cannot be running: beyond the kernel's pid range.
    await mkdir(path.join(out, `${STAGING_PREFIX}99999999-abc`));
    const staging = await stage(out);
    expect((await readdir(out)).filter((name) => name.startsWith(STAGING_PREFIX))).toEqual([
      path.basename(staging.folder),
    ]);
    await staging.abandon();
  });
});
