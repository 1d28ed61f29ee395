/**
 * Runs the built CLI in a fresh process under the preload that records every module it loads
 * (test/unit/node-io/record-module-loads.mjs): for the tests that check a command does not load a package.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const RECORDER = path.resolve(import.meta.dirname, '../unit/node-io/record-module-loads.mjs');

/** `node <cli> <args>` in `cwd`; throws unless it exits 0. Its stdout and the modules it loaded (written to `log`). */
export function runRecordingModules(
  cli: string,
  args: readonly string[],
  options: { cwd: string; log: string; env?: Record<string, string> },
): { stdout: string; loaded: string[] } {
  const child = spawnSync(process.execPath, ['--import', RECORDER, cli, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', ...options.env, HOOKSTREAM_TEST_MODULE_LOG: options.log },
  });
  if (child.status !== 0) throw new Error(`${args[0]} exited ${child.status}: ${child.stderr}`);
  return { stdout: child.stdout, loaded: readFileSync(options.log, 'utf8').split('\n').filter(Boolean) };
}
