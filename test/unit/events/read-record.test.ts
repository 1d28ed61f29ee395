import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type RecordOutcome, readRecord } from '../../../src/events/read-record.js';
import { LIMITS } from '../../../src/limits.js';
import {
  aggregate,
  cloudWatchEnvelope,
  dnsClient3008Document,
  evtxDocument,
  expectedSysmon3,
  gzip,
  joinLines,
  type MixedLine,
  mixedLines,
  mixedOutcomes,
  ndjson,
  nxlogDocument,
  record,
  summary,
  sysmon3Xml,
} from './factories.js';

const fixtures = path.resolve(process.cwd(), 'events');

function eventsOf(outcomes: RecordOutcome[]) {
  return outcomes.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}

describe('readRecord decoding paths', () => {
  it.each<[string, () => Uint8Array, string[]]>([
    ['one JSON event', () => record(evtxDocument()), ['event:evtx-json']],
    [
      'one JSON event with a trailing newline',
      () => record(`${JSON.stringify(evtxDocument())}\r\n`),
      ['event:evtx-json'],
    ],
    ['a UTF-8 BOM', () => new Uint8Array([0xef, 0xbb, 0xbf, ...record(evtxDocument())]), ['event:evtx-json']],
    ['pretty-printed JSON', () => record(JSON.stringify(evtxDocument(), null, 2)), ['event:evtx-json']],
    [
      'newline-delimited JSON of several shippers',
      () => ndjson(evtxDocument(), nxlogDocument(), dnsClient3008Document()),
      ['event:evtx-json', 'event:nxlog', 'event:evtx-json'],
    ],
    [
      'concatenated pretty-printed JSON',
      () => record(`${JSON.stringify(evtxDocument(), null, 2)}\n${JSON.stringify(evtxDocument(), null, 2)}`),
      ['event:evtx-json', 'event:evtx-json'],
    ],
    [
      'concatenated JSON on one line',
      () => record(JSON.stringify(evtxDocument()).repeat(2)),
      ['event:evtx-json', 'event:evtx-json'],
    ],
    ['gzip of one JSON event', () => gzip(record(evtxDocument())), ['event:evtx-json']],
    ['gzip of ndjson', () => gzip(ndjson(evtxDocument(), nxlogDocument())), ['event:evtx-json', 'event:nxlog']],
    ['gzip of gzip', () => gzip(gzip(record(evtxDocument()))), ['event:evtx-json']],
    ['rendered XML', () => record(sysmon3Xml()), ['event:xml']],
    ['XML with a declaration', () => record(`<?xml version="1.0" encoding="utf-8"?>\n${sysmon3Xml()}`), ['event:xml']],
    [
      'several XML events in <Events>',
      () => record(`<Events>${sysmon3Xml()}${sysmon3Xml()}</Events>`),
      ['event:xml', 'event:xml'],
    ],
    ['XML as a JSON string', () => record(JSON.stringify(sysmon3Xml())), ['event:xml']],
    ['XML lines among JSON lines', () => ndjson(evtxDocument(), sysmon3Xml()), ['event:evtx-json', 'event:xml']],
    ['a JSON string holding JSON', () => record(JSON.stringify(JSON.stringify(evtxDocument()))), ['event:evtx-json']],
    [
      'gzip CloudWatch Logs envelope',
      () => gzip(record(cloudWatchEnvelope([JSON.stringify(evtxDocument()), sysmon3Xml()]))),
      ['event:evtx-json', 'event:xml'],
    ],
    [
      'CloudWatch Logs envelope whose message is ndjson',
      () => gzip(record(cloudWatchEnvelope([`${JSON.stringify(evtxDocument())}\n${JSON.stringify(nxlogDocument())}`]))),
      ['event:evtx-json', 'event:nxlog'],
    ],
    [
      'CloudWatch Logs CONTROL_MESSAGE',
      () =>
        gzip(record(cloudWatchEnvelope(['CWL CONTROL MESSAGE: Checking health of destination'], 'CONTROL_MESSAGE'))),
      ['filtered:CloudWatch Logs control message'],
    ],
    [
      'CloudWatch Logs envelope nested in ndjson, beside a CONTROL_MESSAGE',
      () =>
        gzip(
          ndjson(
            cloudWatchEnvelope([JSON.stringify(evtxDocument())]),
            cloudWatchEnvelope(['CWL CONTROL MESSAGE'], 'CONTROL_MESSAGE'),
          ),
        ),
      ['event:evtx-json', 'filtered:CloudWatch Logs control message'],
    ],
    [
      'CloudWatch Logs envelope with no events',
      () => record(cloudWatchEnvelope([])),
      ['filtered:CloudWatch Logs envelope without log events'],
    ],
  ])('%s', (_name, make, expected) => {
    // Prepare
    const data = make();
    // Act
    const outcomes = readRecord(data);
    // Assess
    expect(summary(outcomes)).toEqual(expected);
  });

  it('gives the same canonical event through every wrapping', () => {
    const plain = eventsOf(readRecord(record(evtxDocument())));
    const wrapped = eventsOf(readRecord(gzip(record(cloudWatchEnvelope([JSON.stringify(evtxDocument())])))));
    expect(wrapped).toEqual(plain);
    expect(plain[0]).toEqual({ ...expectedSysmon3(), format: 'evtx-json' });
  });

  it('reads a zstd record made by the zstd CLI', () => {
    const outcomes = readRecord(readFileSync(path.join(fixtures, 'zstd/sysmon3-winlogbeat.json.zst')));
    expect(eventsOf(outcomes)).toEqual([{ ...expectedSysmon3(), format: 'winlogbeat' }]);
  });

  it('reads a zstd of ndjson made now, when the zstd CLI is present', () => {
    let zst: Uint8Array;
    try {
      zst = execFileSync('zstd', ['-q', '-c'], { input: ndjson(evtxDocument(), nxlogDocument()) });
    } catch {
      console.log('zstd CLI absent: skipping the fresh zstd case (the committed fixture is still tested)');
      return;
    }
    expect(summary(readRecord(zst))).toEqual(['event:evtx-json', 'event:nxlog']);
  });

  it('de-aggregates a KPL record and decodes each user record again (plain JSON and gzip)', () => {
    const outcomes = readRecord(readFileSync(path.join(fixtures, 'kpl/sysmon3-aggregated.kpl')));
    expect(summary(outcomes)).toEqual(['event:evtx-json', 'event:fluent-bit']);
    for (const event of eventsOf(outcomes))
      expect({ ...event, format: undefined }).toEqual({ ...expectedSysmon3(), format: undefined });
  });
});

