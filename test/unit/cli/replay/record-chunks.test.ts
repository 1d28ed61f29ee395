/**
 * Cutting an input into pieces must not change what the record reader finds: the documents of the pieces, in
 * order, are those of the whole input (same events, same rejections with the same bytes and reasons, same flags).
 * Small inputs, every path; record-chunks.heavy.test.ts runs the same paths on larger inputs (HOOKSTREAM_TESTS=full).
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  cutText,
  cuttable,
  findCut,
  gzipReadable,
  recordPieces,
  TEXT_PIECE_BYTES,
  textShape,
  XML_PIECE_BYTES,
  zstdReadable,
} from '../../../../cli/replay/record-chunks.js';
import { noEvtxChecksums } from '../../../../src/events/evtx/index.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';
import { describeUnless, missing, sharedPath } from '../../../helpers/skip.js';
import {
  chunksOf,
  collect,
  comparable,
  encoder,
  evtxCounts,
  input,
  LIMITS,
  mixedText,
  pieceWise,
  replayedOutcomes,
  sysmon,
  utf16,
  utf16Ndjson,
  xmlEvent,
  xmlExport,
} from './record-chunks.cases.js';

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

  it('gives a small input and text without a place to cut whole', async () => {
    const small = encoder.encode(`${sysmon(1)}\n${sysmon(2)}\n`);
    const oneLine = encoder.encode(Array.from({ length: 50 }, (_, n) => sysmon(n)).join(''));
    const utf16OneLine = utf16(Buffer.from(oneLine).toString());
    for (const bytes of [small, oneLine, utf16OneLine]) {
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

describe('recordPieces on XML and UTF-16 text', () => {
  it.each([
    ['one after another, UTF-8', xmlExport(40, false), 'utf-8'],
    ['in <Events>, UTF-8', xmlExport(40, true), 'utf-8'],
    ['in <Events>, UTF-16LE with BOM', xmlExport(40, true), 'utf-16le'],
    ['one after another, UTF-16LE with BOM', xmlExport(40, false), 'utf-16le'],
  ])('cuts an XML export (%s) into pieces that read as the whole', async (_name, text, encoding) => {
    const bytes = encoding === 'utf-16le' ? utf16(text) : encoder.encode(text);
    // Chunks of 3 bytes: stream boundaries inside elements, code units and surrogate pairs.
    for (const chunkBytes of [3, 4096]) {
      const { pieces, cut, whole } = await pieceWise(bytes, 600, chunkBytes);
      expect(pieces.length).toBeGreaterThan(5);
      expect(whole.filter((o) => (o as RecordOutcome).kind === 'rejected').length).toBe(8);
      expect(cut).toEqual(whole);
    }
  });

  it('gives each XML piece after the first the wrapper start tag, each but the last its end tag', async () => {
    const { pieces } = await pieceWise(encoder.encode(xmlExport(60, true)), 1000);
    expect(pieces.length).toBeGreaterThan(3);
    for (const [i, piece] of pieces.entries()) {
      const text = Buffer.from(piece).toString();
      const head = i === 0 ? '<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- export -->\r\n<Events xmlns=' : '<Events>';
      expect(text.startsWith(head)).toBe(true);
      expect(text.trimEnd().endsWith('</Events>')).toBe(true);
      expect(text.match(/<Event xmlns/g)?.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('cuts XML with faults too; a fault costs only its event, an invalid byte flags only its event', async () => {
    const base = xmlExport(40, false);
    // An attribute value left open: the parser rejects that event only.
    const broken = base.replace("<Data Name='Image'>C:\\Windows\\p31.exe", "<Data Name='Image>C:\\Windows\\p31.exe");
    expect(broken).not.toBe(base);
    const invalidByte = encoder.encode(base);
    invalidByte[invalidByte.indexOf(0x5c, 2000)] = 0xff;
    const emptyEvent = base.replace('\r\n', '\r\n<Event/>\r\n');
    for (const [name, bytes, rejected, flagged] of [
      ['broken', encoder.encode(broken), 9, 0],
      ['invalid byte', invalidByte, 8, 1],
      ['empty event', encoder.encode(emptyEvent), 9, 0],
    ] as const) {
      // Without a way to read it twice (a tar entry) too: XML is no longer read twice.
      for (const reopen of [true, false]) {
        const { pieces, cut, whole } = await pieceWise(bytes, 1000, 97, reopen);
        expect([name, pieces.length > 5]).toEqual([name, true]);
        expect(cut).toEqual(whole);
        const outcomes = whole as RecordOutcome[];
        expect([name, outcomes.length, outcomes.filter((o) => o.kind === 'rejected').length]).toEqual([
          name,
          name === 'empty event' ? 41 : 40,
          rejected,
        ]);
        expect(outcomes.filter((o) => o.invalidUtf8).length).toBe(flagged);
        const reasons = outcomes.flatMap((o) => (o.kind === 'rejected' ? [o.reason] : []));
        expect(new Set(reasons)).toEqual(
          new Set([
            'host missing',
            ...(name === 'broken' ? ['invalid XML'] : name === 'empty event' ? ['XML is not an <Event>'] : []),
          ]),
        );
      }
    }
  });

  it('cuts UTF-16 newline-delimited JSON; surrogate pairs and lone surrogates read as in the whole', async () => {
    const { bytes, lone } = utf16Ndjson(30);
    for (const sample of [bytes, lone]) {
      for (const chunkBytes of [3, 101]) {
        const { pieces, cut, whole } = await pieceWise(sample, 700, chunkBytes);
        expect(pieces.length).toBeGreaterThan(5);
        for (const piece of pieces) expect([piece[0], piece[1]]).toEqual([0xff, 0xfe]);
        expect(cut).toEqual(whole);
      }
    }
    expect(readRecord(lone, LIMITS).filter((o) => o.invalidUtf8)).toHaveLength(1);
  });

  it('keeps a UTF-16 text’s odd last byte in its last piece', async () => {
    const bytes = utf16(`${Array.from({ length: 40 }, (_, n) => sysmon(n)).join('\n')}\n`);
    const odd = new Uint8Array([...bytes, 0x41]);
    const { pieces, cut, whole } = await pieceWise(odd, 600, 5);
    expect(pieces.length).toBeGreaterThan(3);
    expect(cut).toEqual(whole);
  });

  it('cuts XML into smaller pieces than JSON by default (XML_PIECE_BYTES), each its part of the text', async () => {
    const head = '<?xml version="1.0"?>\r\n';
    const events: string[] = [];
    for (let n = 0, bytes = 0; bytes < TEXT_PIECE_BYTES + XML_PIECE_BYTES; n++) {
      events.push(`${xmlEvent(n)}\r\n`);
      bytes += (events[n] as string).length;
    }
    const text = head + events.join('');
    const longest = Math.max(...events.map((event) => event.length));
    const pieces = (await collect(recordPieces(input(encoder.encode(text), 65_536)))).map((piece) =>
      Buffer.from(piece).toString(),
    );
    expect(XML_PIECE_BYTES).toBeLessThan(TEXT_PIECE_BYTES);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    for (const [i, piece] of pieces.entries()) {
      expect(piece.length).toBeLessThanOrEqual(head.length + XML_PIECE_BYTES + longest);
      if (i < pieces.length - 1) expect(piece.length).toBeGreaterThanOrEqual(XML_PIECE_BYTES);
    }
    // Events at the top level: the pieces are the text's parts, together the text once.
    expect(pieces.join('')).toBe(text);
  });

  it('cuts the XML inside a gzip input', async () => {
    const gz = new Uint8Array(gzipSync(encoder.encode(xmlExport(40, true))));
    const { pieces, cut, whole } = await pieceWise(gz, 300, 50);
    expect(pieces.length).toBeGreaterThan(3);
    expect(cut).toEqual(whole);
  });
});

describe('recordPieces on a top-level JSON array of events', () => {
  /** Events with bad elements: a number, a broken one, one cut short (then the next element), a lone surrogate. */
  function arrayText(pretty: boolean): string {
    const elements = Array.from({ length: 40 }, (_, n) => JSON.parse(sysmon(n, n % 7 === 0 ? '\u{1F600}' : '')));
    let text = JSON.stringify([...elements.slice(0, 10), 42, ...elements.slice(10)], null, pretty ? 4 : undefined);
    text = text.replace('p20.exe"', 'p20.exe" "x"');
    if (pretty) text = text.replace(/"Image": "C:\\\\Windows\\\\p30[^\n]*\n[^\n]*\n[^\n]*\n/, '"Image": "C:\\Win\n');
    return text;
  }

  it.each([
    ['pretty-printed, UTF-8', true, false],
    ['compact, UTF-8', false, false],
    ['pretty-printed, UTF-16LE with BOM', true, true],
  ])('cuts it (%s) between elements; the pieces read as the whole', async (_name, pretty, wide) => {
    const text = arrayText(pretty);
    const bytes = wide ? utf16(text) : encoder.encode(text);
    const whole = readRecord(bytes, LIMITS);
    const reasons = whole.flatMap((o) => (o.kind === 'rejected' ? [o.reason] : []));
    expect(reasons).toEqual(['unknown event shape', 'not JSON or XML', ...(pretty ? ['truncated JSON'] : [])]);
    expect(whole.filter((o) => o.kind === 'event')).toHaveLength(pretty ? 38 : 39);
    for (const [pieceBytes, maxRead] of [
      [1, 3],
      [300, 700],
      [2000, 3],
    ] as const) {
      const { pieces, outcomes } = await replayedOutcomes(bytes, pieceBytes, maxRead, pieceBytes);
      if (pieceBytes > 1) expect(pieces).toBeGreaterThan(3);
      expect([pieceBytes, outcomes]).toEqual([pieceBytes, comparable(whole)]);
    }
  });
});

