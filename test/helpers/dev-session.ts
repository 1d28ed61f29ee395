/**
 * `hookstream dev` and `hookstream send` as child processes, for the dev acceptance tests: start, watch the output,
 * stop, and read the folder dev mirrors its bucket to.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cliEntry } from './cli-entry.js';

const root = path.resolve(import.meta.dirname, '../..');

/** dist/hookstream.js, what `npm run build` makes. */
export const BUILT_CLI = path.join(root, 'dist/hookstream.js');

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Both, for failure messages. */
  log: () => string;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Run dist/hookstream.js (see {@link assertBuiltCliFresh}) instead of this test run's bundle (cli-entry.ts). */
  built?: boolean;
}

/** The CLI as a user runs it, asynchronous (dev runs until signalled); its output collected as it comes. */
export function startCli(args: readonly string[], options: StartOptions = {}): CliProcess {
  const entry = options.built ? [BUILT_CLI] : cliEntry();
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    log: () => `stdout:\n${stdout.slice(-20_000)}\nstderr:\n${stderr.slice(-20_000)}`,
  };
}

/**
 * For a child given its own TMPDIR: tsx keeps its transform cache in TMPDIR (`tsx-<uid>`), so each such child would
 * compile the CLI's sources afresh (seconds per start). Links that folder of `folder` to this process's cache.
 */
export async function shareTsxCache(folder: string): Promise<void> {
  const name = `tsx-${process.getuid?.() ?? 0}`;
  const cache = path.join(tmpdir(), name);
  await mkdir(cache, { recursive: true });
  await symlink(cache, path.join(folder, name));
}

/** The exit code (null when killed by a signal). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Kills a process a failed test left running (never leave emulators listening). */
export async function killIfRunning(process: CliProcess | undefined): Promise<void> {
  if (process === undefined || process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGKILL');
  await exited(process.child);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` every 200 ms; throws with `log()` after `timeoutMs` (a safety net, not a timed assertion). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  if (!(await waitUntil(check, timeoutMs))) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${log()}`);
  }
}

/** Polls `check` every `everyMs` until it holds (true) or `timeoutMs` has passed (false). */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}

/** Starts `hookstream dev` on a free Kinesis port and waits for its ready line; returns it and its endpoint. */
export async function startDev(
  args: readonly string[],
  options: StartOptions & { readyTimeoutMs?: number } = {},
): Promise<{ dev: CliProcess; endpoint: string }> {
  const port = await freePort();
  const dev = startCli(['dev', '--port', String(port), ...args], options);
  await waitFor(
    'the ready line',
    () => dev.stdout().includes('hookstream dev: ready;') || dev.child.exitCode !== null,
    options.readyTimeoutMs ?? 60_000,
    dev.log,
  );
  if (dev.child.exitCode !== null) throw new Error(`dev exited ${dev.child.exitCode} before ready:\n${dev.log()}`);
  return { dev, endpoint: `http://127.0.0.1:${port}` };
}

/** The counts dev prints on stderr every --interval (docs/dev.md, Output). */
export interface DevCounts {
  dnsRecords: number;
  enrichRecords: number;
  holdRechecked: number;
  /** Hold messages waiting or being processed. */
  holdQueued: number;
  alerts: number;
  failedBatches: number;
  mirrored?: number;
  deleted?: number;
}

const COUNTS =
  /records: dns-answers (\d+) \(\d+ batches\), enrich (\d+) \(\d+ batches\); hold messages re-checked (\d+), queued (\d+); alerts (\d+); failed batches (\d+)(?:; mirrored objects (\d+) \(deleted (\d+)\))?/g;

/** The last counts line dev printed, or undefined before the first. */
export function lastCounts(stderr: string): DevCounts | undefined {
  const last = [...stderr.matchAll(COUNTS)].at(-1);
  if (last === undefined) return undefined;
  const [, dns, enrich, rechecked, queued, alerts, failed, mirrored, deleted] = last.map(Number);
  return {
    dnsRecords: dns as number,
    enrichRecords: enrich as number,
    holdRechecked: rechecked as number,
    holdQueued: queued as number,
    alerts: alerts as number,
    failedBatches: failed as number,
    ...(last[7] === undefined ? {} : { mirrored, deleted }),
  };
}

/**
 * Whether dev is quiet after `sent` records: by its last counts line, both functions have read all of them and no
 * held connection is waiting. Its output is then in the bucket; the mirror copies it at the next sync or at stop.
 */
export function isQuiet(stderr: string, sent: number): boolean {
  const counts = lastCounts(stderr);
  return counts !== undefined && counts.dnsRecords >= sent && counts.enrichRecords >= sent && counts.holdQueued === 0;
}

/** Every row of the gzip JSON-lines objects under a folder (events/, alerts/ or rejected/ of an --out). */
export async function readRows(folder: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(folder, { recursive: true }).catch(() => [] as string[]))
    .filter((file) => file.endsWith('.json.gz'))
    .sort();
  const rows: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(path.join(folder, file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') rows.push(JSON.parse(line));
  }
  return rows;
}

/** JSON with object keys sorted at every level: equal rows give equal strings whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** What one multiset has more of than another: how many, and the first few keys (cut short for messages). */
export interface Surplus {
  count: number;
  first: string[];
}

/** Counts of each key of `a` beyond its count in `b`. */
export function surplus(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Surplus {
  let count = 0;
  const first: string[] = [];
  for (const [key, n] of a) {
    const more = n - (b.get(key) ?? 0);
    if (more <= 0) continue;
    count += more;
    if (first.length < 5) first.push(key.length > 300 ? `${key.slice(0, 300)}...` : key);
  }
  return { count, first };
}

/** Two lists of rows as multisets of a key (default: the whole row): what each has that the other has not. */
export function compareRows(
  actual: readonly Record<string, unknown>[],
  expected: readonly Record<string, unknown>[],
  key: (row: Record<string, unknown>) => string = canonicalJson,
): { missing: Surplus; extra: Surplus } {
  const counts = (rows: readonly Record<string, unknown>[]) => {
    const map = new Map<string, number>();
    for (const row of rows) map.set(key(row), (map.get(key(row)) ?? 0) + 1);
    return map;
  };
  const a = counts(actual);
  const e = counts(expected);
  return { missing: surplus(e, a), extra: surplus(a, e) };
}

/** The value of {@link compareRows} for equal multisets. */
export const SAME_ROWS = { missing: { count: 0, first: [] }, extra: { count: 0, first: [] } };

/**
 * Throws when dist/hookstream.js is missing or older than a source file it bundles (cli/, src/, lambda/): a test
 * of the built CLI must not measure yesterday's code. Run `npm run build` first.
 */
export function assertBuiltCliFresh(): void {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`);
  const built = statSync(BUILT_CLI).mtimeMs;
  const stale: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && statSync(full).mtimeMs > built) stale.push(path.relative(root, full));
    }
  };
  for (const folder of ['cli', 'src', 'lambda']) walk(path.join(root, folder));
  if (stale.length > 0) {
    throw new Error(`${BUILT_CLI} is older than ${stale.slice(0, 5).join(', ')}: run npm run build first`);
  }
}
