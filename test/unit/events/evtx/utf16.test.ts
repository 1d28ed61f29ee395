/** UTF-16LE text of Binary XML: as TextDecoder (and evtx_dump) decode it, lone surrogates as U+FFFD. */
import { utf16 } from '../../../../src/events/evtx/utf16.js';

/** The UTF-16LE bytes of `units`, at offset 3 of a larger buffer (an odd offset, as values lie in a chunk). */
function bytesOf(units: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(3 + 2 * units.length + 5);
  units.forEach((unit, i) => {
    bytes[3 + 2 * i] = unit & 0xff;
    bytes[4 + 2 * i] = unit >> 8;
  });
  return bytes;
}

const reference = new TextDecoder('utf-16le');
const units = (text: string) => Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));

describe('utf16', () => {
  it.each([
    ['ASCII', units('C:\\Windows\\System32\\svchost.exe')],
    ['two-byte text', units('\u4e00\u4e01 Ärger')],
    ['a valid surrogate pair', units('a\ud83d\ude00b')],
    ['a lone high surrogate', units('a\ud83db')],
    ['a lone low surrogate', units('a\ude00b')],
    ['a pair reversed', units('\ude00\ud83d')],
    ['a high surrogate last', units('abc\ud800')],
    ['a low surrogate first', units('\udc00abc')],
    ['two high surrogates then a low one', units('\ud800\ud801\udc00')],
  ])('decodes %s as TextDecoder does', (_name, text) => {
    const bytes = bytesOf(text);
    const want = reference.decode(bytes.subarray(3, 3 + 2 * text.length));
    expect(utf16(bytes, 3, text.length, false)).toBe(want);
    expect(utf16(bytes, 3, text.length, true)).toBe(want);
  });

  it('replaces a lone surrogate with U+FFFD (Buffer alone would keep it)', () => {
    const bytes = bytesOf(units('x\ud800y'));
    expect(utf16(bytes, 3, 3, false)).toBe('x\ufffdy');
    expect(Buffer.from(bytes.buffer, 3, 6).toString('utf16le')).toBe('x\ud800y');
  });

  it('cuts a value at its terminator or an earlier NUL, checking only what is kept', () => {
    expect(utf16(bytesOf([...units('ab\ud800'), 0]), 3, 4, true)).toBe('ab\ufffd');
    expect(utf16(bytesOf([...units('ab'), 0, 0xd800]), 3, 4, true)).toBe('ab');
    expect(utf16(bytesOf([...units('a\ud83d\ude00'), 0, 0x41]), 3, 5, true)).toBe('a\ud83d\ude00');
  });
});
