/**
 * The arguments that start the command line in a child process: the run's bundle (test-cli-setup.mjs, built as
 * `npm run build` builds dist/) when jest's global set-up made one, else the sources through tsx (a test run
 * outside jest).
 */
import { existsSync } from 'node:fs';
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
