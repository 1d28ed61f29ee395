/**
 * Binary XML in EVTX records: every value type, every token, templates inline and by offset, rendered as
 * evtx_dump's JSON and normalised to canonical events. Files are made by the test writer (evtx-writer.ts).
 */
import { readEvtx } from '../../../../src/events/evtx/index.js';
import { readRecord } from '../../../../src/events/read-record.js';
import {
  EvtxWriter,
  eventRecord,
  eventTemplate,
  string,
  system,
  systemValues,
  u16,
  u32,
  u64,
  utf16z,
  type Value,
  type XmlWriter,
} from './evtx-writer.js';

const bytes = (...b: number[]) => new Uint8Array(b);

/** One event whose EventData field `Value` is substituted by `value`; its canonical data. */
function fieldOf(value: Value): Record<string, string> {
  const writer = new EvtxWriter();
  writer.record((w) => eventRecord(w, eventTemplate(['Value']), [...systemValues(1), value]));
  const [outcome, ...rest] = readRecord(writer.file());
  expect(rest).toEqual([]);
  if (outcome?.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(outcome)}`);
  return outcome.event.data;
}

/** The evtx_dump-shaped document of one record written by `build`. */
function documentOf(build: (w: XmlWriter) => void): Record<string, unknown> {
  const writer = new EvtxWriter();
  writer.record(build);
  const [outcome, ...rest] = readEvtx(writer.file());
  expect(rest).toEqual([]);
  if (!outcome?.ok) throw new Error(`rejected: ${JSON.stringify(outcome)}`);
  return outcome.document;
}

describe('EVTX value types', () => {
  const guid = bytes(0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9);
  const sid = bytes(
    1,
    5,
    0,
    0,
    0,
    0,
    0,
    5,
    21,
    0,
    0,
    0,
    0xe8,
    0x03,
    0,
    0,
    0xf4,
    0x01,
    0,
    0,
    0x10,
    0,
    0,
    0,
    0x20,
    0,
    0,
    0,
  );
  const systemTime = new Uint8Array(new Uint16Array([2024, 2, 4, 29, 13, 5, 9, 7]).buffer);
  const f32 = new Uint8Array(new Float32Array([0.1]).buffer);
  const f64 = new Uint8Array(new Float64Array([-2.5e-7]).buffer);
  it.each<[string, Value, string]>([
    ['utf16 string (terminator and trailing blanks dropped)', string('C:\\Windows\\cmd.exe  '), 'C:\\Windows\\cmd.exe'],
    ['ansi string', { type: 0x02, bytes: bytes(0x63, 0x61, 0x66, 0xe9, 0) }, 'café'],
    ['int8', { type: 0x03, bytes: bytes(0xfb) }, '-5'],
    ['uint8', { type: 0x04, bytes: bytes(0xfb) }, '251'],
    ['int16', { type: 0x05, bytes: bytes(0x00, 0x80) }, '-32768'],
    ['uint16', { type: 0x06, bytes: u16(65535) }, '65535'],
    ['int32', { type: 0x07, bytes: u32(0xffffffff) }, '-1'],
    ['uint32', { type: 0x08, bytes: u32(4294967295) }, '4294967295'],
    ['int64 beyond 2^53 (exact)', { type: 0x09, bytes: u64(2n ** 63n + 1n) }, '-9223372036854775807'],
    ['uint64 beyond 2^53 (exact)', { type: 0x0a, bytes: u64(18446744073709551615n) }, '18446744073709551615'],
    ['uint64 small', { type: 0x0a, bytes: u64(42n) }, '42'],
    ['real32 (shortest decimal)', { type: 0x0b, bytes: f32 }, '0.1'],
    ['real64', { type: 0x0c, bytes: f64 }, '-2.5e-7'],
    [
      'real64 NaN (as Windows writes it)',
      { type: 0x0c, bytes: new Uint8Array(new Float64Array([Number.NaN]).buffer) },
      '-1.#IND',
    ],
    ['bool true', { type: 0x0d, bytes: u32(1) }, 'true'],
    ['bool false', { type: 0x0d, bytes: u32(0) }, 'false'],
    ['binary (upper-case hex)', { type: 0x0e, bytes: bytes(0xd9, 0x06, 0x00, 0xab) }, 'D90600AB'],
    ['GUID (upper case, no braces)', { type: 0x0f, bytes: guid }, '5770385F-C22A-43E0-BF4C-06F5698FFBD9'],
    ['size_t 32-bit', { type: 0x10, bytes: u32(0x858) }, '0x858'],
    ['size_t 64-bit', { type: 0x10, bytes: u64(0x7ff6a0000000n) }, '0x7ff6a0000000'],
    ['FILETIME (microseconds)', { type: 0x11, bytes: u64(133000000001234567n) }, '2022-06-18T04:26:40.123456Z'],
    ['SYSTEMTIME', { type: 0x12, bytes: systemTime }, '2024-02-29T13:05:09.007000Z'],
    ['SID', { type: 0x13, bytes: sid }, 'S-1-5-21-1000-500-16-32'],
    ['hex int32', { type: 0x14, bytes: u32(0x3e7) }, '0x3e7'],
    ['hex int64', { type: 0x15, bytes: u64(0x8000000000000000n) }, '0x8000000000000000'],
    ['null', { type: 0x00, bytes: new Uint8Array(0) }, ''],
    ['empty string', { type: 0x01, bytes: new Uint8Array(0) }, ''],
    ['array of strings', { type: 0x81, bytes: new Uint8Array([...utf16z('a'), ...utf16z('bc')]) }, '["a","bc"]'],
    ['array of uint16', { type: 0x86, bytes: new Uint8Array([...u16(1), ...u16(2)]) }, '[1,2]'],
    ['array of hex int32', { type: 0x94, bytes: new Uint8Array([...u32(10), ...u32(255)]) }, '["0xa","0xff"]'],
    ['array of GUIDs', { type: 0x8f, bytes: guid }, '["5770385F-C22A-43E0-BF4C-06F5698FFBD9"]'],
    [
      'array of SIDs',
      { type: 0x93, bytes: new Uint8Array([...sid, ...sid]) },
      '["S-1-5-21-1000-500-16-32","S-1-5-21-1000-500-16-32"]',
    ],
    ['array of bool', { type: 0x8d, bytes: new Uint8Array([...u32(1), ...u32(0)]) }, '[true,false]'],
  ])('%s', (_name, value, expected) => {
    expect(fieldOf(value).Value).toBe(expected);
  });

  it.each<[string, Value, string]>([
    ['an int32 of 3 bytes', { type: 0x07, bytes: bytes(1, 2, 3) }, 'EVTX value size does not fit its type'],
    ['a GUID of 15 bytes', { type: 0x0f, bytes: new Uint8Array(15) }, 'EVTX value size does not fit its type'],
    [
      'a SID shorter than its count',
      { type: 0x13, bytes: bytes(1, 5, 0, 0, 0, 0, 0, 5, 21) },
      'EVTX SID value too short',
    ],
    ['an unknown type', { type: 0x1f, bytes: bytes(1) }, 'EVTX value type 0x1f unknown'],
    ['an array of binary', { type: 0x8e, bytes: bytes(1) }, 'EVTX value type 0x8e unknown'],
  ])('rejects the record holding %s', (_name, value, reason) => {
    const writer = new EvtxWriter();
    writer.record((w) => eventRecord(w, eventTemplate(['Value']), [...systemValues(1), value]));
    expect(readRecord(writer.file()).map((o) => (o.kind === 'rejected' ? o.reason : o.kind))).toEqual([reason]);
  });
});

describe('EVTX records as canonical events', () => {
  it('reads the System header fields and named EventData', () => {
    const writer = new EvtxWriter();
    writer.record((w) =>
      eventRecord(w, eventTemplate(['CommandLine', 'ProcessId']), [
        ...systemValues(4688, 77n, 'Security'),
        string('whoami /all'),
        { type: 0x14, bytes: u32(0x1a2b) },
      ]),
    );
    const outcomes = readRecord(writer.file());
    expect(outcomes).toEqual([
      {
        kind: 'event',
        event: {
          host: 'host-1',
          channel: 'Security',
          provider: 'Test-Provider',
          eventId: 4688,
          time: Date.UTC(2022, 5, 18, 4, 26, 40),
          recordId: 77,
          processId: 4242,
          format: 'evtx-json',
          data: { CommandLine: 'whoami /all', ProcessId: '0x1a2b' },
        },
        evtx: {
          chunks: 1,
          checksumFailed: 0,
          headerChecksumFailed: 0,
          recordsChecksumFailed: 0,
          underFailingFileHeader: 0,
        },
      },
    ]);
  });

  it('shares a template between records: inline in the first, by offset in the next', () => {
    const writer = new EvtxWriter();
    let template = 0;
    writer.record((w) => {
      template = eventRecord(w, eventTemplate(['A']), [...systemValues(1, 1n), string('one')]);
    });
    writer.record((w) => eventRecord(w, template, [...systemValues(2, 2n), string('two')]));
    const events = readRecord(writer.file()).map((o) => (o.kind === 'event' ? [o.event.eventId, o.event.data.A] : o));
    expect(events).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('reads records in every chunk', () => {
    const writer = new EvtxWriter();
    writer.record((w) => eventRecord(w, eventTemplate(['A']), [...systemValues(1, 1n), string('first chunk')]));
    writer.chunk();
    writer.record((w) => eventRecord(w, eventTemplate(['A']), [...systemValues(2, 2n), string('second chunk')]));
    expect(readRecord(writer.file()).map((o) => (o.kind === 'event' ? o.event.data.A : o))).toEqual([
      'first chunk',
      'second chunk',
    ]);
  });

  it('splices EventData given as Binary XML inside a substitution (a nested template instance)', () => {
    const inner = (w: XmlWriter) => {
      w.fragment();
      w.instance(
        (t) => {
          t.fragment();
          t.element('EventData', [], (d) => {
            d.element('Data', [['Name', (a) => a.text('TargetUserName')]], (v) => v.sub(0, 0x01));
            d.element('Data', [['Name', (a) => a.text('LogonType')]], (v) => v.sub(1, 0x08));
          });
          t.eof();
        },
        [string('alice'), { type: 0x08, bytes: u32(3) }],
      );
      w.eof();
    };
    const template = (w: XmlWriter) => {
      w.fragment();
      w.element('Event', [], (e) => {
        system(e);
        e.sub(8, 0x21);
      });
      w.eof();
    };
    const writer = new EvtxWriter();
    writer.record((w) => eventRecord(w, template, [...systemValues(4624), { type: 0x21, xml: inner }]));
    const [outcome] = readRecord(writer.file());
    expect(outcome?.kind === 'event' && outcome.event.data).toEqual({ TargetUserName: 'alice', LogonType: '3' });
  });

  it('names the children of an Event of System and Binary XML values as the general builder does, whatever they are', () => {
    const NULL: Value = { type: 0x00, bytes: new Uint8Array(0) };
    /** Binary XML of one instance per name, each `<name><Data Name="X">v-name</Data></name>`. */
    const roots = (...names: string[]): Value => ({
      type: 0x21,
      xml: (w) => {
        w.fragment();
        for (const name of names)
          w.instance(
            (t) => {
              t.fragment();
              t.element(name, [], (d) => d.element('Data', [['Name', (a) => a.text('X')]], (v) => v.sub(0, 0x01)));
              t.eof();
            },
            [string(`v-${name}`)],
          );
        w.eof();
      },
    });
    const lone = (name: [string, string] | undefined, text: string): Value => ({
      type: 0x21,
      xml: (w) => {
        w.fragment();
        w.instance(
          (t) => {
            t.fragment();
            t.element('Data', name === undefined ? [] : [[name[0], (a) => a.text(name[1])]], (d) => d.sub(0, 0x01));
            t.eof();
          },
          [string(text)],
        );
        w.eof();
      },
    });
    const loose: Value = {
      type: 0x21,
      xml: (w) => {
        w.fragment();
        w.element('Loose', [], (d) => d.text('t'));
        w.eof();
      },
    };
    const template = (w: XmlWriter) => {
      w.fragment();
      w.element('Event', [['xmlns', (a) => a.text('urn:x')]], (e) => {
        system(e);
        e.sub(8, 0x21, true);
        e.sub(9, 0x21, true);
      });
      w.eof();
    };
    const eventOf = (values: Value[]) => {
      const writer = new EvtxWriter();
      writer.record((w) => eventRecord(w, template, [...systemValues(1), ...values]));
      const [outcome] = readEvtx(writer.file());
      if (!outcome?.ok) throw new Error(`rejected: ${JSON.stringify(outcome)}`);
      const { System, ...rest } = outcome.document.Event as Record<string, unknown>;
      expect(System).toEqual(expect.objectContaining({ Channel: 'Application' }));
      return { keys: Object.keys(outcome.document.Event as object), rest, event: outcome.document.Event as object };
    };
    const x = (name: string) => ({ X: `v-${name}` });
    const cases: Array<[Value[], string[], Record<string, unknown>]> = [
      [[roots('EventData'), NULL], ['EventData'], { EventData: x('EventData') }],
      [
        [roots('EventData', 'UserData'), NULL],
        ['EventData', 'UserData'],
        { EventData: x('EventData'), UserData: x('UserData') },
      ],
      [
        [roots('EventData'), roots('UserData')],
        ['EventData', 'UserData'],
        { EventData: x('EventData'), UserData: x('UserData') },
      ],
      [[roots('System'), NULL], ['System_1'], { System_1: x('System') }],
      [
        [roots('EventData'), roots('EventData')],
        ['EventData', 'EventData_1'],
        { EventData: x('EventData'), EventData_1: x('EventData') },
      ],
      [[roots('#attributes'), NULL], ['#attributes_1'], { '#attributes_1': x('#attributes') }],
      [[roots('#text'), NULL], ['#text'], { '#text': x('#text') }],
      [[lone(undefined, 'one'), lone(undefined, 'two')], ['Data'], { Data: { '#text': ['one', 'two'] } }],
      [[lone(['Name', 'Field'], 'named'), NULL], ['Field'], { Field: 'named' }],
      [[loose, NULL], ['Loose'], { Loose: 't' }],
      [[string('plain'), NULL], ['#text'], { '#text': 'plain' }],
      [[NULL, NULL], [], {}],
      [
        [roots('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'), NULL],
        [...'ABCDEFGH'],
        Object.fromEntries([...'ABCDEFGH'].map((n) => [n, x(n)])),
      ],
    ];
    for (const [values, keys, rest] of cases) {
      const got = eventOf(values);
      expect(got.keys).toEqual(['#attributes', 'System', ...keys]);
      expect(got.rest).toEqual({ '#attributes': { xmlns: 'urn:x' }, ...rest });
    }
    const proto = eventOf([roots('__proto__'), NULL]);
    expect(proto.keys).toEqual(['#attributes', 'System', '__proto__']);
    // A plain own key, as setKey sets it: the Event keeps Object.prototype.
    expect(Object.getOwnPropertyDescriptor(proto.event, '__proto__')?.value).toEqual(x('__proto__'));
    expect(Object.getPrototypeOf(proto.event)).toBe(Object.prototype);
  });

  it('sets each GUID, time, SID and hex value of an instance, around a nested instance and after a damaged record', () => {
    const guid = (n: number) => ({ type: 0x0f, bytes: new Uint8Array(16).fill(n) });
    const sid = bytes(1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0);
    // The inner instance has texts of its own, read while the outer instance's are pending.
    const inner = (w: XmlWriter) => {
      w.fragment();
      w.instance(
        (t) => {
          t.fragment();
          t.element('EventData', [], (d) => {
            d.element('Data', [['Name', (a) => a.text('InnerGuid')]], (v) => v.sub(0, 0x0f));
            d.element('Data', [['Name', (a) => a.text('InnerHex')]], (v) => v.sub(1, 0x14));
          });
          t.eof();
        },
        [guid(0x22), { type: 0x14, bytes: u32(0xbeef) }],
      );
      w.eof();
    };
    const template = (w: XmlWriter) => {
      w.fragment();
      w.element('Event', [], (e) => {
        system(e);
        e.element('Extra', [['Guid', (a) => a.sub(8, 0x0f)]], (x) => {
          x.element('Sid', [], (v) => v.sub(9, 0x13));
          x.element('Hex', [], (v) => v.sub(11, 0x15));
        });
        e.sub(10, 0x21);
      });
      w.eof();
    };
    const values = (recordId: bigint, xml: Value): Value[] => [
      ...systemValues(1, recordId),
      guid(0x11),
      { type: 0x13, bytes: sid },
      xml,
      { type: 0x15, bytes: u64(0x123456789an) },
    ];
    const writer = new EvtxWriter();
    // In each of 3 chunks: a record, 100 whose nested Binary XML is cut short (rejected, each failing with its
    // texts pending), a record again.
    const expected: Array<true | string> = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      if (chunk > 0) writer.chunk();
      let offset = 0;
      writer.record((w) => {
        offset = eventRecord(w, template, values(1n, { type: 0x21, xml: inner }));
      });
      for (let i = 0; i < 100; i++) {
        writer.record((w) => eventRecord(w, offset, values(2n, { type: 0x21, bytes: bytes(0x0f, 1, 1, 0, 0x0c, 1) })));
      }
      writer.record((w) => eventRecord(w, offset, values(3n, { type: 0x21, xml: inner })));
      expected.push(true, ...new Array<string>(100).fill('EVTX Binary XML truncated'), true);
    }
    const outcomes = readEvtx(writer.file());
    expect(outcomes.map((o) => (o.ok ? true : o.reason))).toEqual(expected);
    for (const outcome of outcomes.filter((o) => o.ok)) {
      const event = (outcome?.ok && outcome.document.Event) as Record<string, unknown>;
      expect(event.Extra).toEqual({
        '#attributes': { Guid: '11111111-1111-1111-1111-111111111111' },
        Sid: 'S-1-5-18',
        Hex: '0x123456789a',
      });
      expect(event.EventData).toEqual({ InnerGuid: '22222222-2222-2222-2222-222222222222', InnerHex: '0xbeef' });
      expect((event.System as Record<string, unknown>).TimeCreated).toEqual({
        '#attributes': { SystemTime: '2022-06-18T04:26:40.000000Z' },
      });
    }
  });

  it('reads UserData (one element of named fields)', () => {
    const template = (w: XmlWriter) => {
      w.fragment();
      w.element('Event', [], (e) => {
        system(e);
        e.element('UserData', [], (u) =>
          u.element(
            'LogFileCleared',
            [['xmlns', (a) => a.text('http://manifests.microsoft.com/win/2004/08/windows/eventlog')]],
            (l) => {
              l.element('SubjectUserName', [], (v) => v.sub(8, 0x01));
              l.element('SubjectLogonId', [], (v) => v.sub(9, 0x14));
            },
          ),
        );
      });
      w.eof();
    };
    const writer = new EvtxWriter();
    writer.record((w) =>
      eventRecord(w, template, [...systemValues(1102), string('bob'), { type: 0x14, bytes: u32(0x3e7) }]),
    );
    const [outcome] = readRecord(writer.file());
    expect(outcome?.kind === 'event' && outcome.event.data).toEqual({
      SubjectUserName: 'bob',
      SubjectLogonId: '0x3e7',
    });
  });
});

describe('EVTX Binary XML tokens, rendered as evtx_dump does', () => {
  it('joins value text, character and entity references and CDATA; skips processing instructions', () => {
    const document = documentOf((w) => {
      w.fragment();
      w.pi('xml-stylesheet', 'href="a.xsl"');
      w.element('Event', [], (e) =>
        e.element('Text', [], (t) => {
          t.text('a', true);
          t.charRef(0x3c);
          t.entityRef('amp');
          t.entityRef('unknown');
          t.cdata('<b>');
          t.text('c');
        }),
      );
      w.eof();
    });
    expect(document).toEqual({ Event: { Text: 'a<&&unknown;<b>c' } });
  });

  it('writes attributes under #attributes, with text under #text, and an empty element as null', () => {
    const document = documentOf((w) => {
      w.fragment();
      w.element('Event', [['xmlns', (a) => a.text('urn:x')]], (e) => {
        e.element('EventID', [['Qualifiers', (a) => a.text('16384')]], (v) => v.text('7036'));
        e.element('Security', []);
        e.element('Empty', [], () => {});
      });
      w.eof();
    });
    expect(document).toEqual({
      Event: {
        '#attributes': { xmlns: 'urn:x' },
        EventID: { '#attributes': { Qualifiers: '16384' }, '#text': '7036' },
        Security: null,
        Empty: null,
      },
    });
  });

  it('leaves out attributes substituted by NULL, numbers repeated names, gathers unnamed Data', () => {
    const writer = new EvtxWriter();
    writer.record((w) =>
      eventRecord(
        w,
        (t) => {
          t.fragment();
          t.element('Event', [], (e) => {
            e.element('Correlation', [['ActivityID', (a) => a.sub(0, 0x0f, true)]]);
            e.element('Header', [], (v) => v.text('one'));
            e.element('Header', [], (v) => v.text('two'));
            e.element('EventData', [], (d) => {
              d.element('Data', [], (v) => v.sub(1, 0x01));
              d.element('Data', [], (v) => v.sub(2, 0x08));
              d.element('Binary', [], (v) => v.sub(3, 0x0e));
            });
          });
          t.eof();
        },
        [
          { type: 0x00, bytes: new Uint8Array(0) },
          string('SessionEnv'),
          { type: 0x08, bytes: u32(5) },
          { type: 0x0e, bytes: bytes(0xd9, 6, 0, 0) },
        ],
      ),
    );
    const [outcome] = readEvtx(writer.file());
    expect(outcome?.ok && outcome.document).toEqual({
      Event: {
        Correlation: null,
        Header: 'one',
        Header_1: 'two',
        EventData: { Data: { '#text': ['SessionEnv', 5] }, Binary: 'D9060000' },
      },
    });
  });

  it('keeps an element named __proto__ as a plain key', () => {
    const document = documentOf((w) => {
      w.fragment();
      w.element('Event', [], (e) => e.element('__proto__', [], (v) => v.text('x')));
      w.eof();
    });
    expect(Object.keys(document.Event as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(document.Event)).toBe(Object.prototype);
  });
});

describe('EVTX templates shared across chunks and files', () => {
  /**
   * A file of two records: the first's template names an element `first` (inline); the second's template, the
   * same bytes whatever `first` is, names its element by the offset of that name (a name read from elsewhere in
   * the chunk, as Windows writes names it has written before).
   */
  function fileNaming(first: string, references = 1): Uint8Array {
    const writer = new EvtxWriter();
    let nameOffset = 0;
    writer.record((w) =>
      eventRecord(
        w,
        (t) => {
          t.fragment();
          t.element('Event', [], (e) => {
            // element token, dependency id, data size, name offset: then the name itself
            nameOffset = e.pos + 1 + 2 + 4 + 4;
            e.element(first, []);
          });
          t.eof();
        },
        [],
      ),
    );
    writer.record((w) =>
      eventRecord(
        w,
        (t) => {
          t.fragment();
          t.element('Event', [], (e) => {
            for (let i = 0; i < references; i++) {
              e.u8(0x01);
              e.u16(0xffff);
              e.u32(0);
              e.nameAt(nameOffset);
              e.u8(0x03);
            }
          });
          t.eof();
        },
        [],
      ),
    );
    return writer.file();
  }

  const documents = (file: Uint8Array) => readEvtx(file).map((outcome) => (outcome.ok ? outcome.document : outcome));

  it('reads a name a shared template refers to from each chunk, not from the first chunk it was seen in', () => {
    expect(documents(fileNaming('Alpha'))).toEqual([{ Event: { Alpha: null } }, { Event: { Alpha: null } }]);
    expect(documents(fileNaming('Bravo'))).toEqual([{ Event: { Bravo: null } }, { Event: { Bravo: null } }]);
    expect(documents(fileNaming('Alpha'))).toEqual([{ Event: { Alpha: null } }, { Event: { Alpha: null } }]);
  });

  it('checks each name a shared template refers to, once or more, whatever its length', () => {
    const twice = (name: string) => ({ Event: { [name]: null, [`${name}_1`]: null } });
    expect(documents(fileNaming('Alpha', 2))).toEqual([{ Event: { Alpha: null } }, twice('Alpha')]);
    expect(documents(fileNaming('Alphabet', 2))).toEqual([{ Event: { Alphabet: null } }, twice('Alphabet')]);
    expect(documents(fileNaming('Alphb', 2))).toEqual([{ Event: { Alphb: null } }, twice('Alphb')]);
    expect(documents(fileNaming('Alpha', 2))).toEqual([{ Event: { Alpha: null } }, twice('Alpha')]);
  });

  it('parses a definition that differs by one byte at the same offset anew', () => {
    const file = (name: string, value: Value) => {
      const writer = new EvtxWriter();
      writer.record((w) => eventRecord(w, eventTemplate([name]), [...systemValues(1), value]));
      return readRecord(writer.file());
    };
    const [one] = file('FieldA', string('x'));
    const [other] = file('FieldB', string('y'));
    const [again] = file('FieldA', string('z'));
    expect(one?.kind === 'event' && one.event.data).toMatchObject({ FieldA: 'x' });
    expect(other?.kind === 'event' && other.event.data).toMatchObject({ FieldB: 'y' });
    expect(other?.kind === 'event' && other.event.data.FieldA).toBeUndefined();
    expect(again?.kind === 'event' && again.event.data).toMatchObject({ FieldA: 'z' });
  });
});