describe('readRecord rejections', () => {
  const deep = `{"Event":{"System":{"EventID":3,"Channel":"c","Computer":"h","TimeCreated":{"SystemTime":"2020-10-22T05:54:21Z"}},"EventData":{"x":${'['.repeat(10000)}${']'.repeat(10000)}}}}`;
  const bigValue = 'A'.repeat(5 * 1024 * 1024);
  let gzipBomb = gzip(record(evtxDocument()));
  for (let i = 0; i < 10; i++) gzipBomb = gzip(gzipBomb);

  it.each<[string, () => Uint8Array, string[]]>([
    ['an empty record', () => new Uint8Array(0), ['rejected:record empty']],
    ['a whitespace-only record', () => record(' \r\n\t'), ['rejected:record empty']],
    ['text that is not JSON or XML', () => record('hello, world'), ['rejected:not JSON or XML']],
    ['binary garbage', () => new Uint8Array([0, 1, 2, 3, 250, 251]), ['rejected:not JSON or XML']],
    ['truncated JSON', () => record(JSON.stringify(evtxDocument()).slice(0, 120)), ['rejected:truncated JSON']],
    ['a truncated gzip', () => gzip(record(evtxDocument())).subarray(0, 40), ['rejected:truncated gzip']],
    [
      'a corrupt gzip',
      () => new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0]),
      ['rejected:invalid gzip'],
    ],
    ['a truncated zstd', () => new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x10]), ['rejected:truncated zstd']],
    [
      'a corrupt KPL aggregate',
      () => new Uint8Array([0xf3, 0x89, 0x9a, 0xc2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]),
      ['rejected:invalid KPL aggregate'],
    ],
    ['gzip nested 11 deep', () => gzipBomb, ['rejected:encoding nested too deeply']],
    ['a JSON number', () => record('42'), ['rejected:unknown event shape']],
    ['a JSON array', () => record('[1,2,3]'), ['rejected:unknown event shape']],
    ['an unknown shape', () => record({ hello: 'world' }), ['rejected:unknown event shape']],
    [
      'EventID "abc"',
      () => record(evtxDocument({ system: { EventID: 'abc' } })),
      ['rejected:EventID is not an integer'],
    ],
    ['EventID 3.5', () => record(evtxDocument({ system: { EventID: 3.5 } })), ['rejected:EventID is not an integer']],
    ['EventID -1', () => record(evtxDocument({ system: { EventID: -1 } })), ['rejected:EventID out of range']],
    ['EventID "-1"', () => record(evtxDocument({ system: { EventID: '-1' } })), ['rejected:EventID out of range']],
    ['EventID "-"', () => record(evtxDocument({ system: { EventID: '-' } })), ['rejected:EventID is not an integer']],
    ['EventID 70000', () => record(evtxDocument({ system: { EventID: 70000 } })), ['rejected:EventID out of range']],
    ['EventID missing', () => record(evtxDocument({ system: { EventID: undefined } })), ['rejected:EventID missing']],
    ['EventData a number', () => record(evtxDocument({ eventData: 42 })), ['rejected:EventData is not an object']],
    ['host missing', () => record(evtxDocument({ system: { Computer: undefined } })), ['rejected:host missing']],
    ['host a number', () => record(evtxDocument({ system: { Computer: 5 } })), ['rejected:host missing']],
    ['channel empty', () => record(evtxDocument({ system: { Channel: ' ' } })), ['rejected:channel missing']],
    ['System missing', () => record({ Event: { EventData: {} } }), ['rejected:System missing']],
    [
      'no valid time',
      () =>
        record(evtxDocument({ system: { TimeCreated: { SystemTime: 'soon' } }, eventData: { UtcTime: 'yesterday' } })),
      ['rejected:time missing or invalid'],
    ],
    [
      'record ID not an integer',
      () => record(evtxDocument({ system: { EventRecordID: 'x1' } })),
      ['rejected:record ID is not an integer'],
    ],
    ['a field value nested 10,000 deep', () => record(deep), ['rejected:document nested too deeply']],
    [
      'an array nested 10,000 deep',
      () => record(`${'['.repeat(10000)}${']'.repeat(10000)}`),
      ['rejected:unknown event shape'],
    ],
    [
      'XML nested 10,000 deep',
      () =>
        record(
          `<Event><System/><EventData><Data Name='x'>${'<a>'.repeat(10000)}${'</a>'.repeat(10000)}</Data></EventData></Event>`,
        ),
      ['rejected:document nested too deeply'],
    ],
    ['XML that does not parse', () => record('<Event><!-- unclosed comment'), ['rejected:invalid XML']],
    [
      'mismatched XML the lenient parser accepts',
      () => record('<Event><System></Event>'),
      ['rejected:XML is not an <Event>'],
    ],
    ['XML that is not an <Event>', () => record('<Foo><Bar/></Foo>'), ['rejected:XML is not an <Event>']],
    [
      'CloudWatch Logs unknown message type',
      () => record(cloudWatchEnvelope([], 'OTHER')),
      ['rejected:unknown CloudWatch Logs message type'],
    ],
    [
      'a CloudWatch Logs event without message',
      () => record({ ...cloudWatchEnvelope([]), logEvents: [{ id: '1' }] }),
      ['rejected:CloudWatch Logs event without message'],
    ],
    [
      'a host name over the limit',
      () => record(evtxDocument({ system: { Computer: 'h'.repeat(LIMITS.hostBytes + 1) } })),
      ['rejected:host name too long'],
    ],
    [
      'more EventData fields than the limit',
      () =>
        record(
          evtxDocument({
            eventData: Object.fromEntries(Array.from({ length: LIMITS.fieldsPerEvent + 1 }, (_v, i) => [`F${i}`, 'x'])),
          }),
        ),
      ['rejected:event too large'],
    ],
    [
      'more EventData characters in all than the limit (each field within its own)',
      () =>
        record(
          evtxDocument({
            eventData: Object.fromEntries(
              Array.from({ length: LIMITS.eventDataChars / LIMITS.fieldChars + 1 }, (_v, i) => [
                `F${i}`,
                bigValue.slice(0, LIMITS.fieldChars),
              ]),
            ),
          }),
        ),
      ['rejected:event too large'],
    ],
    [
      'one bad line among good ones',
      () => ndjson(evtxDocument(), 'garbage line', { hello: 1 }, nxlogDocument()),
      ['event:evtx-json', 'rejected:not JSON or XML', 'rejected:unknown event shape', 'event:nxlog'],
    ],
  ])('%s', (_name, make, expected) => {
    const data = make();
    let outcomes: RecordOutcome[] = [];
    expect(() => {
      outcomes = readRecord(data);
    }).not.toThrow();
    expect(summary(outcomes)).toEqual(expected);
  });

  it('keeps the rejected document bytes (the line, not the whole record)', () => {
    const outcomes = readRecord(ndjson(evtxDocument(), 'garbage line'));
    const rejected = outcomes[1];
    expect(rejected?.kind).toBe('rejected');
    if (rejected?.kind === 'rejected') expect(new TextDecoder().decode(rejected.raw)).toBe('garbage line');
  });

  it('keeps the original bytes of a rejected single-document record', () => {
    const data = gzip(record(evtxDocument())).subarray(0, 40);
    const [outcome] = readRecord(data);
    expect(outcome?.kind === 'rejected' && outcome.raw).toEqual(data);
  });

  it('cuts a 5 MB field value to the field limit and says so', () => {
    const data = record(evtxDocument({ eventData: { ...expectedSysmon3().data, CommandLine: bigValue } }));
    const [outcome] = readRecord(data);
    expect(outcome?.kind).toBe('event');
    if (outcome?.kind !== 'event') return;
    expect(outcome.event.data.CommandLine).toBe(bigValue.slice(0, LIMITS.fieldChars));
    expect(outcome.truncatedFields).toBe(1);
  });
});

