/**
 * A line of newline-delimited JSON longer than the limit is not held: the text before it is read, the line is given
 * as parts of its bytes (each at most the limit, in order, its feed left out), and the text after it is cut as
 * before. Small limits here; MAX_LINE_BYTES (16 MiB) in replay.
 */
import {
  LONG_ELEMENT,
  type LongLinePart,
  type RecordPiece,
  recordPieces,
} from '../../../../cli/replay/record-chunks.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { chunksOf, comparable, encoder, input, LIMITS, sysmon, utf16, xmlEvent } from './record-chunks.cases.js';

async function pieces(bytes: Uint8Array, pieceBytes: number, maxLine: number, read = 97): Promise<RecordPiece[]> {
  const out: RecordPiece[] = [];
  for await (const piece of recordPieces(input(bytes, read), pieceBytes, maxLine))
    out.push(piece instanceof Uint8Array ? Uint8Array.from(piece) : piece);
  return out;
}

const isPart = (piece: RecordPiece): piece is LongLinePart => !(piece instanceof Uint8Array);

/** What the text pieces read as, and the long line's parts. */
function split(all: RecordPiece[]) {
  const text = all.filter((p): p is Uint8Array => !isPart(p));
  return {
    outcomes: comparable(text.flatMap((piece) => readRecord(piece, LIMITS))),
    parts: all.filter(isPart).map((p) => p.bytes),
  };
}

