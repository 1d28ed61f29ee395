/**
 * Short ASCII texts (times, GUIDs, SIDs, hex numbers) written character by character into one scratch buffer and
 * read back as one flat string. Joining the pieces with `+` instead leaves a tree of partial strings behind each
 * value (kept with the document, and walked whenever the value is read), which costs more than the text itself.
 * A text is begun and taken before the next one starts; texts may nest as a stack (a time's text begins after
 * the text of its second is taken).
 *
 * Texts that are template values can be kept instead of taken ({@link takeValue} between {@link deferValue} and
 * {@link endDefer}): they stay in the buffer, and when the instance's values are all read ({@link closeValues})
 * the buffer is read back once and each value set as a substring. One native call an instance instead of one a
 * value. Instances nest (a Binary XML value holds its own), so these are frames on a stack.
 */

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** Room for the kept texts of an instance (up to {@link KEEP_LIMIT}) and then the longest text written here, a SID of 255 sub-authorities (about 2,830 characters). */
const scratch = Buffer.alloc(8192) as Latin1Buffer;
/** Past this, an instance's value texts are taken one by one. */
const KEEP_LIMIT = 4096;
let length = 0;
let textStart = 0;

/** Kept texts: the value's index, its start and end in `scratch`. */
const kept: number[] = [];
let keptLength = 0;
/** Where the current value's text goes when kept: its instance's values and its index; undefined: taken at once. */
let keepInto: unknown[] | undefined;
let keepIndex = 0;
/** Open frames: the values, where their kept texts start in `kept` and in `scratch`. */
const frameValues: unknown[][] = [];
const frameKept: number[] = [];
const frameStart: number[] = [];

const DIGITS = '0123456789abcdef';
const UPPER_DIGITS = '0123456789ABCDEF';

/** Starts a new text. */
export function begin(): void {
  textStart = length;
}

/** Appends one character (by its code, below 0x100). */
export function putChar(code: number): void {
  scratch[length++] = code;
}

/** Appends an ASCII string. */
export function putText(text: string): void {
  for (let i = 0; i < text.length; i++) scratch[length++] = text.charCodeAt(i);
}

/** Appends `bytes[0, count)` (ASCII). */
export function putBytes(bytes: Uint8Array, count: number): void {
  for (let i = 0; i < count; i++) scratch[length++] = bytes[i] as number;
}

/** Appends a non-negative integer (below 2^53) in decimal, padded with zeros to `width` digits. */
export function putDecimal(value: number, width = 1): void {
  if (value >= 0 && value < 0x80000000) {
    putSmallDecimal(value | 0, width);
    return;
  }
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

/**
 * {@link putDecimal} of a value below 2^31, in 32-bit integer arithmetic (`(x / 10) | 0` compiles to a multiply
 * and shift; Math.floor of a float division does not): every date and time field, most SID parts.
 */
function putSmallDecimal(value: number, width: number): void {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  for (let i = digits; i < width; i++) scratch[length++] = 0x30;
  let rest = value;
  for (let i = length + digits - 1; i >= length; i--) {
    const next = (rest / 10) | 0;
    scratch[i] = 0x30 + rest - 10 * next;
    rest = next;
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

function slice(start: number, end: number): string {
  return scratch.latin1Slice !== undefined ? scratch.latin1Slice(start, end) : scratch.toString('latin1', start, end);
}

/** The text written since {@link begin}, as one flat string (and the buffer back to where it began). */
export function take(): string {
  const text = slice(textStart, length);
  length = textStart;
  return text;
}

/** A value's text: kept (returning '', set later by closeValues) when {@link deferValue} asked for it, else taken. */
export function takeValue(): string {
  if (keepInto === undefined) return take();
  kept[keptLength++] = keepIndex;
  kept[keptLength++] = textStart;
  kept[keptLength++] = length;
  keepInto = undefined;
  return '';
}

/** Opens a frame for one instance's `values`. */
export function openValues(values: unknown[]): void {
  frameValues.push(values);
  frameKept.push(keptLength);
  frameStart.push(length);
}

/** Asks that the text of the value decoded next, `values[index]` of the open frame, be kept. */
export function deferValue(index: number): void {
  if (length > KEEP_LIMIT) return;
  keepInto = frameValues[frameValues.length - 1];
  keepIndex = index;
}

/** Ends a {@link deferValue} (the value may have had no text). */
export function endDefer(): void {
  keepInto = undefined;
}

/** Sets the open frame's kept texts into its values, and closes it. */
export function closeValues(): void {
  const values = frameValues.pop() as unknown[];
  const base = frameKept.pop() as number;
  const start = frameStart.pop() as number;
  if (keptLength > base) {
    const text = slice(start, length);
    for (let k = base; k < keptLength; k += 3) {
      values[kept[k] as number] = text.substring((kept[k + 1] as number) - start, (kept[k + 2] as number) - start);
    }
  }
  keptLength = base;
  length = start;
  textStart = start;
}

/** Drops every frame and kept text (a record that failed halfway leaves its own behind). */
export function resetTexts(): void {
  if (frameValues.length > 0) {
    frameValues.length = 0;
    frameKept.length = 0;
    frameStart.length = 0;
  }
  keptLength = 0;
  keepInto = undefined;
  length = 0;
  textStart = 0;
}
