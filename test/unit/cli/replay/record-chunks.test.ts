/**
 * Cutting an input into pieces must not change what the record reader finds: the documents of the pieces, in
 * order, are those of the whole input (same events, same rejections with the same bytes and reasons, same flags).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InputStream } from '../../../../cli/io/input-files.js';
import { cutText, cuttable, findCut, gzipReadable, recordPieces } from '../../../../cli/replay/record-chunks.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';
import { describeUnless, missing, sharedPath } from '../../../helpers/skip.js';

const encoder = new TextEncoder();

function sysmon(n: number, extra = ''): string {
  return JSON.stringify({
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: `HOST-${n % 3}`,
    EventTime: '2020-10-22 05:54:21',
    UtcTime: `2020-10-22 05:54:${String(n % 60).padStart(2, '0')}.520`,
    Image: `C:\\Windows\\p${n}.exe${extra}`,
    ProcessGuid: `{${n}}`,
  });
}

/** Newline-delimited documents with damage between them: every case the whole-text splitter treats specially. */
function mixedText(): Uint8Array {
  const lines: string[] = [];
  for (let n = 0; n < 60; n++) {
    lines.push(sysmon(n));
    if (n % 7 === 0) lines.push('not json at all');
    if (n % 11 === 0) lines.push(sysmon(n).slice(0, 40)); // a cut line
    if (n % 13 === 0) lines.push(`{\n  "EventID": 3,\n  "Channel": "Security"\n}`); // pretty-printed
    if (n % 17 === 0) lines.push('', '   ');
    if (n % 19 === 0) lines.push(`${sysmon(n)}\r`);
    if (n % 23 === 0) lines.push(`${sysmon(n)}${sysmon(n + 1)}`); // two on one line
    if (n % 29 === 0) lines.push('{"Channel": "Security", "EventID": "x"}'); // rejected by the normaliser
    if (n % 31 === 0) lines.push('<Event><System></System></Event>');
  }
  const text = encoder.encode(`${lines.join('\n')}\n`);
  // One invalid UTF-8 byte inside a document's string value (a piece decoded as U+FFFD).
  const bad = new Uint8Array(text.length + 1);
  const at = text.indexOf(0x5c); // the first backslash, inside an Image value
  bad.set(text.subarray(0, at));
  bad[at] = 0xff;
  bad.set(text.subarray(at), at + 1);
  return bad;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function input(bytes: Uint8Array, size = 97): InputStream {
  return { source: 'x', chunks: chunksOf(bytes, size), reopen: () => chunksOf(bytes, size) };
}

async function collect(pieces: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  // A piece is valid until the next one is asked for: keep copies.
  for await (const piece of pieces) out.push(Uint8Array.from(piece));
  return out;
}

/** Outcomes as comparable values: raw bytes as hex. */
function comparable(outcomes: RecordOutcome[]): unknown[] {
  return outcomes.map((outcome) =>
    outcome.kind === 'rejected' ? { ...outcome, raw: Buffer.from(outcome.raw).toString('hex') } : outcome,
  );
}

const LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };

