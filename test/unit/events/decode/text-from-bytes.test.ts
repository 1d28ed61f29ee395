import { advanceUtf8, textFromBytes } from '../../../../src/events/decode/text-from-bytes.js';
import { seededRandom } from '../../../helpers/lambda-prng.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function bytes(...parts: Array<string | number[]>): Uint8Array {
  return new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...encoder.encode(part)] : part)));
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** Bytes that hit every branch of a UTF-8 decoder: ASCII, line feeds, lead and continuation bytes, invalid bytes. */
function randomBytes(random: () => number, length: number): Uint8Array {
  const pool = [
    0x41, 0x7b, 0x0a, 0x0a, 0x80, 0x8f, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
  ];
  return Uint8Array.from({ length }, () => pool[Math.floor(random() * pool.length)] as number);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

describe('advanceUtf8 agrees with TextDecoder', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('on random bytes (seed %i)', (seed) => {
    // Prepare
    const random = seededRandom(seed);
    const data = randomBytes(random, 400);
    const text = decoder.decode(data);
    // Act + Assess: the bytes of the first i units decode to exactly the first i characters, for every i.
    for (let i = 0; i <= text.length; i++) {
      if (isLowSurrogate(text.charCodeAt(i))) continue; // inside a pair: not a character boundary
      const end = advanceUtf8(data, 0, i);
      expect(decoder.decode(data.subarray(0, end))).toBe(text.slice(0, i));
    }
    expect(advanceUtf8(data, 0, text.length)).toBe(data.length);
  });

  it.each<[string, Uint8Array, number, number]>([
    ['ASCII', bytes('abc'), 2, 2],
    ['a 2-byte character', bytes('\u00e9x'), 1, 2],
    ['a 3-byte character', bytes('\u20acx'), 1, 3],
    ['a 4-byte character is two units', bytes('\u{1F600}x'), 2, 4],
    ['an invalid lead byte is one unit', bytes([0xff], 'x'), 1, 1],
    ['a cut 3-byte sequence is one unit, the next byte read anew', bytes([0xe2, 0x82], 'x'), 1, 2],
    ['an overlong E0 80 is two units', bytes([0xe0, 0x80], 'x'), 1, 1],
    ['a surrogate ED A0 80 is three units', bytes([0xed, 0xa0, 0x80]), 1, 1],
  ])('%s', (_name, data, units, expected) => {
    expect(advanceUtf8(data, 0, units)).toBe(expected);
  });
});

describe('textFromBytes', () => {
  it.each<[string, Uint8Array, string, boolean]>([
    ['UTF-8', bytes('{"a":"\u00e9"}'), '{"a":"\u00e9"}', false],
    ['UTF-8 with a BOM', bytes([0xef, 0xbb, 0xbf], '{}'), '{}', false],
    ['invalid UTF-8', bytes('{"a":"', [0xff, 0xfe, 0xc3], '"}'), '{"a":"\ufffd\ufffd\ufffd"}', true],
    ['UTF-16LE with its BOM', new Uint8Array([0xff, 0xfe, 0x7b, 0, 0x7d, 0]), '{}', false],
    ['UTF-16LE with a lone surrogate', new Uint8Array([0xff, 0xfe, 0x7b, 0, 0x00, 0xd8, 0x7d, 0]), '{\ufffd}', true],
  ])('decodes %s', (_name, data, text, invalid) => {
    const decoded = textFromBytes(data);
    expect(decoded.text).toBe(text);
    expect(decoded.invalid).toBe(invalid);
  });

  it('gives back the exact bytes of each line, invalid ones included, in any order asked', () => {
    // Prepare: three lines, the middle one with invalid bytes and a multi-byte character before them.
    const lines = [
      bytes('{"a":"\u20ac"}'),
      bytes('{"b":"\u00e9', [0xc3, 0x28, 0xff], '"}'),
      bytes('{"c":"\u{1F600}"}'),
    ];
    const data = bytes(...lines.flatMap((line) => [[...line], [0x0a]]));
    const decoded = textFromBytes(data);
    const starts = [0];
    for (let i = 0; i < decoded.text.length; i++) if (decoded.text[i] === '\n') starts.push(i + 1);
    const range = (n: number) => [starts[n] as number, (starts[n + 1] as number) - 1] as const;
    // Act: forward, then backwards (the cursor restarts).
    const forward = [0, 1, 2].map((n) => hex(decoded.bytesOf(...range(n))));
    const backward = [2, 1, 0].map((n) => hex(decoded.bytesOf(...range(n))));
    // Assess
    expect(forward).toEqual(lines.map(hex));
    expect(backward).toEqual([...lines].reverse().map(hex));
    expect([0, 1, 2].map((n) => decoded.isInvalid(...range(n)))).toEqual([false, true, false]);
  });

  it('gives back a piece inside a line (several documents on one line)', () => {
    const data = bytes('{"a":"\u20ac"}{"b":', [0xff], '}');
    const decoded = textFromBytes(data);
    const second = decoded.text.indexOf('{"b"');
    expect(hex(decoded.bytesOf(0, second))).toBe(hex(bytes('{"a":"\u20ac"}')));
    expect(hex(decoded.bytesOf(second, decoded.text.length))).toBe(hex(bytes('{"b":', [0xff], '}')));
    expect(decoded.isInvalid(0, second)).toBe(false);
    expect(decoded.isInvalid(second, decoded.text.length)).toBe(true);
  });

  it.each<[string, string]>([
    ['no line feed at all', ''],
    ['a line feed only far after them', `${' '.repeat(1000)}\n{"z":1}`],
  ])('gives back each of many documents on one long line (%s)', (_name, tail) => {
    // Prepare: 500 documents with a multi-byte character each, asked for in order.
    const documents = Array.from({ length: 500 }, (_v, i) => `{"n":"\u20ac${i}"}`);
    const text = `${documents.join('')}${tail}`;
    const decoded = textFromBytes(bytes(text));
    // Act
    let at = 0;
    const pieces = documents.map((document) => {
      const piece = hex(decoded.bytesOf(at, at + document.length));
      at += document.length;
      return piece;
    });
    // Assess
    expect(pieces).toEqual(documents.map((document) => hex(bytes(document))));
  });

  it('keeps a second UTF-8 BOM as a character, so offsets do not drift', () => {
    const data = bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], '{}');
    const decoded = textFromBytes(data);
    expect(decoded.text).toBe('\ufeff{}');
    expect(hex(decoded.bytesOf(1, 3))).toBe(hex(bytes('{}')));
  });

  it('gives back UTF-16LE pieces as their two-byte units', () => {
    const body = Buffer.from('{"a":1}\n{"b":2}', 'utf16le');
    const decoded = textFromBytes(new Uint8Array([0xff, 0xfe, ...body]));
    expect(Buffer.from(decoded.bytesOf(8, 15)).toString('utf16le')).toBe('{"b":2}');
  });
});
