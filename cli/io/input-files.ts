import {
  accessSync,
  createReadStream,
  type Dirent,
  existsSync,
  constants as fsConstants,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { constants, createGunzip } from 'node:zlib';
import { DAMAGED_RAW_BYTES, DamagedInputError } from './damaged-input.js';
import { OUTPUT_MARKER } from './output-folder.js';
import { listZipEntries, readAhead, readZipEntry, type ZipEntry, ZipUnreadableError } from './zip-entries.js';

/** One input record: the bytes of a file, a zip entry or a tar entry, with where it came from. */
export interface InputRecord {
  source: string;
  data: Uint8Array;
}

/**
 * One input (a file, a zip entry or a tar entry) as a stream: `chunks` must be read to its end (or not at all)
 * before the next input is asked for, as a tar is read in one pass.
 */
export interface InputStream {
  source: string;
  chunks: AsyncIterable<Uint8Array>;
  /** Reads the same bytes again from the start: files and zip entries; undefined for a tar entry. */
  reopen?: () => AsyncIterable<Uint8Array>;
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
  /**
   * Called for every file not read: one this user may not read; in a folder, an unknown extension, a pipe, a
   * broken link or a folder it may not list ({@link SKIP_REASONS}); a file reached twice ({@link ALREADY_READ}); in
   * a tar, a macOS resource fork; for {@link readInputs}, a damaged archive entry (the rest of which replay rejects
   * instead: DamagedInputError).
   */
  onSkipped?: (skipped: SkippedInput) => void;
  /**
   * Called once, before the first input, with the files to read, their total size on disk and the newest of
   * their modification times (epoch ms; undefined when there is no file).
   */
  onListed?: (files: readonly string[], bytes: number, newestModified: number | undefined) => void;
  /** Called as bytes are read from disk (compressed bytes for archives): what a progress bar can measure. */
  onBytes?: (bytes: number) => void;
}

/**
 * Expands files and folders (recursively, sorted) into input records. Archives (.zip, .tar.gz, .tgz) yield one
 * record per entry; every other file is one record, decoded by content later (gzip, zstd, KPL, EVTX, JSON
 * lines...). Nothing is left out silently: each file not read is reported to `onSkipped`. Each record is read
 * whole: {@link streamInputs} is the same without holding a record in memory.
 */
export async function* readInputs(
  paths: readonly string[],
  options: ReadInputsOptions = {},
): AsyncGenerator<InputRecord> {
  for await (const input of streamInputs(paths, options)) {
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of input.chunks) chunks.push(chunk);
    } catch (error) {
      // A damaged archive entry is not a record: reported as not read, and the next input read.
      if (!(error instanceof DamagedInputError)) throw error;
      options.onSkipped?.({ source: input.source, reason: error.reason });
      continue;
    }
    yield { source: input.source, data: new Uint8Array(Buffer.concat(chunks)) };
  }
}

/**
 * The inputs of {@link readInputs}, in the same order, as streams: a file is read in chunks, a zip entry is
 * inflated from its own byte range, a tar.gz is gunzipped and split as it is read. Every path is checked before
 * the first input is given (a missing one throws {@link InputNotFoundError}).
 */
export async function* streamInputs(
  paths: readonly string[],
  options: ReadInputsOptions = {},
): AsyncGenerator<InputStream> {
  const listed: ListedFile[] = [];
  for (const input of paths) {
    const info = await stat(input).catch(() => undefined);
    if (info === undefined) throw new InputNotFoundError(input);
    if (info.isDirectory()) listed.push(...(await listFiles(input, options)));
    else listed.push({ file: input, real: realPathOf(input) });
  }
  // One file reached twice (a symbolic link to it, a folder and a file in it both named) is read once: the
  // second time it would double its events.
  const files: string[] = [];
  const real = new Set<string>();
  for (const { file, real: at } of listed) {
    if (real.has(at)) {
      options.onSkipped?.({ source: file, reason: ALREADY_READ });
      continue;
    }
    real.add(at);
    files.push(file);
  }
  if (options.onListed !== undefined) {
    // Synchronous calls: one per file, which the thread pool made cost 0.1-0.2 ms each over 20,000 small files.
    let bytes = 0;
    let newestModified: number | undefined;
    for (const file of files) {
      const info = statSync(file, { throwIfNoEntry: false });
      if (info === undefined) continue; // gone since it was listed: fileInputs reports it
      bytes += info.size;
      if (newestModified === undefined || info.mtimeMs > newestModified) newestModified = info.mtimeMs;
    }
    options.onListed(files, bytes, newestModified === undefined ? undefined : Math.floor(newestModified));
  }
  for (const file of files) yield* fileInputs(file, options);
}