describe('recordPieces', () => {
  it('cuts newline-delimited JSON into pieces whose documents are the whole text’s, in order', async () => {
    // Prepare
    const text = mixedText();
    // Act
    const pieces = await collect(recordPieces(input(text), 600));
    // Assert: several pieces, nothing lost or added, the same outcomes as the whole.
    expect(pieces.length).toBeGreaterThan(5);
    expect(Buffer.concat(pieces).equals(Buffer.from(text))).toBe(true);
    const whole = readRecord(text, LIMITS);
    const cut = pieces.flatMap((piece) => readRecord(piece, LIMITS));
    expect(whole.filter((o) => o.kind === 'rejected').length).toBeGreaterThan(10);
    expect(whole.some((o) => o.invalidUtf8)).toBe(true);
    expect(comparable(cut)).toEqual(comparable(whole));
  });

  it('starts every piece after the first with a whole JSON object line', async () => {
    const pieces = await collect(recordPieces(input(mixedText()), 600));
    // Else the loop below would check nothing.
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces.slice(1)) {
      const line = Buffer.from(piece).toString('utf8').split('\n')[0] as string;
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line.startsWith('{')).toBe(true);
    }
  });

  it('gives a small input, XML, UTF-16 and text without a place to cut whole', async () => {
    const small = encoder.encode(`${sysmon(1)}\n${sysmon(2)}\n`);
    const xml = encoder.encode(`<Events>\n${'<Event><System></System></Event>\n'.repeat(100)}</Events>`);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${sysmon(1)}\n`.repeat(50), 'utf16le')]);
    const oneLine = encoder.encode(Array.from({ length: 50 }, (_, n) => sysmon(n)).join(''));
    for (const bytes of [small, xml, utf16, oneLine]) {
      const pieces = await collect(recordPieces(input(bytes), 200));
      expect(pieces).toHaveLength(1);
      expect(Buffer.from(pieces[0] as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('inflates a readable gzip input and cuts its text; the documents are the whole record’s', async () => {
    const text = mixedText();
    const gz = new Uint8Array(Buffer.concat([gzipSync(text.subarray(0, 3000)), gzipSync(text.subarray(3000))]));
    const pieces = await collect(recordPieces(input(gz, 50), 600));
    expect(pieces.length).toBeGreaterThan(5);
    const whole = readRecord(gz, LIMITS);
    expect(comparable(pieces.flatMap((piece) => readRecord(piece, LIMITS)))).toEqual(comparable(whole));
  });

  it('gives a truncated gzip input whole, so it is rejected as before', async () => {
    const gz = gzipSync(mixedText());
    const cut = new Uint8Array(gz.subarray(0, gz.length - 8));
    expect(await gzipReadable(chunksOf(cut, 50))).toBe(false);
    const pieces = await collect(recordPieces(input(cut, 50), 600));
    expect(pieces).toHaveLength(1);
    expect(readRecord(pieces[0] as Uint8Array, LIMITS)).toEqual([
      expect.objectContaining({ kind: 'rejected', reason: 'truncated gzip' }),
    ]);
  });
});

describe('findCut and cuttable', () => {
  it('cuts only before a whole object line with two lines before it', () => {
    const bytes = encoder.encode(`${sysmon(1)}\n{"a":\n${sysmon(2)}\n`);
    // The second line opens a value; the third is a whole object: the first place to cut.
    expect(findCut(bytes, 0, true).cut).toBe(bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1);
    // One line before the candidate is not enough.
    const two = encoder.encode(`${sysmon(1)}\n${sysmon(2)}\n`);
    expect(findCut(two, 0, true).cut).toBe(-1);
  });

  it('waits for the end of a candidate line unless the input ended', () => {
    const bytes = encoder.encode(`${sysmon(1)}\n${sysmon(2)}\n${sysmon(3)}`);
    const last = bytes.lastIndexOf(0x0a) + 1;
    expect(findCut(bytes, last - 1, false).cut).toBe(-1);
    expect(findCut(bytes, last - 1, true).cut).toBe(last);
  });

  it('does not cut XML or UTF-16 text', () => {
    expect(cuttable(encoder.encode('  \n<Event/>'))).toBe(false);
    expect(cuttable(new Uint8Array([0xff, 0xfe, 0x7b, 0]))).toBe(false);
    expect(cuttable(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b]))).toBe(true);
  });

  it('cutText yields the input unchanged when no piece limit is reached', async () => {
    const bytes = encoder.encode(`${sysmon(1)}\n${sysmon(2)}\n${sysmon(3)}\n`);
    const pieces = await collect(cutText(chunksOf(bytes, 10), 10_000));
    expect(pieces.map((p) => Buffer.from(p).toString())).toEqual([Buffer.from(bytes).toString()]);
  });
});

const REGRESSION = sharedPath('sigma/regression_data');

describeUnless(missing(REGRESSION))('recordPieces on EVTX', () => {
  /** One file header, then the chunks of many regression logs (each one chunk), a zero chunk and a cut one. */
  function multiChunkLog(): Uint8Array {
    const files = readdirSync(REGRESSION, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.evtx'))
      .sort()
      .slice(0, 12)
      .map((name) => readFileSync(path.join(REGRESSION, name)));
    const header = (files[0] as Buffer).subarray(0, 4096);
    const chunks = files.map((file) => file.subarray(4096, 4096 + 65536));
    const zero = Buffer.alloc(65536);
    const cut = (files[1] as Buffer).subarray(4096, 4096 + 512 + 60); // cut inside its first record
    return new Uint8Array(Buffer.concat([header, ...chunks.slice(0, 5), zero, ...chunks.slice(5), cut]));
  }

  it('cuts a log between chunks; the pieces’ outcomes are the whole file’s', async () => {
    const log = multiChunkLog();
    const pieces = await collect(recordPieces(input(log, 10_000), 3 * 65536));
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(Buffer.from(piece.subarray(0, 8)).toString('latin1')).toBe('ElfFile\0');
    const whole = readRecord(log, LIMITS);
    expect(whole.filter((o) => o.kind === 'event').length).toBeGreaterThan(12);
    expect(whole.some((o) => o.kind === 'rejected')).toBe(true);
    expect(comparable(pieces.flatMap((piece) => readRecord(piece, LIMITS)))).toEqual(comparable(whole));
  });

  it('never cuts where a piece would hold no record', async () => {
    const log = multiChunkLog();
    const pieces = await collect(recordPieces(input(log, 65536), 65536));
    // Else nothing was cut and the test would check nothing.
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(readRecord(piece, LIMITS).some((o) => o.kind === 'filtered')).toBe(false);
    }
  });
});
