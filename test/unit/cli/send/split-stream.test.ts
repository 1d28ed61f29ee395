/**
 * send's split a piece at a time (split-stream.ts) gives the records splitRecords gives for the whole input, in
 * the same order, with small pieces here so that every path is taken; a line over the limit is one oversize
 * document, and an input sent as one record is counted, not held, past the record limit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type SplitResult, splitRecords } from '../../../../cli/send/split-records.js';
import { type StreamSizes, splitStream } from '../../../../cli/send/split-stream.js';
import { LIMITS } from '../../../../src/limits.js';
import { describeUnless, missing, sharedPath } from '../../../helpers/skip.js';
import { evtxDocument, gzip, joinLines, mixedLines, record, sysmon3Xml } from '../../events/factories.js';
import { input } from '../replay/record-chunks.cases.js';

const SMALL: StreamSizes = { pieceBytes: 600, maxLineBytes: 1_000_000 };

/** Records as comparable values: source, data (hex), host; and the other lists as they are. */
function comparable(results: readonly SplitResult[]) {
  return {
    records: results.flatMap((r) => r.records.map((x) => [x.source, Buffer.from(x.data).toString('hex'), x.host])),
    skipped: results.flatMap((r) => r.skipped),
    oversize: results.flatMap((r) => r.oversize),
  };
}

async function streamed(data: Uint8Array, format?: 'winlogbeat', sizes = SMALL, read = 97) {
  const out: SplitResult[] = [];
  for await (const split of splitStream({ ...input(data, read), source: 'f' }, format, sizes)) out.push(split);
  return out;
}

const whole = (data: Uint8Array, format?: 'winlogbeat') => comparable([splitRecords({ source: 'f', data }, format)]);

describe('splitStream against splitRecords on the whole input', () => {
  const pretty = JSON.stringify(evtxDocument(), null, 2);
  it.each<[string, () => Uint8Array]>([
    ['JSON lines, bad ones between good ones', () => joinLines(mixedLines(40), true)],
    [
      'pretty-printed documents, blank lines and a cut one',
      () => record(`${pretty}\n\n{"cut":\n${pretty}\n`.repeat(6)),
    ],
    [
      'UTF-16LE JSON lines with CRLF',
      () => {
        const text = `${JSON.stringify(evtxDocument())}\r\nnope\r\n`.repeat(12);
        return new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
      },
    ],
  ])('gives the same records, sources and hosts for %s', async (_name, make) => {
    const data = make();
    expect(data.length).toBeGreaterThan(4 * SMALL.pieceBytes);
    const got = comparable(await streamed(data));
    expect(got.records.length).toBeGreaterThan(10);
    expect(got).toEqual(whole(data));
  });

  it('re-encodes the same events with a format, numbered across the pieces, and skips the same documents', async () => {
    const data = joinLines(mixedLines(40));
    const got = comparable(await streamed(data, 'winlogbeat'));
    expect(got.skipped.length).toBeGreaterThan(0);
    expect(got).toEqual(whole(data, 'winlogbeat'));
  });

  it('sends a small input whole, as splitRecords does', async () => {
    const data = record(evtxDocument());
    expect(comparable(await streamed(data, undefined, { ...SMALL, pieceBytes: 1 << 20 }))).toEqual(whole(data));
  });

  it('counts a line over the limit as one oversize document and numbers the lines after it', async () => {
    const long = `{"pad":"${'x'.repeat(3_000)}"}`;
    const good = JSON.stringify(evtxDocument());
    const data = record(`${good}\n${good}\n${long}\n${good}\n`);
    const got = comparable(await streamed(data, undefined, { pieceBytes: 600, maxLineBytes: 1_000 }));
    expect(got.oversize).toEqual([{ source: 'f:3', bytes: long.length }]);
    expect(got.records.map(([source]) => source)).toEqual(['f:1', 'f:2', 'f:4']);
  });

  it.each<[string, () => Uint8Array]>([
    ['XML', () => record(`${sysmon3Xml()}\n`.repeat(Math.ceil((LIMITS.kinesisRecordBytes + 1) / sysmon3Xml().length)))],
    [
      'gzip (its magic, then bytes that do not compress)',
      () => {
        const data = new Uint8Array(LIMITS.kinesisRecordBytes + 100_000).map((_v, i) => (i * 7919) % 251);
        data.set(gzip(record('{}')).subarray(0, 10));
        return data;
      },
    ],
  ])('counts %s over the record limit as one oversize input, as splitRecords does', async (_name, make) => {
    const data = make();
    expect(data.length).toBeGreaterThan(LIMITS.kinesisRecordBytes);
    const got = comparable(await streamed(data, undefined, SMALL, 65_536));
    expect(got).toEqual({ records: [], skipped: [], oversize: [{ source: 'f', bytes: data.length }] });
    expect(got).toEqual(whole(data));
  });
});

const REGRESSION = sharedPath('sigma/regression_data/rules/windows/process_creation');

describeUnless(missing(REGRESSION))('splitStream on .evtx files (../shared regression data)', () => {
  it('re-encodes the events of an .evtx file as splitRecords does', async () => {
    const found = readdirSync(REGRESSION, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.evtx'))
      .slice(0, 5);
    expect(found.length).toBe(5);
    for (const file of found) {
      const data = new Uint8Array(readFileSync(path.join(REGRESSION, file)));
      const got = comparable(await streamed(data, undefined, SMALL, 4_096));
      expect(got.records.length).toBeGreaterThan(0);
      expect(got).toEqual(whole(data));
    }
  });
});