/** Why a folder entry is not read, besides its extension. */
export const SKIP_REASONS = {
  notRegular: 'not a regular file (a pipe, socket or device)',
  brokenLink: 'a symbolic link to nothing',
  folderAgain: 'a folder already walked (a symbolic link to it or to a folder above it)',
  outputFolder: `a hookstream output folder (it holds ${OUTPUT_MARKER}: replay's or dev's own output, not input)`,
} as const;

/** Why a file is not read a second time (see {@link streamInputs}). */
export const ALREADY_READ = 'a file already read through another path (a symbolic link, or named twice)';

/** A file to read, and its real path (links resolved), which says whether another path reached it already. */
interface ListedFile {
  file: string;
  real: string;
}

function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The files to read under `folder`, sorted by path, each entry not read reported (in the same order). Symbolic
 * links are followed, to files and to folders, each folder walked once (so a link to a folder above it is no loop);
 * a folder holding hookstream's output marker below `folder` is not walked. Calls per entry are synchronous (see
 * streamInputs); a file's real path is its folder's, joined, unless it is a link.
 */
async function listFiles(folder: string, options: ReadInputsOptions): Promise<ListedFile[]> {
  const entries: { file: string; real: string; reason?: string }[] = [];
  const walked = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = realPathOf(dir);
    if (walked.has(real)) {
      entries.push({ file: dir, real, reason: SKIP_REASONS.folderAgain });
      return;
    }
    walked.add(real);
    // An output folder met inside an input (this run's own, reached through a link, or an earlier one): its
    // events would come back as input. One named as an input itself is read.
    if (dir !== folder && existsSync(path.join(dir, OUTPUT_MARKER))) {
      entries.push({ file: dir, real, reason: SKIP_REASONS.outputFolder });
      return;
    }
    let listed: Dirent[];
    try {
      listed = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A folder below the one named that this user may not list (evidence unpacked with sudo): told, not fatal.
      if (dir === folder) throw error;
      entries.push({ file: dir, real, reason: unreadable(error) });
      return;
    }
    // In name order, so which path reaches a folder first (the one walked) does not depend on the file system.
    const names = listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      const file = path.join(dir, entry.name);
      const link = entry.isSymbolicLink();
      const kind = link ? statSync(file, { throwIfNoEntry: false }) : entry;
      const at = link ? realPathOf(file) : path.join(real, entry.name);
      if (kind === undefined) entries.push({ file, real: at, reason: SKIP_REASONS.brokenLink });
      else if (kind.isDirectory()) await walk(file);
      else if (!kind.isFile()) entries.push({ file, real: at, reason: SKIP_REASONS.notRegular });
      else if (!KNOWN.test(entry.name))
        entries.push({ file, real: at, reason: `not a supported extension (${KNOWN_EXTENSIONS})` });
      else entries.push({ file, real: at });
    }
  };
  await walk(folder);
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const { file, reason } of entries) if (reason !== undefined) options.onSkipped?.({ source: file, reason });
  return entries.filter(({ reason }) => reason === undefined).map(({ file, real }) => ({ file, real }));
}

const READ_CHUNK_BYTES = 256 * 1024;

/** An input that gives nothing but its damage (see {@link DamagedInputError}). */
// biome-ignore lint/correctness/useYield: it only throws, by design
async function* damaged(reason: string, raw?: () => Promise<Uint8Array | undefined>): AsyncGenerator<Uint8Array> {
  throw new DamagedInputError(reason, await raw?.());
}

/** Files of at most this size are read at once, not streamed (see readFileChunks). */
const SMALL_FILE_BYTES = 64 * 1024;

async function* readFileChunks(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  // A stream costs an open, two reads and a close on the thread pool, and its own machinery: about 0.3 ms a file,
  // which a folder of 20,000 small files paid in full (6.4 s). A small file is read at once instead.
  if (statSync(file).size <= SMALL_FILE_BYTES) {
    const bytes = readFileSync(file);
    onBytes?.(bytes.length);
    if (bytes.length > 0) yield bytes;
    return;
  }
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    onBytes?.((chunk as Buffer).length);
    yield chunk as Buffer;
  }
}

/** Why a file or folder cannot be read, from the error of the call that tried. */
function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return `cannot be read (${code}${code === 'EACCES' || code === 'EPERM' ? ': permission denied' : ''})`;
}

