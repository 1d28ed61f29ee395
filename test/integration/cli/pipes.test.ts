/**
 * `hookstream query ... | head -1`: when the reader of stdout (or stderr) goes away, the command ends quietly with
 * exit 0, as Unix tools do, instead of an EPIPE stack trace. The reader here closes its end before the CLI has
 * started, so every write the CLI makes meets a closed pipe.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { replayProjectEvents } from '../../helpers/replay-events.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** Runs the CLI from source (as run-cli.ts does) with `closed` already shut on our side; collects the other one. */
function withClosedPipe(
  args: readonly string[],
  closed: 'stdout' | 'stderr',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child[closed].destroy();
  let other = '';
  child[closed === 'stdout' ? 'stderr' : 'stdout'].on('data', (chunk: Buffer) => {
    other += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, other })));
}

describe('hookstream with a reader that went away', () => {
  let out: string;

  beforeAll(async () => {
    ({ out } = await replayProjectEvents('hookstream-pipes-'));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('query | head: exit 0, nothing on stderr', async () => {
    const result = await withClosedPipe(['query', '--out', out, 'SELECT * FROM events'], 'stdout');

    expect(result).toEqual({ code: 0, signal: null, other: '' });
  });

  it('an error message to a closed stderr: exit 0, nothing on stdout', async () => {
    // `2>&1 | head` with a reader gone: the one-line error cannot be delivered either.
    const result = await withClosedPipe(['query', '--out', out, 'SELECT * FROM no_such_table'], 'stderr');

    expect(result).toEqual({ code: 0, signal: null, other: '' });
  });
});
