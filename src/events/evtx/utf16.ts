/** UTF-16LE text at a byte offset, for the short strings (names, values) Binary XML is made of. */

/**
 * `units` UTF-16 code units from `bytes[at]`, cut at the first NUL unit when `cutAtNul` (value strings may carry
 * their terminator). Decoded by Buffer's native UTF-16LE decoder (several times faster than TextDecoder on short
 * strings); a lone surrogate becomes U+FFFD, as TextDecoder, and evtx_dump, decode it.
 */
export function utf16(bytes: Uint8Array, at: number, units: number, cutAtNul: boolean): string {
  let n = units;
  if (cutAtNul) {
    for (let i = 0; i < units; i++) {
      if (bytes[at + 2 * i] === 0 && bytes[at + 2 * i + 1] === 0) {
        n = i;
        break;
      }
    }
  }
  if (n === 0) return '';
  const text = bufferOf(bytes).toString('utf16le', at, at + 2 * n);
  // Buffer keeps lone surrogates; TextDecoder replaces them (seldom needed, so checked, not always paid).
  return SURROGATE.test(text) ? decoder.decode(bytes.subarray(at, at + 2 * n)) : text;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const decoder = new TextDecoder('utf-16le');

let lastBytes: Uint8Array | undefined;
let lastBuffer: Buffer | undefined;

/** A Buffer over the same memory as `bytes` (one per chunk: the reader decodes a chunk's strings in a row). */
function bufferOf(bytes: Uint8Array): Buffer {
  if (bytes !== lastBytes) {
    lastBytes = bytes;
    lastBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return lastBuffer as Buffer;
}
