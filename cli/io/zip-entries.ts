/**
 * Zip archives read entry by entry, never whole: the central directory (at the end of the file) lists the entries,
 * and each entry is streamed from its own byte range and inflated as it is read. Stored (0) and deflated (8)
 * entries, ZIP64 sizes and offsets; no encryption, no spanned archives.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createInflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { DAMAGED_RAW_BYTES, DamagedInputError } from './damaged-input.js';

/**
 * A zip whose directory cannot be read (the file is not what its name says, or is damaged): the reader rejects the
 * file as one input (input-files.ts), and the rest of a folder is read.
 */
export class ZipUnreadableError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`cannot read ${file} as a zip archive: ${detail}`);
    this.name = 'ZipUnreadableError';
  }
}

/**
 * Inflated bytes an input stream may hold before the inflater waits for the reader. Inflating runs on libuv's
 * thread pool, so with this much room it goes on while the main thread decodes the last piece (4 MiB of text);
 * with the stream's default (16 KiB) it stopped after one 256 KiB chunk, and every piece then waited for about
 * sixteen thread-pool round trips: 1x OTRF replay, 1.0 s of the main thread's 3 s of pass 1 idle in a CPU profile.
 */
export const INFLATE_AHEAD_BYTES = 8 * 1024 * 1024;

/** zlib's streams take the stream options too (their types do not say so). */
export const readAhead = { readableHighWaterMark: INFLATE_AHEAD_BYTES } as ZlibOptions;

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the entry's local header in the archive. */
  localOffset: number;
  /** Why the entry cannot be read (encrypted, another compression method): it is rejected, the others read. */
  problem?: string;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function u64(buffer: Buffer, at: number): number {
  return Number(buffer.readBigUInt64LE(at));
}

/**
 * The archive's file entries (folders left out), by name in the order `Array.prototype.sort` gives, a name listed
 * twice kept once (its last listing), as fflate's unzipSync (which replay used before) gave them. Names are UTF-8
 * when the entry says so (flag bit 11), else Latin-1, as fflate decodes them.
 */
export async function listZipEntries(file: string): Promise<ZipEntry[]> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const tailStart = Math.max(0, size - (22 + MAX_COMMENT));
    const tail = await readAt(handle, tailStart, size - tailStart);
    let eocd = -1;
    for (let at = tail.length - 22; at >= 0; at--) {
      if (tail.readUInt32LE(at) === EOCD) {
        eocd = at;
        break;
      }
    }
    if (eocd === -1) throw new ZipUnreadableError(file, 'no end of central directory record');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
      const zip64At = u64(tail, eocd - 20 + 8);
      const zip64 = await readAt(handle, zip64At, 56);
      if (zip64.length < 56 || zip64.readUInt32LE(0) !== ZIP64_EOCD)
        throw new ZipUnreadableError(file, 'bad ZIP64 end of central directory record');
      count = u64(zip64, 32);
      cdSize = u64(zip64, 40);
      cdOffset = u64(zip64, 48);
    }
    const cd = await readAt(handle, cdOffset, cdSize);
    const byName = new Map<string, ZipEntry>();
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== CENTRAL)
        throw new ZipUnreadableError(file, 'bad central directory entry');
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      let compressedSize = cd.readUInt32LE(at + 20);
      let uncompressedSize = cd.readUInt32LE(at + 24);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      let localOffset = cd.readUInt32LE(at + 42);
      const nameBytes = cd.subarray(at + 46, at + 46 + nameLength);
      const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
      // ZIP64 extra field (0x0001): the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = cd.readUInt16LE(extra);
        const length = cd.readUInt16LE(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = u64(cd, field);
            field += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(cd, field);
            field += 8;
          }
          if (localOffset === 0xffffffff) localOffset = u64(cd, field);
        }
        extra += 4 + length;
      }
      at = extraEnd + commentLength;
      if (name.endsWith('/')) continue;
      const problem =
        flags & 0x1
          ? 'is encrypted'
          : method !== 0 && method !== 8
            ? `uses compression method ${method} (only stored and deflate are read)`
            : undefined;
      byName.delete(name);
      byName.set(name, {
        name,
        method,
        compressedSize,
        uncompressedSize,
        localOffset,
        ...(problem ? { problem } : {}),
      });
    }
    const names = [...byName.keys()].sort();
    return names.map((name) => byName.get(name) as ZipEntry);
  } finally {
    await handle.close();
  }
}

