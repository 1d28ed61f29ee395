/**
 * Value texts seen recently, by their type and bytes: a log repeats most of its short values record after record
 * (provider GUIDs, SIDs, computer, user, image and channel names, process GUIDs of one process), so a value whose
 * bytes were decoded before gives back the same string instead of decoding (and allocating, and keeping) a new one.
 * Direct-mapped: each (type, bytes) has one slot by a hash of a few of its words; a hit is checked on every byte,
 * so a collision costs only a miss. A value is stored only when its hash was seen last in its slot (the second
 * time it comes): values that never repeat (times, command lines) then cost a hash, not a copy of their bytes and
 * a string kept alive until the slot is taken again. Values of 4 to {@link WIDTH} bytes only (shorter ones are cheap, V8 keeps
 * one-character strings, longer ones seldom repeat whole).
 *
 * Use: `lookup` (the text, or undefined and the slot noted), then on a miss `remember(text)` with the text decoded
 * from the same bytes, before the next lookup.
 */

const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;
/** Most bytes a cached value has. */
const WIDTH = 128;

/** Each slot's (type, size) + 1; 0 when empty. */
const keys = new Int32Array(SLOTS);
/** Each slot's hash of the value last looked up there (odd; 0 none): stored the next time it comes. */
const seen = new Int32Array(SLOTS);
const stored = new Uint8Array(SLOTS * WIDTH);
/**
 * The same memory as 32-bit words (a slot starts on a multiple of {@link WIDTH}, so its words are aligned): each
 * holds a value's four bytes as read little-endian, written and compared only so, whatever the platform's order.
 */
const storedWords = new Int32Array(stored.buffer);
const texts: string[] = new Array<string>(SLOTS).fill('');

/** The slot and the value bytes of the last miss, for {@link remember}. */
let missSlot = -1;
let missBytes: Uint8Array = stored;
let missView: DataView = new DataView(stored.buffer);
let missAt = 0;
let missSize = 0;

/**
 * The text of the value of `type` in `bytes[at, at + size)` when these bytes were seen last in its slot, else
 * undefined (then {@link remember} stores the text for them).
 */
export function lookup(type: number, bytes: Uint8Array, view: DataView, at: number, size: number): string | undefined {
  if (size < 4 || size > WIDTH) {
    missSlot = -1;
    return undefined;
  }
  const first = view.getInt32(at, true);
  const middle = view.getInt32(at + ((size >>> 1) & ~3), true);
  const last = view.getInt32(at + size - 4, true);
  let h = Math.imul(first ^ (type << 8) ^ size, 0x9e3779b1);
  h = Math.imul(h ^ middle ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ last ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  const slot = h & (SLOTS - 1);
  const key = ((type << 16) | size) + 1;
  if (keys[slot] === key && same(view, at, size, slot * WIDTH)) return texts[slot];
  const print = (h ^ key) | 1;
  if (seen[slot] !== print) {
    seen[slot] = print;
    missSlot = -1;
    return undefined;
  }
  missSlot = slot;
  missBytes = bytes;
  missView = view;
  missAt = at;
  missSize = size;
  return undefined;
}

function same(view: DataView, at: number, size: number, base: number): boolean {
  const words = base >> 2;
  const whole = size >> 2;
  for (let w = 0; w < whole; w++) if (view.getInt32(at + 4 * w, true) !== storedWords[words + w]) return false;
  for (let i = 4 * whole; i < size; i++) if (view.getUint8(at + i) !== stored[base + i]) return false;
  return true;
}

/** Whether the last {@link lookup} that missed will store the text given to {@link remember}. */
export function storing(): boolean {
  return missSlot >= 0;
}

/** Stores `text` for the bytes of the last {@link lookup} that missed (nothing when it could not be cached). */
export function remember(type: number, text: string): string {
  if (missSlot < 0) return text;
  const base = missSlot * WIDTH;
  let i = 0;
  for (; i + 4 <= missSize; i += 4) storedWords[(base + i) >> 2] = missView.getInt32(missAt + i, true);
  for (; i < missSize; i++) stored[base + i] = missBytes[missAt + i] as number;
  keys[missSlot] = ((type << 16) | missSize) + 1;
  texts[missSlot] = text;
  missSlot = -1;
  return text;
}
