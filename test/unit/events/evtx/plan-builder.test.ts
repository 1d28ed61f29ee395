/**
 * The compiled template builder (plan-builder.ts): the same JSON as the interpreter, hostile names kept as plain
 * text (never code, never a prototype), and every case whose shape depends on NULL values handed back to the
 * interpreter.
 */
import { readEvtx } from '../../../../src/events/evtx/index.js';
import { compilePlanBuilder, type PlanNode } from '../../../../src/events/evtx/plan-builder.js';
import {
  EvtxWriter,
  eventRecord,
  string,
  system,
  systemValues,
  u32,
  type Value,
  type XmlWriter,
} from './evtx-writer.js';

/** Names and texts that would break generated code if pasted into it unquoted. */
const HOSTILE = [
  'constructor',
  'toString',
  'has"quote',
  'back\\slash',
  '</x>',
  'line\u2028sep\u2029',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as a name, on purpose
  '${x}`',
  '*/)}];',
  "it's",
  '\ud800lone',
];

const leaf = (index: number): PlanNode => ({
  attributes: [],
  text: [index],
  children: undefined,
  isNamedData: false,
  leaf: index,
});

const node = (over: Partial<PlanNode>): PlanNode => ({
  attributes: [],
  text: [],
  children: undefined,
  isNamedData: false,
  leaf: -1,
  ...over,
});

function compiled(root: PlanNode) {
  const calls: PlanNode[] = [];
  const build = compilePlanBuilder(
    root,
    (plan, values, depth) => {
      calls.push(plan);
      return { interpreted: depth, values: values.length };
    },
    (parts, values) => parts.map((part) => (typeof part === 'string' ? part : String(values[part]))).join(''),
    64,
  );
  return { build, calls };
}

describe('compilePlanBuilder', () => {
  it('keeps hostile names and literal texts as they are, as own keys of plain objects', () => {
    const root = node({
      attributes: HOSTILE.map((name) => ({ name, literal: `${name}!`, sub: -1, parts: undefined })),
      children: HOSTILE.map((key, i) => ({ key, element: leaf(i), grouped: false })),
    });
    const { build, calls } = compiled(root);
    const values = HOSTILE.map((name) => `value of ${name}`);
    const json = build(values, 1) as Record<string, unknown>;
    expect(calls).toEqual([]);
    expect(Object.keys(json)).toEqual(['#attributes', ...HOSTILE]);
    expect(json['#attributes']).toEqual(Object.fromEntries(HOSTILE.map((name) => [name, `${name}!`])));
    for (const [i, key] of HOSTILE.entries()) expect(Object.getOwnPropertyDescriptor(json, key)?.value).toBe(values[i]);
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(json['#attributes'])).toBe(Object.prototype);
  });

  it.each(['__proto__', '#text', '#attributes'])('hands an element with a child keyed %s to the interpreter', (key) => {
    const inner = node({ children: [{ key, element: leaf(0), grouped: false }] });
    const root = node({ children: [{ key: 'Inner', element: inner, grouped: false }] });
    const { build, calls } = compiled(root);
    const json = build(['x'], 1) as Record<string, unknown>;
    expect(calls).toEqual([inner]);
    expect(json).toEqual({ Inner: { interpreted: 2, values: 1 } });
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).Inner).toBeUndefined();
  });

  it('hands an attribute named __proto__ to the interpreter', () => {
    const root = node({ attributes: [{ name: '__proto__', literal: undefined, sub: 0, parts: undefined }] });
    const { build, calls } = compiled(root);
    expect(build(['x'], 1)).toEqual({ interpreted: 1, values: 1 });
    expect(calls).toEqual([root]);
  });

  it('writes out every combination of NULL attributes and text of an element without children', () => {
    const eventId = node({
      attributes: [{ name: 'Qualifiers', literal: undefined, sub: 1, parts: undefined }],
      text: [0],
    });
    const root = node({ children: [{ key: 'EventID', element: eventId, grouped: false }] });
    const { build, calls } = compiled(root);
    expect(build([4624, 16384], 1)).toEqual({ EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 4624 } });
    expect(build([4624, null], 1)).toEqual({ EventID: 4624 });
    expect(build([null, 16384], 1)).toEqual({ EventID: { '#attributes': { Qualifiers: 16384 } } });
    expect(build([null, null], 1)).toEqual({ EventID: null });
    expect(calls).toEqual([]);
  });

  it('keeps literal attributes in every combination, in their order', () => {
    const attribute = (name: string, sub: number, literal?: string) => ({ name, literal, sub, parts: undefined });
    const element = node({ attributes: [attribute('A', 0), attribute('L', -1, 'lit'), attribute('B', 1)] });
    const { build, calls } = compiled(node({ children: [{ key: 'E', element, grouped: false }] }));
    expect(build(['a', 'b'], 1)).toEqual({ E: { '#attributes': { A: 'a', L: 'lit', B: 'b' } } });
    expect(Object.keys((build(['a', 'b'], 1) as { E: { '#attributes': object } }).E['#attributes'])).toEqual([
      'A',
      'L',
      'B',
    ]);
    expect(build([null, 'b'], 1)).toEqual({ E: { '#attributes': { L: 'lit', B: 'b' } } });
    expect(build([null, null], 1)).toEqual({ E: { '#attributes': { L: 'lit' } } });
    expect(calls).toEqual([]);
  });

  it('hands an element with more NULL-able attributes than it writes out, or a child with a NULL text, to the interpreter', () => {
    const attributes = [0, 1, 2, 3].map((sub) => ({ name: `A${sub}`, literal: undefined, sub, parts: undefined }));
    const wide = node({ attributes });
    const withText = node({ text: [4], children: [{ key: 'C', element: leaf(0), grouped: false }] });
    const root = node({
      children: [
        { key: 'Wide', element: wide, grouped: false },
        { key: 'WithText', element: withText, grouped: false },
      ],
    });
    const { build, calls } = compiled(root);
    expect(build(['a', 'b', 'c', 'd', 'e'], 1)).toEqual({
      Wide: { '#attributes': { A0: 'a', A1: 'b', A2: 'c', A3: 'd' } },
      WithText: { C: 'a', '#text': 'e' },
    });
    expect(calls).toEqual([]);
    expect(build(['a', null, 'c', 'd', null], 1)).toEqual({
      Wide: { interpreted: 2, values: 5 },
      WithText: { interpreted: 2, values: 5 },
    });
    expect(calls).toEqual([wide, withText]);
  });

  it('gathers grouped Data at the first one, a NULL as an empty string, one alone as no list', () => {
    const grouped = (n: number) =>
      node({
        children: [
          { key: 'A', element: leaf(0), grouped: false },
          ...Array.from({ length: n }, (_, i) => ({ key: i === 0 ? 'Data' : '', element: leaf(i + 1), grouped: true })),
          { key: 'B', element: leaf(0), grouped: false },
        ],
      });
    expect(compiled(grouped(2)).build(['a', 'x', null], 1)).toEqual({ A: 'a', Data: { '#text': ['x', ''] }, B: 'a' });
    expect(Object.keys(compiled(grouped(2)).build(['a', 'x', 'y'], 1) as object)).toEqual(['A', 'Data', 'B']);
    expect(compiled(grouped(1)).build(['a', null], 1)).toEqual({ A: 'a', Data: { '#text': '' }, B: 'a' });
  });

  it('hands the whole instance to the interpreter when a value is missing or the nesting is too deep', () => {
    const root = node({ children: [{ key: 'A', element: leaf(3), grouped: false }] });
    const { build, calls } = compiled(root);
    expect(build(['a', 'b', 'c'], 1)).toEqual({ interpreted: 1, values: 3 });
    expect(build(['a', 'b', 'c', 'd'], 64)).toEqual({ A: 'd' });
    const nested = node({ children: [{ key: 'A', element: root, grouped: false }] });
    const deep = compiled(nested);
    expect(deep.build(['a', 'b', 'c', 'd'], 63)).toEqual({ A: { A: 'd' } });
    expect(deep.build(['a', 'b', 'c', 'd'], 64)).toEqual({ interpreted: 64, values: 4 });
    expect(calls).toEqual([root]);
  });
});

