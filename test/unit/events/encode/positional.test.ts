import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';
import { encodeEvent } from '../../../../src/events/encode/index.js';
import { positionalValues } from '../../../../src/events/encode/positional.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { manifestVersions } from '../../../../src/events/schemas.js';

const AUDITING = 'Microsoft-Windows-Security-Auditing';
const V2 = manifestVersions(AUDITING, 'Security', 4688)?.[2] ?? [];

/** A Security 4688 event with the given fields (values: the field name in lower case). */
function security4688(names: readonly string[]): CanonicalEvent {
  const data: Record<string, string> = {};
  for (const name of names) data[name] = name.toLowerCase();
  return {
    host: 'dc01.example.com',
    channel: 'Security',
    provider: AUDITING,
    eventId: 4688,
    time: Date.UTC(2021, 0, 2, 3, 4, 5, 6),
    recordId: 77,
    format: 'evtx-json',
    data,
  };
}

describe('positionalValues', () => {
  it('writes a version 2 event in template order, whatever the order of its fields', () => {
    // Prepare
    const event = security4688([...V2].reverse());
    // Act
    const withVersion = positionalValues(event, true);
    const byCount = positionalValues(event, false);
    // Assess
    expect(V2.length).toBe(15);
    expect(withVersion).toEqual({ values: V2.map((n) => n.toLowerCase()), version: 2 });
    expect(byCount).toEqual({ values: V2.map((n) => n.toLowerCase()) });
  });

  it.each<[string, readonly string[]]>([
    ['a field the template does not have', [...V2, 'Extra']],
    ['a template field missing in the middle', V2.filter((n) => n !== 'NewProcessId')],
    ['no fields', []],
  ])('sends a map for %s', (_name, names) => {
    expect(positionalValues(security4688(names), true)).toBeUndefined();
  });

  it('sends a map for an event no schema describes', () => {
    expect(positionalValues({ ...security4688(['A']), eventId: 4689 }, true)).toBeUndefined();
  });

  it.each(['kinesis-agent', 'fluent-bit'] as const)(
    'round-trips a positional Security 4688 v1 through %s',
    (format) => {
      // Prepare: version 1 (9 fields) is the only template of that length, so Kinesis Agent names it by count
      const v1 = manifestVersions(AUDITING, 'Security', 4688)?.[1] ?? [];
      const event = security4688(v1);
      // Act
      const text = encodeEvent(event, format);
      const outcomes = readRecord(new TextEncoder().encode(text));
      // Assess
      const document = JSON.parse(text) as Record<string, unknown>;
      expect(Array.isArray(format === 'kinesis-agent' ? document.EventData : document.StringInserts)).toBe(true);
      if (format === 'fluent-bit') expect(document.Version).toBe(1);
      expect(outcomes).toEqual([{ kind: 'event', event: { ...event, format } }]);
    },
  );
});
