/**
 * The arguments that start the command line in a child process: the run's bundle (test-cli-setup.mjs, built as
 * `npm run build` builds dist/) when jest's global set-up made one, else the sources through tsx (a test run
 * outside jest).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '../..');

export function cliEntry(): string[] {
  const bundle = process.env.HOOKSTREAM_TEST_CLI;
  if (bundle !== undefined && existsSync(bundle)) return [bundle];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, path.join(root, 'cli/main.ts')];
}

/**
 * The built CLI's file, for tests that run it under node flags of their own (a module-recording preload): the
 * run's bundle, or, outside jest, one built here as `npm run build` builds it, inside the project so that its
 * external packages resolve from node_modules. `dispose` removes what was built here.
 */
export async function builtCliBundle(): Promise<{ file: string; dispose: () => void }> {
  const bundle = process.env.HOOKSTREAM_TEST_CLI;
  if (bundle !== undefined && existsSync(bundle)) return { file: bundle, dispose: () => {} };
  const { build } = await import('esbuild');
  const { cliBuildOptions } = await import('../../scripts/cli-build-options.mjs');
  const outdir = mkdtempSync(path.join(root, '.hookstream-test-cli-'));
  await build({ ...cliBuildOptions(outdir), absWorkingDir: root, logLevel: 'error' });
  return { file: path.join(outdir, 'hookstream.js'), dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}
