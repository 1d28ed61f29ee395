import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectWriter } from '../../src/pipeline/ports.js';

/** The local output folder as an object store: `<root>/<key>`, replacing an existing file like an S3 put. */
export class DiskObjectWriter implements ObjectWriter {
  constructor(private readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = path.join(this.root, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }

  /** Removing a missing file succeeds, as an S3 DeleteObject does. */
  async delete(key: string): Promise<void> {
    await rm(path.join(this.root, ...key.split('/')), { force: true });
  }
}
