/**
 * `hookstream <command> ... | head -1`: when the reader of stdout (or stderr) goes away, every command ends quietly
 * with exit 0, as Unix tools do, instead of an EPIPE stack trace. The reader here closes its end before the CLI has
 * started, so every write the CLI makes meets a closed pipe. Each command that prints runs for real on a replay of
 * the project's events; send and dev, which need a stream or start emulators, with --help (what they print before
 * any AWS call). The spawns run side by side, each test awaiting its own.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliEntry } from '../../helpers/cli-entry.js';
import { replayProjectEvents } from '../../helpers/replay-events.js';

const root = path.resolve(import.meta.dirname, '../../..');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  other: string;
}

/** Runs the CLI from source (as run-cli.ts does) with `closed` already shut on our side; collects the other one. */
function withClosedPipe(args: readonly string[], closed: 'stdout' | 'stderr'): Promise<Ended> {
  const child = spawn(process.execPath, [...cliEntry(), ...args], {
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
  let scratch: string;
  const runs = new Map<string, Promise<Ended>>();

  /** Every case, started at once: name -> arguments (OUT: the replay's output, SCRATCH: a new folder, HTML: a new file) and which pipe is closed. */
  const CASES: [string, string[], 'stdout' | 'stderr'][] = [
    ['query | head', ['query', '--out', 'OUT', 'SELECT * FROM events'], 'stdout'],
    ['an error message to a closed stderr', ['query', '--out', 'OUT', 'SELECT * FROM no_such_table'], 'stderr'],
    ['replay | head', ['replay', 'events', '--rules', 'rules', '--out', 'SCRATCH'], 'stdout'],
    ['rules check | head', ['rules', 'check', 'rules'], 'stdout'],
    ['report | head', ['report', 'OUT', '--html', 'HTML'], 'stdout'],
    ['timeline --all-events --format csv | head', ['timeline', 'OUT', '--all-events', '--format', 'csv'], 'stdout'],
    ['send --help | head', ['send', '--help'], 'stdout'],
    ['dev --help | head', ['dev', '--help'], 'stdout'],
    ['--version | head', ['--version'], 'stdout'],
  ];

  beforeAll(async () => {
    ({ out } = await replayProjectEvents('hookstream-pipes-'));
    scratch = await mkdtemp(path.join(tmpdir(), 'hookstream-pipes-scratch-'));
    for (const [name, args, closed] of CASES) {
      const replaced = args.map((arg) =>
        arg === 'OUT'
          ? out
          : arg === 'SCRATCH'
            ? path.join(scratch, 'replay')
            : arg === 'HTML'
              ? path.join(scratch, 'report.html')
              : arg,
      );
      runs.set(name, withClosedPipe(replaced, closed));
    }
    await Promise.all(runs.values());
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it.each(CASES.map(([name, , closed]) => [name, closed]))(
    '%s: exit 0, nothing on the other stream (%s closed)',
    async (name) => {
      expect(await runs.get(name)).toEqual({ code: 0, signal: null, other: '' });
    },
  );
});
