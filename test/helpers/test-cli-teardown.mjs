/** Jest global teardown: removes the run's CLI bundle and the run's temporary folder (test-cli-setup.mjs). */
import { rmSync } from 'node:fs';
import path from 'node:path';

export default function teardown() {
  const bundle = process.env.HOOKSTREAM_TEST_CLI;
  if (bundle !== undefined && path.basename(path.dirname(bundle)).startsWith('.hookstream-test-cli-')) {
    rmSync(path.dirname(bundle), { recursive: true, force: true });
  }
  const temp = process.env.HOOKSTREAM_TEST_TMP;
  if (temp !== undefined && path.basename(temp).startsWith('hookstream-test-run-')) {
    rmSync(temp, { recursive: true, force: true });
  }
}