const zstdCli = spawnSync('zstd', ['--version']).status === 0 ? undefined : 'the zstd command is absent';

function zstd(bytes: Uint8Array, ...options: string[]): Uint8Array {
  return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...options], { input: bytes }));
}

describeUnless(zstdCli)('recordPieces on zstd', () => {
  it('decompresses a readable zstd input as it is read and cuts its text (JSON and XML, several frames)', async () => {
    const text = mixedText();
    const frames = new Uint8Array(Buffer.concat([zstd(text.subarray(0, 3000)), zstd(text.subarray(3000), '-19')]));
    const xml = zstd(encoder.encode(xmlExport(30, true)));
    // A stream the CLI writes from a pipe declares no content size.
    const piped = new Uint8Array(execFileSync('sh', ['-c', 'cat | zstd -q -c'], { input: text }));
    for (const bytes of [frames, xml, piped]) {
      const { pieces, cut, whole } = await pieceWise(bytes, 200, 50);
      expect(pieces.length).toBeGreaterThan(3);
      expect(whole.length).toBeGreaterThan(25);
      expect(cut).toEqual(whole);
    }
  });

  it('gives a truncated zstd input whole, so it is rejected as before; a damaged one reads as the whole', async () => {
    const bytes = zstd(mixedText());
    const truncated = bytes.subarray(0, bytes.length - 10);
    expect(await zstdReadable(chunksOf(truncated, 50))).toBe(false);
    const { pieces, cut, whole } = await pieceWise(truncated, 200, 50);
    expect(pieces).toHaveLength(1);
    expect(cut).toEqual(whole);
    expect(readRecord(truncated, LIMITS)).toEqual([
      expect.objectContaining({ kind: 'rejected', reason: 'truncated zstd' }),
    ]);
    // A flipped byte: fzstd may fail or decode other text; either way the pieces read as the whole.
    for (let at = 20; at < bytes.length; at += Math.floor(bytes.length / 7)) {
      const damaged = Uint8Array.from(bytes);
      damaged[at] = (damaged[at] as number) ^ 0xff;
      const read = await pieceWise(damaged, 200, 50);
      expect(read.cut).toEqual(read.whole);
    }
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

  it('tells JSON from XML, in UTF-8 and UTF-16', () => {
    expect(cuttable(encoder.encode('  \n<Event/>'))).toBe(false);
    expect(textShape(encoder.encode('  \n<Event/>'))).toEqual({ encoding: 'utf-8', bom: 0, syntax: 'xml' });
    expect(textShape(new Uint8Array([0xff, 0xfe, 0x20, 0, 0x7b, 0]))).toEqual({
      encoding: 'utf-16le',
      bom: 2,
      syntax: 'json',
    });
    expect(textShape(new Uint8Array([0xff, 0xfe, 0x3c, 0]))?.syntax).toBe('xml');
    expect(cuttable(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b]))).toBe(true);
    expect(textShape(encoder.encode('   '))).toBeUndefined();
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
    const fromPieces = pieces.flatMap((piece) => readRecord(piece, LIMITS));
    expect(comparable(fromPieces)).toEqual(comparable(whole));
    // 13 chunks with a signature (the zero one is unused); the cut one fails its records checksum.
    expect(evtxCounts(whole)).toEqual({
      ...noEvtxChecksums(),
      chunks: 13,
      checksumFailed: 1,
      recordsChecksumFailed: 1,
    });
    expect(evtxCounts(fromPieces)).toEqual(evtxCounts(whole));
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
