import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cliEntry } from './cli-entry.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs the hookstream command line (as built: cli-entry.ts), as a user would, and returns what it printed. */
export function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...cliEntry(), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same command line in this process (cli/run-cli.ts, what main.ts calls), from the project root: no compiler
 * and no Node start per case. For argument errors, help and commands whose work is in-process anyway; keep one
 * spawned run per command for what only a real process shows (exit, streams, environment).
 */
export async function runCliInProcess(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const { runCli: run } = await import('../../cli/run-cli.js');
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const status = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { status, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}