async function* fileInputs(file: string, options: ReadInputsOptions): AsyncGenerator<InputStream> {
  try {
    accessSync(file, fsConstants.R_OK);
  } catch (error) {
    options.onSkipped?.({ source: file, reason: unreadable(error) });
    return;
  }
  if (/\.zip$/i.test(file)) {
    let entries: ZipEntry[];
    try {
      entries = await listZipEntries(file);
    } catch (error) {
      if (!(error instanceof ZipUnreadableError)) throw error;
      // Not a zip after all, or its directory is damaged: one input, rejected with the reason (and the file's
      // bytes when small), so the rest of a folder is still replayed.
      const detail = error.detail;
      const small = (await stat(file)).size <= DAMAGED_RAW_BYTES;
      const reason = `zip unreadable: ${detail}${small ? '' : ' (its bytes are in the file)'}`;
      yield { source: file, chunks: damaged(reason, async () => (small ? readFile(file) : undefined)) };
      return;
    }
    for (const entry of entries) {
      yield {
        source: `${file}!${entry.name}`,
        chunks: readZipEntry(file, entry, options.onBytes),
        // Read again (a gzip entry is checked whole before it is decoded): not counted twice as progress.
        reopen: () => readZipEntry(file, entry),
      };
    }
  } else if (/\.(tar\.gz|tgz)$/i.test(file)) {
    yield* tarInputs(file, options);
  } else {
    yield { source: file, chunks: readFileChunks(file, options.onBytes), reopen: () => readFileChunks(file) };
  }
}

/**
 * A tar.gz as one pass: gunzip (leniently: an archive cut short gives what it holds, as fflate's gunzipSync did)
 * into a tar reader, each file entry given as it comes.
 */
async function* tarInputs(file: string, options: ReadInputsOptions): AsyncGenerator<InputStream> {
  // Loaded here, on the first archive: tar-stream and its dependencies take 17-22 ms of CPU to load, which every
  // replay of plain files would pay at start-up (test/unit/cli/io/tar-stream-on-demand.test.ts).
  const { extract } = await import('tar-stream');
  const raw = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  if (options.onBytes !== undefined) {
    const onBytes = options.onBytes;
    raw.on('data', (chunk) => onBytes(chunk.length));
  }
  // Room to gunzip ahead while the last piece is decoded (see INFLATE_AHEAD_BYTES), in 256 KiB chunks as zip
  // entries are: with the default 16 KiB, the 57 MB of the OTRF empire_mimikatz_opth.tar.gz came in 3,485 chunks,
  // each a thread-pool round trip and a tar-stream step (read alone: 210-390 ms wall, 100-200 ms of it idle, 220 ms
  // CPU; with 256 KiB: 57-82 ms, 61-119 ms CPU).
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 256 * 1024, ...readAhead });
  const unpack = extract();
  raw.on('error', (error) => unpack.destroy(error));
  // Damaged compressed data: the entries already inflated are still read (the inflater runs ahead of the reader),
  // then the rest of the archive is rejected with this error. zlib drops the output of the write that fails (up
  // to one 256 KiB chunk), so an entry that ends just before the damage may be rejected with the rest.
  let inflateError: Error | undefined;
  gunzip.on('error', (error) => {
    inflateError = error;
    unpack.end(() => {});
  });
  const damage = (error: unknown) =>
    `tar.gz damaged: ${(inflateError ?? (error as Error)).message} (the rest of the archive is not read; its bytes are in the file)`;
  raw.pipe(gunzip).pipe(unpack);
  // The error that broke the archive inside an entry, once the entry's reader has been told (DamagedInputError).
  let broken: unknown;
  try {
    for await (const entry of unpack) {
      const source = `${file}!${entry.header.name}`;
      // Folders are not inputs; the AppleDouble `._name` resource forks macOS tar adds are skipped, and counted.
      const skip = entry.header.type !== 'file' || path.basename(entry.header.name).startsWith('._');
      if (skip) {
        if (entry.header.type === 'file') options.onSkipped?.({ source, reason: 'macOS resource fork' });
        entry.resume();
        continue;
      }
      let drained = false;
      const chunks = (async function* () {
        try {
          for await (const chunk of entry) yield chunk as Buffer;
        } catch (error) {
          broken = error;
          throw new DamagedInputError(damage(error));
        }
        drained = true;
      })();
      yield { source, chunks };
      if (broken !== undefined) return;
      // The reader stopped early (or never read): the rest of the entry is skipped so the next one can come.
      if (!drained) for await (const _ of entry);
    }
    // The inflater broke off where no entry was being read: the rest is one rejected input.
    if (inflateError !== undefined) yield { source: `${file}!`, chunks: damaged(damage(inflateError)) };
  } catch (error) {
    // Broken between two entries (or while skipping one): the rest of the archive is one rejected input.
    if (broken !== undefined) return;
    yield { source: `${file}!`, chunks: damaged(damage(error)) };
  } finally {
    raw.destroy();
  }
}