describe('readRecord host and time rules', () => {
  it('keeps the host as logged (trimmed); compare with hostKey', () => {
    const [outcome] = readRecord(record(evtxDocument({ system: { Computer: ' Workstation5.theshire.local ' } })));
    expect(outcome?.kind === 'event' && outcome.event.host).toBe('Workstation5.theshire.local');
  });

  it.each<[string, Record<string, unknown>, number]>([
    ['Sysmon: UtcTime over SystemTime', {}, Date.UTC(2020, 9, 22, 5, 54, 21, 520)],
    ['Sysmon with an invalid UtcTime: SystemTime', { UtcTime: 'n/a' }, Date.UTC(2020, 9, 22, 5, 54, 21, 530)],
  ])('%s', (_name, dataOverrides, expected) => {
    const [outcome] = readRecord(record(evtxDocument({ eventData: { ...expectedSysmon3().data, ...dataOverrides } })));
    expect(outcome?.kind === 'event' && outcome.event.time).toBe(expected);
  });

  it('does not take UtcTime for a non-Sysmon event', () => {
    const document = evtxDocument({
      system: {
        Provider: { Name: 'Custom' },
        Channel: 'Application',
        TimeCreated: { SystemTime: '2021-01-01T00:00:00Z' },
      },
      eventData: { UtcTime: '2020-10-22 05:54:21.520' },
    });
    const [outcome] = readRecord(record(document));
    expect(outcome?.kind === 'event' && outcome.event.time).toBe(Date.UTC(2021, 0, 1));
  });
});

