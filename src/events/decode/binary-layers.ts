/**
 * The binary layers' decoders: gzip, zstd and KPL aggregates (the registry, magic bytes and the EVTX document
 * source are in binary/). Each wrapper unwraps to the next layer's
 * bytes (several, for KPL) or a rejection reason. Decompression is streamed against a budget shared by every
 * layer of one record (gzip inside KPL inside gzip...), because neither a hostile header nor a stack of
 * compressions may decide how much memory one record costs: a bomb stops at the budget, it is never fully decoded.
 */

import { Gunzip } from 'fflate';
import { Decompress } from 'fzstd';
import { LIMITS } from '../../limits.js';
import { findBinaryLayer } from './binary/index.js';
import { deaggregateKpl } from './binary/kpl-aggregate.js';

/**
 * Decompressed bytes one record may still produce, all layers together. One budget per record, spent by
 * {@link gunzip} and {@link unzstd} as they inflate (KPL de-aggregation only cuts its input, so it costs nothing).
 */
export interface DecompressionBudget {
  remaining: number;
}

/** A fresh budget of {@link LIMITS.decompressedBytesPerRecord}. */
export function recordBudget(bytes: number = LIMITS.decompressedBytesPerRecord): DecompressionBudget {
  return { remaining: bytes };
}

/**
 * Compressed bytes handed to the gzip inflater at a time. fflate inflates all it is given before it calls back,
 * so pushing a whole bomb would allocate its whole output first; deflate expands at most ~1,032:1, so a slice
 * this size produces at most ~4 MiB before the budget is checked.
 */
const GZIP_SLICE_BYTES = 4096;

export type Unwrapped = { ok: true; value: Uint8Array[] } | { ok: false; error: string };

export type Layer = 'gzip' | 'zstd' | 'kpl' | 'evtx';

/** Which binary layer the bytes start with, if any (by the magic bytes of the registry, binary/index.ts). */
export function binaryLayer(bytes: Uint8Array): Layer | undefined {
  return findBinaryLayer(bytes)?.name;
}

class TooLarge extends Error {}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function errorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function collect(
  name: string,
  truncatedCode: number,
  budget: DecompressionBudget,
  run: (onChunk: (chunk: Uint8Array) => void) => void,
): Unwrapped {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    run((chunk) => {
      total += chunk.length;
      // Spent as it is produced: a layer that fails later has still cost this memory and time.
      budget.remaining -= chunk.length;
      if (budget.remaining < 0) throw new TooLarge();
      chunks.push(chunk);
    });
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, error: `${name} too large` };
    return { ok: false, error: errorCode(error) === truncatedCode ? `truncated ${name}` : `invalid ${name}` };
  }
  return { ok: true, value: [concat(chunks, total)] };
}

/**
 * gzip, all members, spending `budget`. fflate's stream does not fail on a stream cut at a block boundary, so the
 * last member's ISIZE trailer is checked against what it produced (a cut record's "trailer" is compressed bytes).
 */
export function gunzip(bytes: Uint8Array, budget: DecompressionBudget = recordBudget()): Unwrapped {
  if (bytes.length < 18) return { ok: false, error: 'truncated gzip' };
  let total = 0;
  let memberStart = 0;
  const result = collect('gzip', 0, budget, (onChunk) => {
    const stream = new Gunzip((chunk) => {
      total += chunk.length;
      onChunk(chunk);
    });
    stream.onmember = () => {
      memberStart = total;
    };
    for (let at = 0; at < bytes.length; at += GZIP_SLICE_BYTES) {
      const end = Math.min(bytes.length, at + GZIP_SLICE_BYTES);
      stream.push(bytes.subarray(at, end), end === bytes.length);
    }
  });
  if (!result.ok) return result;
  const n = bytes.length;
  const isize =
    ((bytes[n - 4] as number) |
      ((bytes[n - 3] as number) << 8) |
      ((bytes[n - 2] as number) << 16) |
      ((bytes[n - 1] as number) << 24)) >>>
    0;
  if ((total - memberStart) % 0x100000000 !== isize) return { ok: false, error: 'truncated gzip' };
  return result;
}

/**
 * zstd, spending `budget`; fzstd error code 5 is 'unexpected EOF'. A frame that ends early without an error is
 * truncated too. fzstd streams block by block (128 KiB at most), but it allocates the frame's window up front, so
 * a frame declaring more content or a larger window than the budget is rejected before anything is allocated.
 */
export function unzstd(bytes: Uint8Array, budget: DecompressionBudget = recordBudget()): Unwrapped {
  const declared = zstdContentSize(bytes);
  if (declared !== undefined && declared > budget.remaining) return { ok: false, error: 'zstd too large' };
  const window = zstdWindowSize(bytes);
  if (window !== undefined && window > budget.remaining) return { ok: false, error: 'zstd too large' };
  let finished = false;
  const result = collect('zstd', 5, budget, (onChunk) => {
    const stream = new Decompress((chunk, final) => {
      onChunk(chunk);
      if (final) finished = true;
    });
    stream.push(bytes, true);
  });
  if (result.ok && !finished) return { ok: false, error: 'truncated zstd' };
  return result;
}

/**
 * The first frame's declared content size, when its header carries one (one-shot compressors write it; the
 * zstd CLI reading a pipe does not, and such frames cost a window-sized allocation in fzstd).
 */
export function zstdContentSize(bytes: Uint8Array): number | undefined {
  const descriptor = bytes[4];
  if (descriptor === undefined) return undefined;
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const sizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag;
  if (sizeBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  if (at + sizeBytes > bytes.length) return undefined;
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + (bytes[at + i] as number);
  return sizeBytes === 2 ? size + 256 : size;
}

/**
 * The first frame's window size from its Window_Descriptor (RFC 8878 3.1.1.1.2), when the frame has one (a
 * single-segment frame's window is its content size, see {@link zstdContentSize}).
 */
export function zstdWindowSize(bytes: Uint8Array): number | undefined {
  const descriptor = bytes[4];
  const windowByte = bytes[5];
  if (descriptor === undefined || windowByte === undefined || (descriptor >> 5) & 1) return undefined;
  const base = 2 ** (10 + (windowByte >> 3));
  return base + (base / 8) * (windowByte & 7);
}

/** The user records of a KPL aggregate, checksum verified (read by binary/kpl-aggregate.ts). */
export function deaggregate(bytes: Uint8Array): Unwrapped {
  const records = deaggregateKpl(bytes);
  return records === undefined ? { ok: false, error: 'invalid KPL aggregate' } : { ok: true, value: records };
}