describe('compiled templates in EVTX records', () => {
  /** A template naming elements, attributes and Data fields with every hostile name, and literal hostile texts. */
  function hostileTemplate(names: readonly string[]): (w: XmlWriter) => void {
    return (t) => {
      t.fragment();
      t.element('Event', [], (e) => {
        e.element(
          'System',
          names.map((name, i): [string, (w: XmlWriter) => void] => [name, (a) => a.sub(i, 0x01)]),
          (s) => {
            for (const name of names) s.element(name, [['Literal', (a) => a.text(name)]], (v) => v.text(name));
          },
        );
        e.element('EventData', [], (d) => {
          names.forEach((name, i) => {
            d.element('Data', [['Name', (a) => a.text(name)]], (v) => v.sub(names.length + i, 0x01, true));
          });
        });
      });
      t.eof();
    };
  }

  it.each<[string, readonly string[]]>([
    ['hostile names (compiled)', HOSTILE.filter((name) => !name.includes('\ud800'))],
    ['__proto__ among them (interpreted)', ['__proto__', 'constructor', '</x>']],
  ])('gives the same document on first use and once compiled: %s', (_, names) => {
    const writer = new EvtxWriter();
    let template = 0;
    // Records 1 and 3 have NULL data: no key differs, each value does.
    const values = (record: number): Value[] => [
      ...names.map((name) => string(`${name}=${record % 2}`)),
      ...names.map((name) => (record % 2 === 1 ? { type: 0x00, bytes: new Uint8Array(0) } : string(`data ${name}.`))),
    ];
    for (let record = 0; record < 4; record++) {
      writer.record((w) => {
        const offset = eventRecord(w, record === 0 ? hostileTemplate(names) : template, values(record));
        if (record === 0) template = offset;
      });
    }
    const documents = readEvtx(writer.file()).map((outcome) => (outcome.ok ? outcome.document : outcome.reason));
    const expected = {
      Event: {
        System: {
          '#attributes': Object.fromEntries(names.map((name) => [name, `${name}=0`])),
          ...Object.fromEntries(names.map((name) => [name, { '#attributes': { Literal: name }, '#text': name }])),
        },
        EventData: Object.fromEntries(names.map((name) => [name, `data ${name}.`])),
      },
    };
    expect(documents).toHaveLength(4);
    expect(documents[0]).toEqual(expected);
    expect(documents[2]).toEqual(expected);
    expect(JSON.stringify(documents[2])).toBe(JSON.stringify(documents[0]));
    expect(JSON.stringify(documents[3])).toBe(JSON.stringify(documents[1]));
    for (const document of documents) {
      const system = (document as { Event: { System: object; EventData: object } }).Event.System;
      expect(Object.keys(system)).toEqual(['#attributes', ...names]);
      expect(Object.keys((document as { Event: { EventData: object } }).Event.EventData)).toEqual(names);
      expect(Object.getPrototypeOf(system)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>).Literal).toBeUndefined();
  });
});

