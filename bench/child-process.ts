/**
 * Benchmarks that need a fresh process (cold starts, the whole CLI): bundle an entry as it ships, run it, and read
 * its resource usage (bench/cold/usage-at-exit.mjs). No TypeScript loader is timed: entries are bundled first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
const USAGE_HOOK = path.join(PROJECT_ROOT, 'bench/cold/usage-at-exit.mjs');

/** Resource usage of a child process, whole (every thread). */
export interface ChildUsage {
  maxRssKb: number;
  userMs: number;
  systemMs: number;
  sinceStartMs: number;
}

export interface ChildRun {
  stdout: string;
  stderr: string;
  status: number | null;
  /** Wall time around the child, spawn included. */
  wallMs: number;
  usage: ChildUsage;
}

/** Runs `node <args>` with the usage hook; throws with its stderr when it fails. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}, nodeOptions: string[] = []): ChildRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookstream-bench-usage-'));
  const usageFile = path.join(dir, 'usage.json');
  try {
    const start = performance.now();
    const child = spawnSync(process.execPath, [...nodeOptions, '--import', USAGE_HOOK, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, HOOKSTREAM_BENCH_USAGE: usageFile },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const wallMs = performance.now() - start;
    if (child.status !== 0) {
      throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr.slice(-3000)}`);
    }
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ChildUsage;
    return { stdout: child.stdout, stderr: child.stderr, status: child.status, wallMs, usage };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles `entry` into `outfile` (ESM, Node). `lambda`: as infra bundles the functions (every package in, the AWS
 * SDK too, minified); otherwise packages stay external, as the CLI's bundle.
 */
export async function bundle(entry: string, outfile: string, lambda = false): Promise<void> {
  await build({
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: lambda ? 'node22' : 'node20',
    ...(lambda
      ? {
          minify: true,
          mainFields: ['module', 'main'],
          banner: {
            js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
          },
        }
      : { packages: 'external' as const }),
    logLevel: 'error',
  });
}

/** ms with no decimals, or s with two past 10 s. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** MiB from KiB. */
export function formatRss(kb: number): string {
  return `${Math.round(kb / 1024)} MiB`;
}
