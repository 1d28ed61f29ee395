/**
 * Bytes -> text that remembers the bytes it came from, so a rejected piece of a record is kept as its exact
 * original bytes (not re-encoded from the decoded text, which turns invalid UTF-8 into EF BF BD), and so invalid
 * input can be counted per piece.
 */

import { isUtf8 } from 'node:buffer';

/** Decoded text and the way back from any piece of it to its bytes. */
export interface ByteText {
  text: string;
  /** How the bytes were decoded (a piece of UTF-16LE text needs its BOM back to be read alone). */
  readonly encoding: 'utf-8' | 'utf-16le';
  /** Whether some bytes were not valid in their encoding (decoded as U+FFFD, as TextDecoder does). */
  readonly invalid: boolean;
  /** The original bytes of `text.slice(start, end)` (a view, not a copy); `start`, `end` at character boundaries. */
  bytesOf(start: number, end: number): Uint8Array;
  /** Whether `text.slice(start, end)` was decoded from invalid bytes. */
  isInvalid(start: number, end: number): boolean;
}

// ignoreBOM keeps a second BOM in the text: the text must hold one character for every decoded sequence, or the
// offsets below drift. The first BOM is dropped by hand.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });
const utf16Strict = new TextDecoder('utf-16le', { ignoreBOM: true, fatal: true });

/**
 * Decodes a record's text: UTF-16LE after a `FF FE` BOM, else UTF-8 (a UTF-8 BOM is dropped). Invalid sequences
 * become U+FFFD, as before; {@link ByteText.invalid} says so.
 */
export function textFromBytes(bytes: Uint8Array): ByteText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16Text(bytes.subarray(2));
  return utf8Text(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes);
}

function utf16Text(body: Uint8Array): ByteText {
  const text = utf16.decode(body);
  const valid = (range: Uint8Array) => {
    try {
      utf16Strict.decode(range);
      return true;
    } catch {
      return false;
    }
  };
  // Every code unit is two bytes (an odd last byte is one U+FFFD at the very end), so offsets are arithmetic.
  const offset = (index: number) => Math.min(body.length, index * 2);
  const invalid = !valid(body);
  return {
    text,
    encoding: 'utf-16le',
    invalid,
    bytesOf: (start, end) => body.subarray(offset(start), offset(end)),
    isInvalid: (start, end) => invalid && !valid(body.subarray(offset(start), offset(end))),
  };
}

function utf8Text(body: Uint8Array): ByteText {
  const text = utf8.decode(body);
  const invalid = !isUtf8(body);
  // A cursor that only moves forward: pieces are asked for in order, so the walk costs one pass in all.
  let char = 0;
  let byte = 0;
  // The first line feed at or after `char` (-1: none), kept so that a long line is not searched again per piece.
  let lineFeed = text.indexOf('\n');
  const offset = (index: number): number => {
    if (index < char) {
      char = 0;
      byte = 0;
      lineFeed = text.indexOf('\n');
    }
    // Jump line by line: a line feed is one character and one byte 0x0A, which no multi-byte sequence contains
    // and which the decoder never swallows into an invalid one.
    while (lineFeed !== -1 && lineFeed < index) {
      byte = body.indexOf(0x0a, byte) + 1;
      char = lineFeed + 1;
      lineFeed = text.indexOf('\n', char);
    }
    byte = advanceUtf8(body, byte, index - char);
    char = index;
    return byte;
  };
  return {
    text,
    encoding: 'utf-8',
    invalid,
    bytesOf: (start, end) => {
      const from = offset(start);
      return body.subarray(from, offset(end));
    },
    isInvalid: (start, end) => {
      if (!invalid) return false;
      const from = offset(start);
      return !isUtf8(body.subarray(from, offset(end)));
    },
  };
}

/**
 * The byte index reached by decoding `units` UTF-16 code units of UTF-8 from `from`, the way the WHATWG decoder
 * (TextDecoder) does: a 4-byte sequence is two units; each maximal invalid subpart is one U+FFFD, and the byte that
 * ended it is decoded anew.
 */
export function advanceUtf8(bytes: Uint8Array, from: number, units: number): number {
  let at = from;
  let left = units;
  while (left > 0 && at < bytes.length) {
    const lead = bytes[at] as number;
    if (lead < 0x80) {
      at++;
      left--;
      continue;
    }
    let needed = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    }
    at++;
    let seen = 0;
    while (seen < needed && at < bytes.length) {
      const next = bytes[at] as number;
      if (next < lower || next > upper) break;
      lower = 0x80;
      upper = 0xbf;
      at++;
      seen++;
    }
    left -= needed === 3 && seen === 3 ? 2 : 1;
  }
  return at;
}
