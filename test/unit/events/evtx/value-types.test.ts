/** FILETIME text (from the day count for years 1601-9999, through Date beyond; both as Date writes them) and hex int64 values. */
import { decodeValue, filetimeText } from '../../../../src/events/evtx/value-types.js';

const TICKS_TO_1970 = 116444736000000000n;

/** The FILETIME of a Date plus `extraTicks` (under one second), as two 32-bit halves. */
function filetimeOf(date: Date, extraTicks: bigint): [number, number] {
  const ticks = BigInt(date.getTime()) * 10000n + TICKS_TO_1970 + extraTicks;
  return [Number(ticks & 0xffffffffn), Number(ticks >> 32n)];
}

function expected(date: Date, extraTicks: bigint): string {
  return `${date.toISOString().slice(0, -5)}.${String(extraTicks / 10n).padStart(6, '0')}Z`;
}

describe('filetimeText', () => {
  const dates: Date[] = [];
  // Every 97th day from 1601 to 9999 at a time of day that moves, and the days around each year's end and Feb 29.
  for (let ms = Date.UTC(1601, 0, 1); ms < Date.UTC(10000, 0, 1); ms += 97 * 86400000 + 3723000)
    dates.push(new Date(ms));
  for (const year of [1601, 1700, 1899, 1900, 1970, 1999, 2000, 2024, 2100, 2400, 9999]) {
    dates.push(new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 11, 31, 23, 59, 59)));
    dates.push(new Date(Date.UTC(year, 1, 28, 12)), new Date(Date.UTC(year, 2, 1)));
    if (new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1) dates.push(new Date(Date.UTC(year, 1, 29, 23, 59, 59)));
  }

  it('writes FILETIMEs from 1601 to 9999 as Date does, with microseconds', () => {
    expect(dates.length).toBeGreaterThan(30000);
    const wrong = dates
      .map((date, i) => {
        const extra = BigInt((i * 7919) % 10000000);
        const [low, high] = filetimeOf(date, extra);
        return [filetimeText(low, high), expected(date, extra)];
      })
      .filter(([got, want]) => got !== want);
    expect(wrong).toEqual([]);
  });

  it('writes the first FILETIME, and years from 10000 on as Date does', () => {
    expect(filetimeText(0, 0)).toBe('1601-01-01T00:00:00.000000Z');
    const date = new Date(Date.UTC(10000, 0, 1, 0, 0, 1));
    const [low, high] = filetimeOf(date, 0n);
    expect(filetimeText(low, high)).toBe('+010000-01-01T00:00:01.000000Z');
  });

  it('takes the microseconds of the largest FILETIMEs (ticks past 2^53) from the float remainder, as always', () => {
    const cases: Array<[number, number]> = [];
    for (let high = 0xfff00000; high < 0xfff00000 + 64; high++) {
      // Ticks just below and at a multiple of 10^7, and the ends of the low half.
      const rest = high * 4967296;
      const low = Math.ceil(rest / 1e7) * 1e7 - rest;
      cases.push([low - 1, high], [low, high], [0xffffffff, high], [0, high]);
    }
    cases.push([0xffffffff, 0xffffffff], [0xffffffff, 0x1fffff], [0x7fffffff, 0x200000]);
    const wrong = cases.filter(([low, high]) => {
      const micros = Math.floor(((high * 4967296 + low) % 10_000_000) / 10);
      return !filetimeText(low, high).endsWith(`.${String(micros).padStart(6, '0')}Z`);
    });
    expect(cases.length).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
  });
});

describe('hex int64 values through the value cache', () => {
  const hex = (bytes: number[]) => {
    const array = new Uint8Array(bytes);
    return decodeValue(0x15, array, new DataView(array.buffer), 0, array.length);
  };

  it('gives the same text on first sight, when stored (second) and when found (third), and never for other bytes', () => {
    const keywords = [0, 0, 0, 0, 0, 0, 0, 0x80];
    expect([hex(keywords), hex(keywords), hex(keywords)]).toEqual(Array(3).fill('0x8000000000000000'));
    const small = [0x10, 0, 0, 0, 0, 0, 0, 0];
    expect([hex(small), hex(small), hex(small)]).toEqual(Array(3).fill('0x10'));
    // One bit apart from a cached value, in each half.
    expect(hex([0, 0, 0, 0, 0, 0, 0, 0x81])).toBe('0x8100000000000000');
    expect(hex([1, 0, 0, 0, 0, 0, 0, 0x80])).toBe('0x8000000000000001');
    expect(() => hex([0, 0, 0, 0])).toThrow('EVTX value size does not fit its type');
  });
});

describe('string values under 4 bytes (not cached; one printable ASCII character without a native call)', () => {
  const utf16le = new TextDecoder('utf-16le');

  it('gives every one-unit string, with or without an odd byte after it, as the decoder and trimEnd do', () => {
    const wrong: number[] = [];
    for (let unit = 0; unit < 0x10000; unit++) {
      const bytes = new Uint8Array([unit & 0xff, unit >> 8, 0x41]);
      const view = new DataView(bytes.buffer);
      const want = unit === 0 ? '' : utf16le.decode(bytes.subarray(0, 2)).trimEnd();
      if (decodeValue(0x01, bytes, view, 0, 2) !== want || decodeValue(0x01, bytes, view, 0, 3) !== want)
        wrong.push(unit);
    }
    expect(wrong).toEqual([]);
  });

  it('gives an empty string for no bytes or one', () => {
    const bytes = new Uint8Array([0x41, 0]);
    const view = new DataView(bytes.buffer);
    expect(decodeValue(0x01, bytes, view, 0, 0)).toBe('');
    expect(decodeValue(0x01, bytes, view, 0, 1)).toBe('');
    expect(decodeValue(0x01, bytes, view, 0, 2)).toBe('A');
  });
});