describe('compiled elements beside Binary XML values', () => {
  /** EventData as Binary XML holding its own template instance (as Windows writes most events). */
  const eventData = (user: string): Value => ({
    type: 0x21,
    xml: (w) => {
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
        [string(user), { type: 0x08, bytes: u32(3) }],
      );
      w.eof();
    },
  });
  /** A System value (the computer) given as Binary XML: an element in place of the text. */
  const computerXml: Value = {
    type: 0x21,
    xml: (w) => {
      w.fragment();
      w.element('Host', [], (h) => h.text('spliced'));
      w.eof();
    },
  };

  it('gives the interpreter documents for every record, whichever values are Binary XML', () => {
    const writer = new EvtxWriter();
    let template = 0;
    const records: Value[][] = [];
    for (let record = 0; record < 6; record++) {
      const values = [...systemValues(4624, BigInt(record + 1)), eventData(`user${record}`)];
      if (record === 4) values[6] = computerXml;
      records.push(values);
      writer.record((w) => {
        const offset = eventRecord(
          w,
          record === 0
            ? (t) => {
                t.fragment();
                t.element('Event', [], (e) => {
                  system(e);
                  e.sub(8, 0x21);
                });
                t.eof();
              }
            : template,
          values,
        );
        if (record === 0) template = offset;
      });
    }
    const documents = readEvtx(writer.file()).map((outcome) => (outcome.ok ? outcome.document : outcome.reason));
    const expected = (record: number, computer: unknown) => ({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Test-Provider' } },
          EventID: 4624,
          TimeCreated: { '#attributes': { SystemTime: '2022-06-18T04:26:40.000000Z' } },
          EventRecordID: record + 1,
          Execution: { '#attributes': { ProcessID: 4242 } },
          Channel: 'Application',
          Computer: computer,
        },
        EventData: { TargetUserName: `user${record}`, LogonType: 3 },
      },
    });
    expect(documents).toEqual([
      expected(0, 'host-1'),
      expected(1, 'host-1'),
      expected(2, 'host-1'),
      expected(3, 'host-1'),
      expected(4, { Host: 'spliced' }),
      expected(5, 'host-1'),
    ]);
    for (const document of documents) {
      expect(Object.keys((document as { Event: { System: object } }).Event.System)).toEqual([
        'Provider',
        'EventID',
        'TimeCreated',
        'EventRecordID',
        'Execution',
        'Channel',
        'Computer',
      ]);
    }
  });
});

describe('value lists reused between records', () => {
  it('rejects an instance with fewer values than its template reads, after one that had them all', () => {
    const writer = new EvtxWriter();
    let template = 0;
    const names = ['A', 'B', 'C'];
    const full = [...systemValues(1), string('a'), string('b'), string('c')];
    for (const [record, values] of [full, full, full.slice(0, 9), full, full.slice(0, 8)].entries()) {
      writer.record((w) => {
        const offset = eventRecord(
          w,
          record === 0
            ? (t) => {
                t.fragment();
                t.element('Event', [], (e) => {
                  system(e);
                  e.element('EventData', [], (d) => {
                    names.forEach((name, i) => {
                      d.element('Data', [['Name', (a) => a.text(name)]], (v) => v.sub(8 + i, 0x01));
                    });
                  });
                });
                t.eof();
              }
            : template,
          values,
        );
        if (record === 0) template = offset;
      });
    }
    const outcomes = readEvtx(writer.file()).map((outcome) =>
      outcome.ok ? (outcome.document as { Event: { EventData: unknown } }).Event.EventData : outcome.reason,
    );
    expect(outcomes).toEqual([
      { A: 'a', B: 'b', C: 'c' },
      { A: 'a', B: 'b', C: 'c' },
      'EVTX substitution without a value',
      { A: 'a', B: 'b', C: 'c' },
      'EVTX substitution without a value',
    ]);
  });
});
