/**
 * Binary XML substitution values (libevtx "Value types") decoded to the JSON values evtx_dump writes for them:
 * integers as numbers (64-bit ones beyond 2^53 as exact decimal strings), booleans, hex integers as `0x…`
 * lowercase, GUIDs upper case without braces, SIDs as `S-1-…`, FILETIME and SYSTEMTIME as ISO 8601 UTC with
 * microseconds, binary as upper-case hex, arrays as JSON arrays. Binary XML (0x21) is not decoded here: the
 * caller parses it as markup.
 */

import { begin, putByteHex, putBytes, putChar, putDecimal, putHex32, putText, take, takeValue } from './ascii-text.js';
import { damaged } from './damage.js';
import { bufferOf, utf16 } from './utf16.js';
import { lookup, remember, storing } from './value-cache.js';

/** The Binary XML value type; an array type is the element type with 0x80 set. */
export const BINXML_TYPE = 0x21;
export const NULL_TYPE = 0x00;

const ansiDecoder = new TextDecoder('windows-1252');

/** Binary as upper-case hex (two digits a byte). */
function upperHex(bytes: Uint8Array, at: number, size: number): string {
  return bufferOf(bytes)
    .toString('hex', at, at + size)
    .toUpperCase();
}

/** `0x…` of an unsigned 32-bit integer, lower case, no leading zeros. */
function hex32(value: number): string {
  begin();
  putChar(0x30);
  putChar(0x78);
  putHex32(value, 1, false);
  return takeValue();
}

/** A 64-bit integer as evtx_dump writes it: a number when exact, else its decimal digits. */
function uint64ToJson(view: DataView, at: number): number | string {
  const high = view.getUint32(at + 4, true);
  if (high < 0x200000) return high * 4294967296 + view.getUint32(at, true);
  return view.getBigUint64(at, true).toString();
}

function int64ToJson(view: DataView, at: number): number | string {
  const high = view.getInt32(at + 4, true);
  if (high >= -0x200000 && high < 0x200000) return high * 4294967296 + view.getUint32(at, true);
  return view.getBigInt64(at, true).toString();
}

/** `0x…` of an unsigned 64-bit integer, lower case, no leading zeros; `kept`: as a value's kept text (see ascii-text.ts), else taken at once. */
function hex64(view: DataView, at: number, kept = true): string {
  const high = view.getUint32(at + 4, true);
  const low = view.getUint32(at, true);
  begin();
  putChar(0x30);
  putChar(0x78);
  if (high !== 0) putHex32(high, 1, false);
  putHex32(low, high === 0 ? 1 : 8, false);
  return kept ? takeValue() : take();
}

/**
 * A real number as Windows and evtx_dump render it: the shortest decimal that reads back to the same value (for
 * real32, the same single-precision value), infinities and NaN as Windows writes them (`1.#INF`, `-1.#INF`,
 * `-1.#IND`: JSON has no number for them).
 */
