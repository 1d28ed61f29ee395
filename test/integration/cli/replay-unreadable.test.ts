/**
 * Evidence unpacked by another user (with sudo) holds files and folders this user may not read: replay reads the
 * rest and tells each one it could not read, with the reason, instead of stopping at the first (`EACCES: permission
 * denied, scandir`, nothing written). The CLI runs in a child process as an unprivileged user: as root, through
 * setpriv as nobody (root reads everything); as any other user, as itself.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cliEntry } from '../../helpers/cli-entry.js';
import { describeUnless } from '../../helpers/skip.js';

const SETPRIV = '/usr/bin/setpriv';
const asRoot = process.getuid?.() === 0;
const prefix = asRoot ? [SETPRIV, '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

/** Why the test cannot run here: as root without setpriv, or a CLI (node, the bundle) the other user cannot read. */
function whyNot(): string | undefined {
  if (!asRoot) return undefined;
  if (!existsSync(SETPRIV)) return `running as root and ${SETPRIV} is absent: nothing is unreadable`;
  const entry = cliEntry().at(-1) as string;
  try {
    execFileSync(SETPRIV, [
      ...prefix.slice(1),
      process.execPath,
      '-e',
      `require('fs').accessSync(${JSON.stringify(entry)})`,
    ]);
    return undefined;
  } catch {
    return `the unprivileged user cannot run node or read ${entry} (a checkout in a private folder)`;
  }
}
const why = whyNot();
const SAMPLE = path.resolve(import.meta.dirname, '../../../events/ndjson/sysmon3-three-shippers.ndjson');

/** The CLI as the unprivileged user: its exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  const [command, ...rest] = [...prefix, process.execPath, ...cliEntry(), ...args] as [string, ...string[]];
  try {
    const { stdout, stderr } = await promisify(execFile)(command, rest, { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describeUnless(why)('replay of a folder with files and folders this user may not read', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-unreadable-'));
    await chmod(root, 0o755);
    await mkdir(path.join(root, 'outs'), { mode: 0o777 });
    await chmod(path.join(root, 'outs'), 0o777);
    const ev = path.join(root, 'ev');
    await mkdir(path.join(ev, 'sub'), { recursive: true });
    await chmod(ev, 0o755);
    for (const name of ['a.ndjson', 'b.ndjson', 'sub/c.ndjson']) await copyFile(SAMPLE, path.join(ev, name));
    await chmod(path.join(ev, 'a.ndjson'), 0o644);
    // Readable by the owner alone (root, or this user when not root: then by no one).
    await chmod(path.join(ev, 'b.ndjson'), asRoot ? 0o600 : 0o000);
    await chmod(path.join(ev, 'sub'), asRoot ? 0o700 : 0o000);
  });

  afterAll(async () => {
    await chmod(path.join(root, 'ev', 'sub'), 0o755).catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  it('reads the readable file and counts the file and the folder it may not read, with the reason', async () => {
    const run = await cli(['replay', path.join(root, 'ev'), '--out', path.join(root, 'outs', 'a'), '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { read: number; written: number; skippedByReason: object };
    expect(summary).toMatchObject({ read: 3, written: 3, skippedInputs: 2 });
    expect(summary.skippedByReason).toEqual({ 'cannot be read (EACCES: permission denied)': 2 });
  });

  it('says why there is nothing to replay when no file can be read, and exits 2', async () => {
    const run = await cli(['replay', path.join(root, 'ev', 'b.ndjson'), '--out', path.join(root, 'outs', 'b')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('every file was skipped: 1 cannot be read (EACCES: permission denied)');
  });
});