describe('recordPieces with a line over the limit', () => {
  const before = Array.from({ length: 20 }, (_, n) => sysmon(n));
  const after = Array.from({ length: 20 }, (_, n) => sysmon(100 + n));
  const long = `{"Image": "${'A'.repeat(2_482)}"}`; // 2,495 bytes: parts of 1,000, 1,000 and 495

  it.each([
    ['reads of 97 bytes', 97],
    ['reads of 1 byte', 1],
    ['reads of 4,000 bytes', 4_000],
  ])('gives the lines around it as before and the line in parts of its bytes (%s)', async (_name, read) => {
    // Prepare
    const text = encoder.encode(`${before.join('\n')}\n${long}\n${after.join('\n')}\n`);
    const expected = comparable(readRecord(encoder.encode(`${[...before, ...after].join('\n')}\n`), LIMITS));
    // Act
    const got = split(await pieces(text, 600, 1_000, read));
    // Assert: the other documents in order, the line whole across its parts, none over the limit.
    expect(got.outcomes).toEqual(expected);
    expect(got.parts.map((p) => p.length)).toEqual([1_000, 1_000, 495]);
    expect(Buffer.concat(got.parts).toString()).toBe(long);
  });

  it('keeps a line of exactly the limit as a line, and one unit more as a long line', async () => {
    const exact = `{"Image": "${'B'.repeat(1_000 - 13)}"}`;
    expect(exact.length).toBe(1_000);
    const at = (line: string) =>
      pieces(encoder.encode(`${before.join('\n')}\n${line}\n${after.join('\n')}\n`), 600, 1_000);
    expect((await at(exact)).some(isPart)).toBe(false);
    const over = split(await at(`${exact} `));
    expect(over.parts.map((p) => Buffer.from(p).toString())).toEqual([exact, ' ']);
  });

  it('gives a long last line without a feed, and a text that is one long line, in parts', async () => {
    const end = split(await pieces(encoder.encode(`${before.join('\n')}\n${long}`), 600, 1_000));
    expect(Buffer.concat(end.parts).toString()).toBe(long);
    expect(end.outcomes).toEqual(comparable(readRecord(encoder.encode(`${before.join('\n')}\n`), LIMITS)));
    const alone = await pieces(encoder.encode('x'.repeat(5_000)), 600, 1_000);
    expect(alone.every(isPart)).toBe(true);
    expect(alone.map((p) => (p as LongLinePart).bytes.length)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
  });

  it('cuts a UTF-16 text the same way, in units, its parts without the byte order mark', async () => {
    const text = utf16(`${before.join('\n')}\n${long}\n${after.join('\n')}\n`);
    const got = split(await pieces(text, 1_200, 2_000));
    expect(got.outcomes).toEqual(comparable(readRecord(utf16(`${[...before, ...after].join('\n')}\n`), LIMITS)));
    expect(got.parts.map((p) => p.length)).toEqual([2_000, 2_000, 990]);
    expect(Buffer.concat(got.parts).toString('utf16le')).toBe(long);
  });

  it('holds at most about the limit in memory for a line of any length', async () => {
    // 40 MB of one line, read in 64 KiB chunks: every part at most the limit, and they add up to the line.
    const line = new Uint8Array(40_000_000).fill(0x61);
    let total = 0;
    let largest = 0;
    for await (const piece of recordPieces(
      { source: 'x', chunks: chunksOf(line, 65_536), reopen: () => chunksOf(line, 65_536) },
      4 * 1024 * 1024,
      1024 * 1024,
    )) {
      const bytes = piece instanceof Uint8Array ? piece : piece.bytes;
      expect(isPart(piece)).toBe(true);
      total += bytes.length;
      largest = Math.max(largest, bytes.length);
    }
    expect(total).toBe(line.length);
    expect(largest).toBe(1024 * 1024);
  });
});

describe('cutXml with an event over the piece limit', () => {
  const small = (from: number) => Array.from({ length: 10 }, (_, n) => xmlEvent(from + n));
  const giant = xmlEvent(50, `<Data Name='Blob'>${'B'.repeat(30_000)}</Data>`);

  it.each([
    ['one after another', false],
    ['inside <Events>', true],
  ])('gives at most the limit at a time, every byte, and reads the events around it (%s)', async (_n, wrapped) => {
    // Prepare: 10 events, one of about 30,000 characters, 10 more; a limit of 8,000 bytes.
    const body = [...small(0), giant, ...small(100)].join('\n');
    const text = encoder.encode(wrapped ? `<Events>\n${body}\n</Events>\n` : `${body}\n`);
    // Act
    const all = await pieces(text, 600, 8_000);
    // Assert: nothing held past the limit plus one read; every byte of the giant event is in some piece; the small
    // events that the whole text reads are read from the pieces too (some next to the giant may go with it).
    expect(all.some(isPart)).toBe(false);
    expect(Math.max(...all.map((p) => (p as Uint8Array).length))).toBeLessThan(8_000 + 200);
    const joined = Buffer.concat(all as Uint8Array[]).toString();
    expect(joined.split('B').length - 1).toBeGreaterThanOrEqual(30_000);
    const outcomes = all.flatMap((p) => readRecord(p as Uint8Array, LIMITS));
    const events = outcomes.filter((o) => o.kind === 'event');
    const whole = readRecord(text, LIMITS).filter((o) => o.kind === 'event');
    expect(events.length).toBeGreaterThanOrEqual(whole.length - 4);
    const rejectedBytes = outcomes
      .filter((o) => o.kind === 'rejected')
      .reduce(
        (n, o) =>
          n +
          Buffer.from((o as { raw: Uint8Array }).raw)
            .toString()
            .split('B').length -
          1,
        0,
      );
    expect(rejectedBytes).toBeGreaterThanOrEqual(30_000);
  });
});

describe('cutJsonArray with an element over the limit', () => {
  const before = Array.from({ length: 20 }, (_, n) => sysmon(n));
  const after = Array.from({ length: 20 }, (_, n) => sysmon(100 + n));
  const long = `{"Image": "${'A'.repeat(2_482)}"}`; // 2,495 bytes: parts of 1,000, 1,000 and 495
  const array = (elements: readonly string[], tail = '\n') => `[\n${elements.join(',\n')}\n]${tail}`;
  const readWhole = (text: string) => comparable(readRecord(encoder.encode(text), LIMITS));

  it.each([
    ['reads of 97 bytes', 97],
    ['reads of 1 byte', 1],
    ['reads of 4,000 bytes', 4_000],
  ])('reads the elements around it as the whole array and gives it in parts of its bytes (%s)', async (_n, read) => {
    // Prepare: 20 events, the long element, 20 events, in one array; what the array without it reads as.
    const text = encoder.encode(array([...before, long, ...after]));
    const expected = readWhole(array([...before, ...after]));
    // Act
    const got = split(await pieces(text, 600, 1_000, read));
    // Assert: the other documents in order; the element whole across its parts (up to its comma), none over the limit.
    expect(got.outcomes).toEqual(expected);
    expect(got.parts.map((p) => p.length)).toEqual([1_000, 1_000, 495]);
    expect(Buffer.concat(got.parts).toString()).toBe(long);
  });

  it('rejects the parts with their own reason in replay', async () => {
    const all = await pieces(encoder.encode(array([...before, long, ...after])), 600, 1_000);
    expect(new Set(all.filter(isPart).map((p) => p.reason))).toEqual(new Set([LONG_ELEMENT]));
  });

  it('keeps an element of exactly the limit as an element, and one unit more (a blank before its comma) as long', async () => {
    const exact = `{"Image": "${'B'.repeat(1_000 - 13)}"}`;
    expect(exact.length).toBe(1_000);
    const exactText = array([...before, exact, ...after]);
    const kept = await pieces(encoder.encode(exactText), 600, 1_000);
    expect(kept.some(isPart)).toBe(false);
    expect(split(kept).outcomes).toEqual(readWhole(exactText));
    const over = split(await pieces(encoder.encode(array([...before, `${exact} `, ...after])), 600, 1_000));
    expect(over.parts.map((p) => Buffer.from(p).toString())).toEqual([exact, ' ']);
    expect(over.outcomes).toEqual(readWhole(array([...before, ...after])));
  });

  it('gives a long first element, a long last one with text after the array, and one cut short, in parts', async () => {
    const first = split(await pieces(encoder.encode(array([long, ...after])), 600, 1_000));
    expect(Buffer.concat(first.parts).toString()).toBe(long);
    expect(first.outcomes).toEqual(readWhole(array(after)));
    // Last: its parts stop before the blank line feed and the bracket; the text after the array is read as the
    // whole reading reads it (here a line that is not JSON, rejected with its bytes).
    const last = split(await pieces(encoder.encode(array([...before, long], '\nnot json\n')), 600, 1_000));
    expect(Buffer.concat(last.parts).toString()).toBe(`${long}\n`);
    expect(last.outcomes).toEqual(readWhole(array(before, '\nnot json\n')));
    const cut = split(await pieces(encoder.encode(`[\n${[...before, long].join(',\n')}`), 600, 1_000));
    expect(Buffer.concat(cut.parts).toString()).toBe(long);
    expect(cut.outcomes).toEqual(readWhole(array(before, '')));
  });

  it('cuts a UTF-16 array the same way, in units, its parts without the byte order mark', async () => {
    const text = utf16(array([...before, long, ...after]));
    const got = split(await pieces(text, 1_200, 2_000));
    expect(got.outcomes).toEqual(comparable(readRecord(utf16(array([...before, ...after])), LIMITS)));
    expect(got.parts.map((p) => p.length)).toEqual([2_000, 2_000, 990]);
    expect(Buffer.concat(got.parts).toString('utf16le')).toBe(long);
  });

  it('holds at most about the limit in memory for an element of any length', async () => {
    // 40 MB of one element between two events, read in 64 KiB chunks: every piece and part about the limit at most.
    const text = encoder.encode(array([sysmon(1), `{"Padding": "${'a'.repeat(40_000_000)}"}`, sysmon(2)]));
    let parts = 0;
    let largest = 0;
    const outcomes = [];
    for await (const piece of recordPieces(
      { source: 'x', chunks: chunksOf(text, 65_536), reopen: () => chunksOf(text, 65_536) },
      4 * 1024 * 1024,
      1024 * 1024,
    )) {
      if (isPart(piece)) parts += piece.bytes.length;
      else outcomes.push(...readRecord(piece, LIMITS));
      largest = Math.max(largest, isPart(piece) ? piece.bytes.length : piece.length);
    }
    expect(parts).toBe(40_000_000 + 15);
    expect(largest).toBe(1024 * 1024);
    expect(outcomes.map((o) => o.kind)).toEqual(['event', 'event']);
  });
});
