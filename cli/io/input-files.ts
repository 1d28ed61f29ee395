import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, unzipSync } from 'fflate';
import { extract } from 'tar-stream';

/** One input record: the bytes of a file, a zip entry or a tar entry, with where it came from. */
export interface InputRecord {
  source: string;
  data: Uint8Array;
}

/** A path the user named that cannot be read: a usage error, reported without a stack trace. */
export class InputNotFoundError extends Error {
  constructor(readonly inputPath: string) {
    super(`no such file or folder: ${inputPath}`);
    this.name = 'InputNotFoundError';
  }
}

/** Extensions read when walking a folder; a file named explicitly is read whatever its extension. */
const KNOWN = /\.(json|jsonl|ndjson|xml|gz|tgz|zip|zst|kpl|bin)$/i;

/**
 * Expands files and folders (recursively, sorted) into input records. Archives (.zip, .tar.gz, .tgz) yield one
 * record per entry; every other file is one record, decoded by content later (gzip, zstd, KPL, JSON lines...).
 */
export async function* readInputs(paths: readonly string[]): AsyncGenerator<InputRecord> {
  for (const input of paths) {
    const info = await stat(input).catch(() => undefined);
    if (info === undefined) throw new InputNotFoundError(input);
    if (info.isDirectory()) {
      for (const file of await listFiles(input)) yield* readFileRecords(file);
    } else {
      yield* readFileRecords(input);
    }
  }
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && KNOWN.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

async function* readFileRecords(file: string): AsyncGenerator<InputRecord> {
  const data = new Uint8Array(await readFile(file));
  if (/\.zip$/i.test(file)) {
    const entries = unzipSync(data);
    for (const name of Object.keys(entries).sort()) {
      if (!name.endsWith('/')) yield { source: `${file}!${name}`, data: entries[name] as Uint8Array };
    }
  } else if (/\.(tar\.gz|tgz)$/i.test(file)) {
    yield* readTar(file, gunzipSync(data));
  } else {
    yield { source: file, data };
  }
}

async function* readTar(file: string, tar: Uint8Array): AsyncGenerator<InputRecord> {
  const unpack = extract();
  Readable.from([Buffer.from(tar)]).pipe(unpack);
  for await (const entry of unpack) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    // Skip folders and the AppleDouble `._name` resource forks macOS tar adds.
    if (entry.header.type === 'file' && !path.basename(entry.header.name).startsWith('._')) {
      yield { source: `${file}!${entry.header.name}`, data: new Uint8Array(Buffer.concat(chunks)) };
    }
  }
}
