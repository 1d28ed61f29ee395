import { splitRecords } from '../../../../cli/send/split-records.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { LIMITS } from '../../../../src/limits.js';
import { evtxDocument, gzip, joinLines, mixedLines, ndjson, record, sysmon3Xml } from '../../events/factories.js';

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

describe('splitRecords without a format', () => {
  it('sends a file of good and bad lines line by line, each line its exact bytes, the bad ones included', () => {
    // Prepare
    const lines = mixedLines();
    // Act
    const split = splitRecords({ source: 'mixed.ndjson', data: joinLines(lines, true) });
    // Assess
    expect(split.records.map((r) => hex(r.data))).toEqual(lines.map((line) => hex(line.bytes)));
    expect(split.records.map((r) => r.source)).toEqual(lines.map((_line, i) => `mixed.ndjson:${i + 1}`));
    expect(split.oversize).toEqual([]);
    // Each record reads alone as that line did among the others.
    expect(split.records.map((r) => readRecord(r.data).length)).toEqual(lines.map(() => 1));
  });

  it('names a record by the line its document starts on (blank lines and pretty-printed documents counted)', () => {
    const text = `${JSON.stringify(evtxDocument(), null, 2)}\n\n{"cut":\n${JSON.stringify(evtxDocument())}\n`;
    const split = splitRecords({ source: 'f.json', data: record(text) });
    const pretty = JSON.stringify(evtxDocument(), null, 2).split('\n').length;
    expect(split.records.map((r) => r.source)).toEqual(['f.json:1', `f.json:${pretty + 2}`, `f.json:${pretty + 3}`]);
    expect(split.records.map((r) => r.host)).toEqual(['workstation5', undefined, 'workstation5']);
  });

  it.each<[string, () => Uint8Array]>([
    ['one JSON document', () => record(evtxDocument())],
    ['one pretty-printed document', () => record(JSON.stringify(evtxDocument(), null, 2))],
    ['XML', () => record(`${sysmon3Xml()}\n${sysmon3Xml()}`)],
    ['gzip of JSON lines', () => gzip(ndjson(evtxDocument(), evtxDocument()))],
    ['one truncated line', () => record(JSON.stringify(evtxDocument()).slice(0, 100))],
  ])('sends %s as one record, its bytes as they are', (_name, make) => {
    const data = make();
    const split = splitRecords({ source: 'f', data });
    expect(split.records.map((r) => hex(r.data))).toEqual([hex(data)]);
  });

  it('gives each piece of UTF-16LE text its BOM back, so it reads alone', () => {
    const text = `${JSON.stringify(evtxDocument())}\r\nnope\r\n`;
    const split = splitRecords({ source: 'f', data: new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]) });
    expect(split.records.map((r) => readRecord(r.data).map((o) => o.kind))).toEqual([['event'], ['rejected']]);
  });

  it.each<[string, number, boolean]>([
    ['a line of exactly the record limit', LIMITS.kinesisRecordBytes, true],
    ['a line one byte over it', LIMITS.kinesisRecordBytes + 1, false],
  ])('%s', (_name, size, sent) => {
    // Prepare: the padded line between two good ones.
    const pad = '{"pad":"'.length + '"}'.length;
    const big = `{"pad":"${'x'.repeat(size - pad)}"}`;
    const data = ndjson(evtxDocument(), big, evtxDocument());
    // Act
    const split = splitRecords({ source: 'big.ndjson', data });
    // Assess
    expect(split.records.map((r) => r.source)).toEqual(
      sent ? ['big.ndjson:1', 'big.ndjson:2', 'big.ndjson:3'] : ['big.ndjson:1', 'big.ndjson:3'],
    );
    expect(split.oversize).toEqual(sent ? [] : [{ source: 'big.ndjson:2', bytes: size }]);
  });

  it('does not send a whole (gzip) file over the record limit', () => {
    const random = new Uint8Array(LIMITS.kinesisRecordBytes + 1).map((_v, i) => (i * 7919) % 251);
    random.set([0x1f, 0x8b]);
    expect(splitRecords({ source: 'big.gz', data: random })).toEqual({
      records: [],
      skipped: [],
      oversize: [{ source: 'big.gz', bytes: LIMITS.kinesisRecordBytes + 1 }],
    });
  });
});

describe('splitRecords with a format', () => {
  it('re-encodes every event and skips what is not one, with the reason', () => {
    const split = splitRecords({ source: 'f', data: joinLines(mixedLines(3)) }, 'winlogbeat');
    expect(
      split.records.map((r) => readRecord(r.data).map((o) => (o.kind === 'event' ? o.event.format : o.kind))),
    ).toEqual([['winlogbeat'], ['winlogbeat'], ['winlogbeat']]);
    expect(split.skipped).toEqual([
      { source: 'f#2', reason: 'truncated JSON' },
      { source: 'f#4', reason: 'truncated JSON' },
      { source: 'f#6', reason: 'not JSON or XML' },
    ]);
  });
});
