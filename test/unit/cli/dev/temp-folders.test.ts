/**
 * The temporary folders of hookstream dev (and the emulators): named and owned so that a sweep removes those of
 * dead processes only. Owners are real processes: the test's parent (alive) and finished children (dead).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTempFolder,
  OWNER_FILE,
  removeAbandonedTempFolders,
  TEMP_PREFIX,
} from '../../../../cli/dev/temp-folders.js';

const root = path.resolve(import.meta.dirname, '../../../..');

/** The pid of a process that has run and been reaped: certainly not running now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A Node child that makes one temp folder under `parent`, prints its path, then runs `then`. */
function childWithFolder(parent: string, then: string): ChildProcess {
  const script =
    `import { createTempFolder } from ${JSON.stringify(path.join(root, 'cli/dev/temp-folders.ts'))};\n` +
    `const folder = await createTempFolder('child', ${JSON.stringify(parent)});\n` +
    `process.stdout.write(folder.path + '\\n');\n${then}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing its folder`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function plant(parent: string, name: string, owner: unknown): Promise<string> {
  const folder = path.join(parent, name);
  await mkdir(path.join(folder, 's3'), { recursive: true });
  if (owner !== undefined) await writeFile(path.join(folder, OWNER_FILE), JSON.stringify(owner));
  return folder;
}

describe('temporary folders', () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'hookstream-temp-folders-'));
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('names a folder with the prefix and its owner, and removes it on request', async () => {
    // Act
    const folder = await createTempFolder('dev', parent);

    // Assess
    expect(path.basename(folder.path)).toMatch(new RegExp(`^${TEMP_PREFIX}dev-`));
    expect(JSON.parse(await readFile(path.join(folder.path, OWNER_FILE), 'utf8'))).toEqual({
      pid: process.pid,
      host: hostname(),
      purpose: 'dev',
    });
    await folder.remove();
    expect(existsSync(folder.path)).toBe(false);
  });

  it('removes the folders of dead owners only', async () => {
    // Prepare
    const here = hostname();
    const dead = deadPid();
    const abandoned = await plant(parent, `${TEMP_PREFIX}dev-dead`, { pid: dead, host: here, purpose: 'dev' });
    const kept = [
      await plant(parent, `${TEMP_PREFIX}dev-live`, { pid: process.ppid, host: here, purpose: 'dev' }),
      await plant(parent, `${TEMP_PREFIX}dev-mine`, { pid: process.pid, host: here, purpose: 'dev' }),
      await plant(parent, `${TEMP_PREFIX}dev-elsewhere`, { pid: dead, host: `not-${here}`, purpose: 'dev' }),
      await plant(parent, `${TEMP_PREFIX}dev-unowned`, undefined),
      await plant(parent, `${TEMP_PREFIX}dev-garbled`, 'not an owner'),
      await plant(parent, `${TEMP_PREFIX}dev-group`, { pid: 0, host: here, purpose: 'dev' }),
      await plant(parent, 'someone-else-dead', { pid: dead, host: here, purpose: 'dev' }),
    ];
    // A link with the prefix to a dead owner's folder: the sweep must not follow it.
    const target = await plant(parent, 'target', { pid: dead, host: here, purpose: 'dev' });
    await symlink(target, path.join(parent, `${TEMP_PREFIX}dev-link`));

    // Act
    const removed = await removeAbandonedTempFolders(parent);

    // Assess
    expect(removed).toEqual([{ path: abandoned, owner: { pid: dead, host: here, purpose: 'dev' } }]);
    expect(existsSync(abandoned)).toBe(false);
    for (const folder of [...kept, target]) expect(existsSync(folder)).toBe(true);
    expect(existsSync(path.join(parent, `${TEMP_PREFIX}dev-link`))).toBe(true);
  });

  it('is removed when its process exits on its own, even through process.exit', async () => {
    // Prepare
    const child = childWithFolder(parent, 'process.exit(3);');

    // Act
    const folder = await firstLine(child);
    const end = await exited(child);

    // Assess
    expect(end.code).toBe(3);
    expect(path.dirname(folder)).toBe(parent);
    expect(existsSync(folder)).toBe(false);
  });

  it('is left by a killed process, and the next sweep removes it', async () => {
    // Prepare: a process that keeps running until killed.
    const child = childWithFolder(parent, 'setInterval(() => {}, 1000);');
    const folder = await firstLine(child);
    expect(await removeAbandonedTempFolders(parent)).toEqual([]);
    expect(existsSync(folder)).toBe(true);

    // Act
    child.kill('SIGKILL');
    expect((await exited(child)).signal).toBe('SIGKILL');
    const leftBehind = await readdir(parent);
    const removed = await removeAbandonedTempFolders(parent);

    // Assess
    expect(leftBehind).toEqual([path.basename(folder)]);
    expect(removed.map((entry) => entry.path)).toEqual([folder]);
    expect(await readdir(parent)).toEqual([]);
  });
});
