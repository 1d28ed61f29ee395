/** UTF-16LE text at a byte offset, for the short strings (names, values) Binary XML is made of. */
import { wellFormed } from '../values.js';

/** Buffer's own UTF-16LE slice (what `toString('utf16le', …)` ends in, without its argument handling per call). */
type Ucs2Buffer = Buffer & { ucs2Slice?: (start: number, end: number) => string };

/**
 * `units` UTF-16 code units from `bytes[at]`, cut at the first NUL unit when `cutAtNul` (value strings may carry
 * their terminator). Decoded by Buffer's native UTF-16LE decoder (several times faster than TextDecoder on short
 * strings); a lone surrogate becomes U+FFFD, as TextDecoder, and evtx_dump, decode it.
 */
export function utf16(bytes: Uint8Array, at: number, units: number, cutAtNul: boolean): string {
  let n = units;
  // Value strings mostly end with their terminator: left out before decoding, and any earlier NUL found after.
  if (cutAtNul && n > 0 && bytes[at + 2 * n - 2] === 0 && bytes[at + 2 * n - 1] === 0) n--;
  if (n === 0) return '';
  const buffer = bufferOf(bytes);
  const text =
    buffer.ucs2Slice !== undefined ? buffer.ucs2Slice(at, at + 2 * n) : buffer.toString('utf16le', at, at + 2 * n);
  if (cutAtNul) {
    const nul = text.indexOf('\u0000');
    if (nul >= 0) return utf16(bytes, at, nul, false);
  }
  // Buffer keeps lone surrogates; TextDecoder (and evtx_dump) replace each with U+FFFD, as wellFormed does (a
  // regular expression for any surrogate scanned the text too, then decoded it again when it held a valid pair).
  return wellFormed(text);
}

let lastBytes: Uint8Array | undefined;
let lastBuffer: Ucs2Buffer | undefined;

/** A Buffer over the same memory as `bytes` (one per chunk: the reader decodes a chunk's strings in a row). */
export function bufferOf(bytes: Uint8Array): Ucs2Buffer {
  if (bytes !== lastBytes) {
    lastBytes = bytes;
    lastBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return lastBuffer as Ucs2Buffer;
}
