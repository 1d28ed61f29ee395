/**
 * Short ASCII texts (times, GUIDs, SIDs, hex numbers) written character by character into one scratch buffer and
 * read back as one flat string. Joining the pieces with `+` instead leaves a tree of partial strings behind each
 * value (kept with the document, and walked whenever the value is read), which costs more than the text itself.
 * Not reentrant: each text is begun and taken before the next one starts.
 */

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** Room for the longest text written here: a SID of 255 sub-authorities (8 + 255 * 11 characters). */
const scratch = Buffer.alloc(4096) as Latin1Buffer;
let length = 0;

const DIGITS = '0123456789abcdef';
const UPPER_DIGITS = '0123456789ABCDEF';

/** Starts a new text. */
export function begin(): void {
  length = 0;
}

/** Appends one character (by its code, below 0x100). */
export function putChar(code: number): void {
  scratch[length++] = code;
}

/** Appends an ASCII string. */
export function putText(text: string): void {
  for (let i = 0; i < text.length; i++) scratch[length++] = text.charCodeAt(i);
}

/** Appends a non-negative integer (below 2^53) in decimal, padded with zeros to `width` digits. */
export function putDecimal(value: number, width = 1): void {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = digits; i < width; i++) scratch[length++] = 0x30;
  let rest = value;
  for (let i = length + digits - 1; i >= length; i--) {
    scratch[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  length += digits;
}

/** Appends an unsigned 32-bit integer in hex (lower or upper case), padded with zeros to `width` digits. */
export function putHex32(value: number, width: number, upper: boolean): void {
  const digits = upper ? UPPER_DIGITS : DIGITS;
  let count = 1;
  while (count < 8 && value >>> (4 * count) !== 0) count++;
  if (count < width) count = width;
  for (let i = count - 1; i >= 0; i--) scratch[length++] = digits.charCodeAt(i >= 8 ? 0 : (value >>> (4 * i)) & 15);
}

/** Appends a byte as two upper-case hex digits. */
export function putByteHex(byte: number): void {
  scratch[length++] = UPPER_DIGITS.charCodeAt(byte >>> 4);
  scratch[length++] = UPPER_DIGITS.charCodeAt(byte & 15);
}

/** The text written since {@link begin}, as one flat string. */
export function take(): string {
  return scratch.latin1Slice !== undefined ? scratch.latin1Slice(0, length) : scratch.toString('latin1', 0, length);
}
