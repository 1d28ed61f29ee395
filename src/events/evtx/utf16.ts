/** UTF-16LE text at a byte offset, for the short strings (names, values) Binary XML is made of. */

const decoder = new TextDecoder('utf-16le');

/**
 * `units` UTF-16 code units from `bytes[at]`, cut at the first NUL unit when `cutAtNul` (value strings may carry
 * their terminator). Short strings are assembled by hand: TextDecoder's per-call cost dominates below ~32 units.
 * A lone surrogate becomes U+FFFD either way (as TextDecoder, and evtx_dump, decode it).
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
  if (n > 32) return decoder.decode(bytes.subarray(at, at + 2 * n));
  let text = '';
  for (let i = 0; i < n; i++) {
    const unit = (bytes[at + 2 * i] as number) | ((bytes[at + 2 * i + 1] as number) << 8);
    if (unit >= 0xd800 && unit <= 0xdfff) return decoder.decode(bytes.subarray(at, at + 2 * n));
    text += String.fromCharCode(unit);
  }
  return text;
}