function realToJson(value: number, single: boolean): number | string {
  if (Number.isNaN(value)) return '-1.#IND';
  if (value === Number.POSITIVE_INFINITY) return '1.#INF';
  if (value === Number.NEGATIVE_INFINITY) return '-1.#INF';
  if (!single) return value;
  for (let precision = 1; precision < 10; precision++) {
    const shortest = Number(value.toPrecision(precision));
    if (Math.fround(shortest) === value) return shortest;
  }
  return value;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` from FILETIME ticks (100 ns since 1601) given as two 32-bit halves, truncated to
 * microseconds (as evtx_dump writes it). 2^32 ticks are 429 s and 4,967,296 ticks, so the split keeps every
 * product exact for any date before the year 30000 (later ones, never real, may be a few ticks off).
 */
export function filetimeText(low: number, high: number): string {
  const rest = high * 4967296 + low;
  const whole = Math.floor(rest / 10_000_000);
  const seconds = high * 429 + whole - 11644473600;
  // The remainder by subtraction: a float `%` is a call to fmod. `%` itself for ticks past 2^53 (no real time) and
  // should the quotient ever have rounded up, so the text is the one `%` always gave.
  let under = rest - whole * 10_000_000;
  if (under < 0 || under >= 10_000_000 || rest > Number.MAX_SAFE_INTEGER) under = rest % 10_000_000;
  const micros = Math.floor(under / 10);
  if (seconds !== lastSeconds) {
    setPrefix(seconds);
    lastSeconds = seconds;
  }
  begin();
  putBytes(prefix, prefixLength);
  putChar(0x2e);
  putDecimal(micros, 6);
  putChar(0x5a);
  return takeValue();
}

/** Days from 1970-01-01 to 10000-01-01: later times are left to Date (which writes them as +YYYYYY-…). */
const DAYS_TO_10000 = 2932897;

// Records are written in time order, so consecutive times mostly share their second, and nearly always their
// day: the text of both is kept, as bytes (a string would be read back character by character).
let lastSeconds = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS` of {@link lastSeconds} (at most 26 characters from Date), and its length. */
const prefix = new Uint8Array(32);
let prefixLength = 0;
/** The day since 1970 whose `YYYY-MM-DD` `prefix` starts with (NaN: none, or Date's text). */
let prefixDay = Number.NaN;

/**
 * {@link prefix} of seconds since 1970 (UTC), as Date's toISOString writes it. The date is computed from the day
 * count (the proleptic Gregorian calendar in 400-year eras) for years 1601 to 9999, which FILETIMEs before the
 * year 10000 are; anything else goes through Date.
 */
function setPrefix(seconds: number): void {
  const days = Math.floor(seconds / 86400);
  if (days < -134774 || days >= DAYS_TO_10000) {
    const date = new Date(seconds * 1000);
    const text = Number.isNaN(date.getTime()) ? `${seconds}s since 1970` : date.toISOString().slice(0, -5);
    prefixLength = Math.min(text.length, prefix.length);
    for (let i = 0; i < prefixLength; i++) prefix[i] = text.charCodeAt(i);
    prefixDay = Number.NaN;
    return;
  }
  if (days !== prefixDay) {
    setDate(days);
    prefixDay = days;
  }
  // Within a day: integer arithmetic (`| 0` truncates as floor does for these non-negative values).
  const time = seconds - days * 86400;
  const hours = (time / 3600) | 0;
  const minutes = ((time - hours * 3600) / 60) | 0;
  prefix[10] = 0x54;
  putTwoDigits(11, hours);
  prefix[13] = 0x3a;
  putTwoDigits(14, minutes);
  prefix[16] = 0x3a;
  putTwoDigits(17, time - hours * 3600 - minutes * 60);
  prefixLength = 19;
}

/** `YYYY-MM-DD` of a day since 1970 (years 1601 to 9999) into prefix[0, 10). */
function setDate(days: number): void {
  // Days since 0000-03-01, so that the leap day ends the year.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const century = (year / 100) | 0;
  putTwoDigits(0, century);
  putTwoDigits(2, year - 100 * century);
  prefix[4] = 0x2d;
  putTwoDigits(5, month);
  prefix[7] = 0x2d;
  putTwoDigits(8, day);
}

/** Two decimal digits of 0..99 at prefix[at]. */
function putTwoDigits(at: number, value: number): void {
  const tens = (value / 10) | 0;
  prefix[at] = 0x30 + tens;
  prefix[at + 1] = 0x30 + value - 10 * tens;
}

/** SYSTEMTIME (8 little-endian uint16: year, month, weekday, day, hour, minute, second, millisecond). */
function systemtimeText(view: DataView, at: number): string {
  begin();
  putDecimal(view.getUint16(at, true), 4);
  putChar(0x2d);
  putDecimal(view.getUint16(at + 2, true), 2);
  putChar(0x2d);
  putDecimal(view.getUint16(at + 6, true), 2);
  putChar(0x54);
  putDecimal(view.getUint16(at + 8, true), 2);
  putChar(0x3a);
  putDecimal(view.getUint16(at + 10, true), 2);
  putChar(0x3a);
  putDecimal(view.getUint16(at + 12, true), 2);
  putChar(0x2e);
  putDecimal(view.getUint16(at + 14, true), 3);
  putText('000Z');
  return takeValue();
}

/** `S-1-5-21-…`: revision, sub-authority count, 48-bit big-endian authority, little-endian 32-bit sub-authorities. */
/** A SID's text and size; `kept`: as a value's kept text (see ascii-text.ts), else taken at once. */
function sidText(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  size: number,
  kept: boolean,
): { text: string; size: number } {
  if (size < 8) damaged('EVTX SID value too short');
  const count = bytes[at + 1] as number;
  const length = 8 + 4 * count;
  if (length > size) damaged('EVTX SID value too short');
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + (bytes[at + i] as number);
  begin();
  putChar(0x53);
  putChar(0x2d);
  putDecimal(bytes[at] as number);
  putChar(0x2d);
  // Windows writes an authority of 2^32 or more in hex.
  if (authority < 2 ** 32) {
    putDecimal(authority);
  } else {
    putText('0x');
    putHex32(Math.floor(authority / 2 ** 32), 4, true);
    putHex32(authority >>> 0, 8, true);
  }
  for (let i = 0; i < count; i++) {
    putChar(0x2d);
    putDecimal(view.getUint32(at + 8 + 4 * i, true));
  }
  return { text: kept ? takeValue() : take(), size: length };
}

/** The byte order of a GUID's text: Data1, Data2 and Data3 little-endian, Data4 as written; -1 a dash. */
const GUID_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

/** A GUID's text; `kept`: as a value's kept text (see ascii-text.ts), else taken at once. */
function guidText(bytes: Uint8Array, at: number, kept: boolean): string {
  begin();
  for (const index of GUID_ORDER) {
    if (index < 0) putChar(0x2d);
    else putByteHex(bytes[at + index] as number);
  }
  return kept ? takeValue() : take();
}

/** Bytes of one element of the fixed-width types; 0 for the variable ones. */
function widthOf(type: number): number {
  switch (type) {
    case 0x03:
    case 0x04:
      return 1;
    case 0x05:
    case 0x06:
      return 2;
    case 0x07:
    case 0x08:
    case 0x0b:
    case 0x0d:
    case 0x14:
      return 4;
    case 0x09:
    case 0x0a:
    case 0x0c:
    case 0x11:
    case 0x15:
      return 8;
    case 0x0f:
    case 0x12:
      return 16;
    default:
      return 0;
  }
}

/** One fixed-width value at `at` (its width checked by the caller). */
function fixedValue(type: number, bytes: Uint8Array, view: DataView, at: number): unknown {
  switch (type) {
    case 0x03:
      return view.getInt8(at);
    case 0x04:
      return bytes[at];
    case 0x05:
      return view.getInt16(at, true);
    case 0x06:
      return view.getUint16(at, true);
    case 0x07:
      return view.getInt32(at, true);
    case 0x08:
      return view.getUint32(at, true);
    case 0x09:
      return int64ToJson(view, at);
    case 0x0a:
      return uint64ToJson(view, at);
    case 0x0b:
      return realToJson(view.getFloat32(at, true), true);
    case 0x0c:
      return realToJson(view.getFloat64(at, true), false);
    case 0x0d:
      return view.getInt32(at, true) !== 0;
    case 0x0f:
      return guidText(bytes, at, true);
    case 0x11:
      return filetimeText(view.getUint32(at, true), view.getUint32(at + 4, true));
    case 0x12:
      return systemtimeText(view, at);
    case 0x14:
      return hex32(view.getUint32(at, true));
    case 0x15:
      return hex64(view, at);
    default:
      return damaged(`EVTX value type 0x${type.toString(16)} unknown`);
  }
}

/**
 * A string value of under 4 bytes (no terminator, or a terminator alone: `-`, `0`, an empty field), which the value
 * cache does not hold: as `utf16(…).trimEnd()` gives it, without a native call when it is one printable ASCII
 * character (V8 keeps those as single-character strings) or empty.
 */
function shortString(bytes: Uint8Array, at: number, size: number): string {
  if (size < 2) return '';
  const unit = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
  if (unit === 0) return '';
  if (unit > 0x20 && unit < 0x7f) return String.fromCharCode(unit);
  return utf16(bytes, at, size >>> 1, true).trimEnd();
}

/** NUL-separated strings (the last terminator optional), for string arrays. */
function splitStrings(parts: string[]): string[] {
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The JSON value of one substitution value: `size` bytes of type `type` at `bytes[at]`. Throws EvtxDamage when the
 * size does not fit the type or the type is unknown. Not for Binary XML (0x21), which the caller parses.
 */
export function decodeValue(type: number, bytes: Uint8Array, view: DataView, at: number, size: number): unknown {
  switch (type) {
    case NULL_TYPE:
      return null;
    case 0x01:
      if (size < 4) return shortString(bytes, at, size);
      return lookup(0x01, bytes, view, at, size) ?? remember(0x01, utf16(bytes, at, size >>> 1, true).trimEnd());
    case 0x0f:
      // GUIDs and SIDs repeat as much as strings; a text to store is taken at once (not kept, see ascii-text.ts).
      if (size !== 16) return damaged('EVTX value size does not fit its type');
      return (
        lookup(0x0f, bytes, view, at, size) ??
        (storing() ? remember(0x0f, guidText(bytes, at, false)) : guidText(bytes, at, true))
      );
    case 0x02: {
      let end = at;
      while (end < at + size && bytes[end] !== 0) end++;
      return ansiDecoder.decode(bytes.subarray(at, end));
    }
    case 0x0e:
      return upperHex(bytes, at, size);
    case 0x10:
      // size_t: as wide as the writer's pointers; rendered as a hex integer of that width.
      if (size === 4) return hex32(view.getUint32(at, true));
      if (size === 8) return hex64(view, at);
      return damaged('EVTX value size does not fit its type');
    case 0x15:
      // Hex int64 is what System/Keywords is: a handful of values per log, one in every record.
      if (size !== 8) return damaged('EVTX value size does not fit its type');
      return (
        lookup(0x15, bytes, view, at, size) ??
        (storing() ? remember(0x15, hex64(view, at, false)) : hex64(view, at, true))
      );
    case 0x13:
      return (
        lookup(0x13, bytes, view, at, size) ??
        (storing()
          ? remember(0x13, sidText(bytes, view, at, size, false).text)
          : sidText(bytes, view, at, size, true).text)
      );
    case 0x81:
      return splitStrings(utf16(bytes, at, size >>> 1, false).split('\u0000'));
    case 0x82:
      return splitStrings(ansiDecoder.decode(bytes.subarray(at, at + size)).split('\u0000'));
    case 0x90:
      return arrayOf(size % 8 === 0 && size > 0 ? 0x15 : 0x14, bytes, view, at, size);
    case 0x93: {
      const sids: string[] = [];
      for (let offset = 0; offset < size; ) {
        const sid = sidText(bytes, view, at + offset, size - offset, true);
        sids.push(sid.text);
        offset += sid.size;
      }
      return sids;
    }
    default:
      break;
  }
  if (type & 0x80) return arrayOf(type & 0x7f, bytes, view, at, size);
  const width = widthOf(type);
  if (width === 0) return damaged(`EVTX value type 0x${type.toString(16)} unknown`);
  if (size !== width) return damaged('EVTX value size does not fit its type');
  return fixedValue(type, bytes, view, at);
}

function arrayOf(type: number, bytes: Uint8Array, view: DataView, at: number, size: number): unknown[] {
  const width = widthOf(type);
  if (width === 0) return damaged(`EVTX value type 0x${(type | 0x80).toString(16)} unknown`);
  if (size % width !== 0) return damaged('EVTX value size does not fit its type');
  const values: unknown[] = [];
  for (let offset = 0; offset < size; offset += width) values.push(fixedValue(type, bytes, view, at + offset));
  return values;
}
