/**
 * The command line run in this process through runCli (the function main.ts calls), its output in buffers: what a
 * user sees, without the seconds a spawned `tsx` costs per case. Spawned runs stay where the process itself matters
 * (exit on a closed pipe: pipes.test.ts).
 */
import path from 'node:path';
import { runCli } from '../../../cli/run-cli.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** Runs `hookstream <args>` in-process from the project root; returns the exit code and what it printed. */
export async function cli(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const status = await runCli(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { status, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}