/** Where the entry's data starts: after its local header, whose name and extra lengths may differ from the central. */
async function dataStart(handle: FileHandle, entry: ZipEntry): Promise<number | undefined> {
  const header = await readAt(handle, entry.localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) return undefined;
  return entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** The entry's stored bytes when small enough to keep in a rejection (undefined: too large, or unreadable). */
async function storedBytes(file: string, entry: ZipEntry): Promise<Uint8Array | undefined> {
  if (entry.compressedSize > DAMAGED_RAW_BYTES) return undefined;
  const handle = await open(file, 'r');
  try {
    const start = await dataStart(handle, entry);
    const bytes = start === undefined ? undefined : await readAt(handle, start, entry.compressedSize);
    return bytes !== undefined && bytes.length === entry.compressedSize ? bytes : undefined;
  } finally {
    await handle.close();
  }
}

/** The entry rejected with `reason`: its stored bytes when small, else where they are. */
async function damagedEntry(file: string, entry: ZipEntry, reason: string): Promise<DamagedInputError> {
  const raw = await storedBytes(file, entry).catch(() => undefined);
  const where = `(its ${entry.compressedSize} stored bytes are at offset ${entry.localOffset} of the archive)`;
  return new DamagedInputError(raw === undefined ? `${reason} ${where}` : reason, raw);
}

/** Entries stored in at most this many bytes are read whole and inflated at once (see readZipEntry). */
const SMALL_ENTRY_BYTES = 64 * 1024;

/** A small entry that inflates to more than this (a deflate bomb, or just well compressed) is streamed. */
const INFLATE_AT_ONCE_BYTES = 4 * 1024 * 1024;

/**
 * What a small entry inflates to at once, or why it does not; undefined when that is more than
 * {@link INFLATE_AT_ONCE_BYTES} (streamed instead). Tagged, not an Error: zlib's errors come from node's own realm.
 */
function inflatedAtOnce(entry: ZipEntry, stored: Buffer): { bytes: Buffer } | { damage: string } | undefined {
  if (entry.method === 0) return { bytes: stored };
  try {
    return { bytes: inflateRawSync(stored, { maxOutputLength: INFLATE_AT_ONCE_BYTES }) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    return { damage: (error as { message?: string }).message ?? String(error) };
  }
}

/**
 * The entry's uncompressed bytes as a stream of chunks. `onRead` is told of every compressed byte read from disk
 * (a progress bar's measure). May be called again for the same entry: it reads it anew. An entry that cannot be
 * read (encrypted, another method, a bad local header, deflate data that breaks off) throws DamagedInputError
 * once what it gave before is given: the archive's other entries are still read.
 */
export async function* readZipEntry(
  file: string,
  entry: ZipEntry,
  onRead?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  if (entry.problem !== undefined) throw await damagedEntry(file, entry, `zip entry ${entry.problem}`);
  if (entry.compressedSize === 0) return;
  const handle = await open(file, 'r');
  let start: number | undefined;
  let small: Buffer | undefined;
  try {
    start = await dataStart(handle, entry);
    // A small entry is read in one go and inflated at once: a stream and an inflater per entry cost about 0.7 ms,
    // which an archive of 20,000 small entries paid 20,000 times (14 s).
    if (start !== undefined && entry.compressedSize <= SMALL_ENTRY_BYTES)
      small = await readAt(handle, start, entry.compressedSize);
  } finally {
    await handle.close();
  }
  if (start === undefined)
    throw await damagedEntry(file, entry, 'zip entry has no local header where the directory says');
  if (small !== undefined) {
    const whole = inflatedAtOnce(entry, small);
    if (whole !== undefined && 'damage' in whole)
      throw await damagedEntry(file, entry, `zip entry damaged: ${whole.damage}`);
    if (whole !== undefined) {
      onRead?.(small.length);
      if (whole.bytes.length > 0) yield whole.bytes;
      return;
    }
  }
  const raw = createReadStream(file, { start, end: start + entry.compressedSize - 1, highWaterMark: 256 * 1024 });
  if (onRead !== undefined) raw.on('data', (chunk) => onRead(chunk.length));
  if (entry.method === 0) {
    for await (const chunk of raw) yield chunk as Buffer;
    return;
  }
  const inflate = createInflateRaw({ chunkSize: 256 * 1024, ...readAhead });
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  let failed: Error | undefined;
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    failed = error as Error;
  } finally {
    raw.destroy();
  }
  if (failed !== undefined) throw await damagedEntry(file, entry, `zip entry damaged: ${failed.message}`);
}
