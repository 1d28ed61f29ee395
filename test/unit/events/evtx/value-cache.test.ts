/** The EVTX reader's cache of recent value texts: a hit only for the same type and every same byte. */
import { lookup, remember, storing } from '../../../../src/events/evtx/value-cache.js';

function at(bytes: number[]): { bytes: Uint8Array; view: DataView } {
  const array = new Uint8Array(bytes);
  return { bytes: array, view: new DataView(array.buffer) };
}

/** Looks `bytes` up as `type`, remembering `text` on a miss; the text found, or undefined. */
function seen(type: number, bytes: number[], text: string): string | undefined {
  const value = at(bytes);
  const found = lookup(type, value.bytes, value.view, 0, bytes.length);
  if (found === undefined) remember(type, text);
  return found;
}

describe('EVTX value cache', () => {
  const value = Array.from({ length: 40 }, (_, i) => (i * 7) & 0xff);

  it('stores a value the second time it comes and gives it back the third', () => {
    expect(seen(0x01, value, 'first')).toBeUndefined();
    expect(seen(0x01, value, 'second')).toBeUndefined();
    expect(seen(0x01, value, 'third')).toBe('second');
  });

  it('never answers for another type or for bytes that differ anywhere (hashed words alike)', () => {
    const value = Array.from({ length: 40 }, (_, i) => (i * 11 + 3) & 0xff);
    for (let i = 0; i < 3; i++) seen(0x01, value, 'text');
    expect(seen(0x01, value, 'x')).toBe('text');
    expect(seen(0x0f, value, 'guid')).toBeUndefined();
    for (const i of [5, 13, 30]) {
      // Bytes outside the hashed words: the same slot, so `value` is there, and must not be the answer.
      for (let k = 0; k < 3; k++) seen(0x01, value, 'text');
      const other = [...value];
      other[i] = (other[i] as number) ^ 1;
      expect(seen(0x01, other, 'other')).toBeUndefined();
      expect(seen(0x01, other, 'other ignored')).toBe('other');
    }
  });

  it('does not cache values shorter than 4 bytes or longer than 128', () => {
    for (const length of [2, 129]) {
      const bytes = Array.from({ length }, (_, i) => i & 0xff);
      for (let i = 0; i < 3; i++) expect(seen(0x01, bytes, 'v')).toBeUndefined();
      expect(storing()).toBe(false);
    }
  });
});
