/**
 * `hookstream replay` never destroys what hookstream did not write, as a user meets it on the command line: the
 * reported `replay events --out .` (which once deleted events/), an --out reached through a symlink, a folder of
 * someone else's files; and a folder replay marked is replaced as before, and still read by query and report.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OUTPUT_MARKER } from '../../../cli/io/output-folder.js';
import { cliEntry } from '../../helpers/cli-entry.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** The CLI like test/helpers/run-cli.ts, but in a folder of the test's choosing. */
function hookstream(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...cliEntry(), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file and folder under `folder` with a hash of its content: equal before and after means nothing changed. */
async function tree(folder: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const entry of (await readdir(folder, { recursive: true })).sort()) {
    const file = path.join(folder, entry);
    const info = await stat(file);
    entries[entry] = info.isDirectory()
      ? 'folder'
      : createHash('sha256')
          .update(await readFile(file))
          .digest('hex');
  }
  return entries;
}

describe('hookstream replay --out', () => {
  let work: string;

  beforeEach(async () => {
    // Prepare: a user's folder with the project's events/ and rules/ in it.
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-out-'));
    await cp(path.join(root, 'events'), path.join(work, 'events'), { recursive: true });
    await cp(path.join(root, 'rules'), path.join(work, 'rules'), { recursive: true });
    await symlink(path.join(work, 'events'), path.join(work, 'linked-events'));
    await mkdir(path.join(work, 'notes'));
    await writeFile(path.join(work, 'notes/todo.txt'), 'keep me');
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['contains the input (the reported `--out .`)', ['replay', 'events', '--out', '.'], /it contains the input events/],
    ['is the input', ['replay', 'events', '--out', 'events'], /it is the input events/],
    ['is inside the input', ['replay', 'events', '--out', 'events/out'], /it is inside the input events/],
    ['is the input through a symlink', ['replay', 'events', '--out', 'linked-events'], /it is the input events/],
    ['is a rules input', ['replay', 'events', '--rules', 'rules', '--out', 'rules'], /it is the input rules/],
    ['holds files hookstream did not write', ['replay', 'events', '--out', 'notes'], /no \.hookstream-output file/],
  ])('refuses an --out that %s: one line, exit 2, nothing changed', async (_name, args, message) => {
    // Prepare
    const before = await tree(work);

    // Act
    const { status, stdout, stderr } = hookstream(args, work);

    // Assess
    expect({ status, stdout }).toEqual({ status: 2, stdout: '' });
    expect(stderr).toMatch(/^hookstream: refusing --out [^\n]+\n$/);
    expect(stderr).toMatch(message);
    expect(await tree(work)).toEqual(before);
  });

  it('marks its output, replaces only its own areas on the next run, and query and report read it', async () => {
    // Prepare: a first replay, then a stale object replay did not write this time and a page beside the output.
    const first = hookstream(['replay', 'events', '--rules', 'rules', '--out', 'out'], work);
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(await readFile(path.join(work, 'out', OUTPUT_MARKER), 'utf8'))).toMatchObject({
      tool: 'hookstream',
      command: 'replay',
    });
    const stale = path.join(work, 'out/events/dt=1999-01-01/hour=00/stale.json.gz');
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, 'stale');
    await writeFile(path.join(work, 'out/report.html'), '<p>an earlier report</p>');

    // Act
    const second = hookstream(['replay', 'events', '--rules', 'rules', '--out', 'out'], work);
    const query = hookstream(['query', '--out', 'out', '--format', 'json', 'SELECT count(*) AS n FROM alerts'], work);
    const report = hookstream(['report', '--out', 'out', '--html', 'out/report.html'], work);

    // Assess
    expect({ status: second.status, stderr: second.stderr }).toEqual({ status: 0, stderr: '' });
    await expect(stat(stale)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(query.status).toBe(0);
    expect((JSON.parse(query.stdout) as { n: number }[])[0]?.n).toBeGreaterThan(0);
    expect(report.status).toBe(0);
    expect(await readFile(path.join(work, 'out/report.html'), 'utf8')).toMatch(/<svg/);
    expect(await readdir(path.join(work, 'events'))).toEqual(await readdir(path.join(root, 'events')));
  });
});
