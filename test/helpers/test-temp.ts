/**
 * Where tests make their temporary folders: the run's own folder under the system's temporary folder, made by
 * jest's global set-up (test-cli-setup.mjs, HOOKSTREAM_TEST_TMP) and removed whole by its teardown, so that a run
 * leaves nothing behind even where a test does not remove what it made (or a worker is ended before it can). Outside
 * jest (the soak), the system's temporary folder.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

export function testTempRoot(): string {
  const root = process.env.HOOKSTREAM_TEST_TMP;
  return root !== undefined && existsSync(root) ? root : tmpdir();
}