describe('readRecord on partly bad input', () => {
  const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
  const rejectedRaws = (outcomes: RecordOutcome[]) =>
    outcomes.flatMap((o) => (o.kind === 'rejected' ? [hex(o.raw)] : []));

  it.each<[string, (lines: MixedLine[]) => Uint8Array]>([
    ['newline-delimited', (lines) => joinLines(lines)],
    ['with CRLF line ends', (lines) => joinLines(lines, true)],
    ['inside gzip', (lines) => gzip(joinLines(lines))],
    ['after a UTF-8 BOM', (lines) => new Uint8Array([0xef, 0xbb, 0xbf, ...joinLines(lines)])],
  ])('reads every good line around the bad ones and keeps each bad line as its exact bytes (%s)', (_name, make) => {
    // Prepare
    const lines = mixedLines();
    const data = make(lines);
    // Act
    const outcomes = readRecord(data);
    // Assess
    expect(mixedOutcomes(outcomes)).toEqual(lines.map((line) => line.expected));
    expect(rejectedRaws(outcomes)).toEqual(
      lines.filter((line) => line.expected.startsWith('rejected')).map((line) => hex(line.bytes)),
    );
  });

  it('reads the 100 good events after a truncated line', () => {
    const good = Array.from({ length: 100 }, (_v, i) => nxlogDocument({ SourcePort: String(i) }));
    const data = ndjson(nxlogDocument(), JSON.stringify(nxlogDocument()).slice(0, 200), ...good);
    expect(summary(readRecord(data))).toEqual([
      'event:nxlog',
      'rejected:truncated JSON',
      ...good.map(() => 'event:nxlog'),
    ]);
  });

  it('keeps the original bytes of a rejected single-document record with invalid UTF-8, and flags it', () => {
    const data = new Uint8Array([...record('{"hello":"'), 0xff, 0xfe, ...record('"}')]);
    const [outcome] = readRecord(data);
    expect(outcome).toEqual({ kind: 'rejected', reason: 'unknown event shape', raw: data, invalidUtf8: true });
  });

  it('flags an event decoded from invalid UTF-8, and only that one', () => {
    // Prepare
    const [before, after] = JSON.stringify(
      evtxDocument({ eventData: { ...expectedSysmon3().data, Image: '@@' } }),
    ).split('@@');
    const invalid = new Uint8Array([...record(before ?? ''), 0xc0, 0xaf, ...record(after ?? '')]);
    const data = new Uint8Array([...ndjson(evtxDocument()), ...invalid, 0x0a, ...ndjson(evtxDocument())]);
    // Act
    const outcomes = readRecord(data);
    // Assess
    expect(outcomes.map((o) => o.kind === 'event' && o.invalidUtf8 === true)).toEqual([false, true, false]);
    expect(outcomes[1]?.kind === 'event' && outcomes[1].event.data.Image).toBe('\ufffd\ufffd');
  });

  it('does not flag a genuine U+FFFD (the bytes EF BF BD)', () => {
    const outcomes = readRecord(record(evtxDocument({ eventData: { ...expectedSysmon3().data, Image: '\ufffd' } })));
    expect(outcomes[0]).not.toHaveProperty('invalidUtf8');
  });

  it('keeps the UTF-16LE bytes of a rejected line of UTF-16LE text', () => {
    // Prepare
    const text = `${JSON.stringify(evtxDocument())}\r\nnot json\r\n${JSON.stringify(evtxDocument())}\r\n`;
    const data = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    // Act
    const outcomes = readRecord(data);
    // Assess
    expect(summary(outcomes)).toEqual(['event:evtx-json', 'rejected:not JSON or XML', 'event:evtx-json']);
    expect(outcomes[1]?.kind === 'rejected' && hex(outcomes[1].raw)).toBe(
      Buffer.from('not json', 'utf16le').toString('hex'),
    );
  });
});

