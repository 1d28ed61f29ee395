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
const KNOWN = /\.(json|jsonl|ndjson|xml|evtx|gz|tgz|zip|zst|kpl|bin)$/i;

/** The extensions read in folders, for messages. */
export const KNOWN_EXTENSIONS = '.json .jsonl .ndjson .xml .evtx .gz .tgz .zip .zst .kpl .bin';

/** An input file (or archive entry) that was not read, and why. */
export interface SkippedInput {
  source: string;
  reason: string;
}

export interface ReadInputsOptions {
  /** Called for every file not read: in a folder, an unknown extension; in a tar, a macOS resource fork. */
  onSkipped?: (skipped: SkippedInput) => void;
}

/**
 * Expands files and folders (recursively, sorted) into input records. Archives (.zip, .tar.gz, .tgz) yield one
 * record per entry; every other file is one record, decoded by content later (gzip, zstd, KPL, EVTX, JSON
 * lines...). Nothing is left out silently: each file not read is reported to `onSkipped`.
 */
export async function* readInputs(
  paths: readonly string[],
  options: ReadInputsOptions = {},
): AsyncGenerator<InputRecord> {
  for (const input of paths) {
    const info = await stat(input).catch(() => undefined);
    if (info === undefined) throw new InputNotFoundError(input);
    if (info.isDirectory()) {
      for (const file of await listFiles(input, options)) yield* readFileRecords(file, options);
    } else {
      yield* readFileRecords(input, options);
    }
  }
}

async function listFiles(folder: string, options: ReadInputsOptions): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => ({ name: entry.name, file: path.join(entry.parentPath, entry.name) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const { name, file } of files) {
    if (!KNOWN.test(name))
      options.onSkipped?.({ source: file, reason: `not a supported extension (${KNOWN_EXTENSIONS})` });
  }
  return files.filter(({ name }) => KNOWN.test(name)).map(({ file }) => file);
}

async function* readFileRecords(file: string, options: ReadInputsOptions): AsyncGenerator<InputRecord> {
  const data = new Uint8Array(await readFile(file));
  if (/\.zip$/i.test(file)) {
    const entries = unzipSync(data);
    for (const name of Object.keys(entries).sort()) {
      if (!name.endsWith('/')) yield { source: `${file}!${name}`, data: entries[name] as Uint8Array };
    }
  } else if (/\.(tar\.gz|tgz)$/i.test(file)) {
    yield* readTar(file, gunzipSync(data), options);
  } else {
    yield { source: file, data };
  }
}

async function* readTar(file: string, tar: Uint8Array, options: ReadInputsOptions): AsyncGenerator<InputRecord> {
  const unpack = extract();
  Readable.from([Buffer.from(tar)]).pipe(unpack);
  for await (const entry of unpack) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    // Folders are not inputs; the AppleDouble `._name` resource forks macOS tar adds are skipped, and counted.
    if (entry.header.type !== 'file') continue;
    const source = `${file}!${entry.header.name}`;
    if (path.basename(entry.header.name).startsWith('._')) {
      options.onSkipped?.({ source, reason: 'macOS resource fork' });
      continue;
    }
    yield { source, data: new Uint8Array(Buffer.concat(chunks)) };
  }
}
