/** UTF-16LE text at a byte offset, for the short strings (names, values) Binary XML is made of. */

/** Buffer's own UTF-16LE slice (what `toString('utf16le', …)` ends in, without its argument handling per call). */
type Ucs2Buffer = Buffer & { ucs2Slice?: (start: number, end: number) => string };

/**
 * `units` UTF-16 code units from `bytes[at]`, cut at the first NUL unit when `cutAtNul` (value strings may carry
 * their terminator). Decoded by Buffer's native UTF-16LE decoder (several times faster than TextDecoder on short
 * strings); a lone surrogate becomes U+FFFD, as TextDecoder, and evtx_dump, decode it.
 */
export function utf16(bytes: Uint8Array, at: number, units: number, cutAtNul: boolean): string {
  let n = units;
  let surrogate = false;
  // One pass over the high bytes: where the first NUL unit is, and whether any unit may be a surrogate.
  for (let i = 0; i < units; i++) {
    const high = bytes[at + 2 * i + 1] as number;
    if (high === 0) {
      if (cutAtNul && bytes[at + 2 * i] === 0) {
        n = i;
        break;
      }
    } else if (high >= 0xd8 && high <= 0xdf) {
      surrogate = true;
    }
  }
  if (n === 0) return '';
  const end = at + 2 * n;
  // Buffer keeps lone surrogates; TextDecoder replaces them (seldom needed, so only for text that has surrogates).
  if (surrogate) return decoder.decode(bytes.subarray(at, end));
  const buffer = bufferOf(bytes);
  return buffer.ucs2Slice !== undefined ? buffer.ucs2Slice(at, end) : buffer.toString('utf16le', at, end);
}

const decoder = new TextDecoder('utf-16le');

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