describe('readRecord decompression budget (all layers of one record together)', () => {
  const MIB = 1024 * 1024;
  /** One event line padded with blanks to `bytes` (compresses to almost nothing). */
  const padded = (bytes: number) => {
    const line = record(evtxDocument());
    const out = new Uint8Array(bytes).fill(0x20);
    out.set(line);
    return out;
  };
  // The budget cases need tens of MiB; zlib at level 1 makes them in a fraction of fflate's time.
  const gzip = (data: Uint8Array) => new Uint8Array(gzipSync(data, { level: 1 }));

  it('reads a record that decompresses to just under the budget', () => {
    expect(summary(readRecord(gzip(padded(LIMITS.decompressedBytesPerRecord - 1024))))).toEqual(['event:evtx-json']);
  });

  it.each<[string, () => { data: Uint8Array; rejected: Uint8Array }, string[]]>([
    [
      'one gzip layer over the budget',
      () => {
        const data = gzip(padded(LIMITS.decompressedBytesPerRecord + 1));
        return { data, rejected: data };
      },
      ['rejected:gzip too large'],
    ],
    [
      'two gzip layers, the inner one over the budget (the inner layer is the rejected document)',
      () => {
        const inner = gzip(padded(LIMITS.decompressedBytesPerRecord + 1));
        return { data: gzip(inner), rejected: inner };
      },
      ['rejected:gzip too large'],
    ],
    [
      'two gzip members each under the budget, over it together',
      () => {
        const data = new Uint8Array([...gzip(padded(40 * MIB)), ...gzip(padded(40 * MIB))]);
        return { data, rejected: data };
      },
      ['rejected:gzip too large'],
    ],
  ])('%s', (_name, make, expected) => {
    // Prepare
    const { data, rejected } = make();
    // Act
    const outcomes = readRecord(data);
    // Assess
    expect(summary(outcomes)).toEqual(expected);
    expect(outcomes[0]?.kind === 'rejected' && hex(outcomes[0].raw)).toBe(hex(rejected));
  });

  it('charges the user records of one KPL aggregate to one budget', async () => {
    // Prepare: two gzip user records of 40 MiB each; either alone fits the budget, both do not.
    const user = gzip(padded(40 * MIB));
    const aggregated = await aggregate([user, user]);
    // Act
    const outcomes = readRecord(aggregated);
    // Assess
    expect(summary(outcomes)).toEqual(['event:evtx-json', 'rejected:gzip too large']);
    expect(outcomes[1]?.kind === 'rejected' && hex(outcomes[1].raw)).toBe(hex(user));
  });

  const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
});

describe('readRecord unnamed EventData', () => {
  const document = (eventId: number, values: string[]) =>
    new TextEncoder().encode(
      JSON.stringify({
        EventId: eventId,
        ProviderName: 'Service Control Manager',
        LogName: 'System',
        MachineName: 'ws1',
        TimeCreated: '2021-01-02T03:04:05.000Z',
        EventData: values,
      }),
    );

  it('counts the positional values no schema named', () => {
    const [outcome] = readRecord(document(9999, ['a', 'b', 'c']));
    expect(outcome?.kind === 'event' && [outcome.event.data, outcome.unnamedFields]).toEqual([
      { Data1: 'a', Data2: 'b', Data3: 'c' },
      3,
    ]);
  });

  it('counts nothing when the schema names them all', () => {
    const [outcome] = readRecord(
      document(7045, ['svc', 'C:\\x.exe', 'user mode service', 'demand start', 'LocalSystem']),
    );
    expect(outcome?.kind === 'event' && [outcome.event.data.ImagePath, outcome.unnamedFields]).toEqual([
      'C:\\x.exe',
      undefined,
    ]);
  });
});
