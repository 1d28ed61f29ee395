import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';
import { encodeSysmonModule } from '../../../../src/events/encode/ecs-sysmon.js';
import { dnsEventPatterns } from '../../../../src/events/formats/dns-filter.js';
import {
  DNS_ANSWER_EVENTS,
  DnsFilterOverflowError,
  type DnsFilterPattern,
  dnsFilterPatterns,
  FORMATS,
  MAX_EVENT_SOURCE_FILTERS,
  mergeFilterPatterns,
  registryDnsFilterPatterns,
} from '../../../../src/events/formats/index.js';
import { passesFilters } from '../../../helpers/lambda-filter.js';
import { expectedSysmon3 } from '../factories.js';

const root = path.resolve(process.cwd(), 'events');
const PATTERNS = registryDnsFilterPatterns();

const base = { host: 'WORKSTATION5', time: Date.UTC(2020, 9, 22, 5, 54, 21, 520), format: 'nxlog' as const };
const EVENTS: Array<[string, CanonicalEvent, boolean]> = [
  [
    'Sysmon 22',
    {
      ...base,
      channel: 'Microsoft-Windows-Sysmon/Operational',
      provider: 'Microsoft-Windows-Sysmon',
      eventId: 22,
      data: { QueryName: 'example.org', QueryStatus: '0', QueryResults: '::ffff:192.0.2.1;', Image: 'C:\\a.exe' },
    },
    true,
  ],
  [
    'DNS-Client 3008',
    {
      ...base,
      channel: 'Microsoft-Windows-DNS-Client/Operational',
      provider: 'Microsoft-Windows-DNS-Client',
      eventId: 3008,
      processId: 4,
      data: { QueryName: 'example.org', QueryType: '1', QueryOptions: '0', QueryStatus: '0', QueryResults: '' },
    },
    true,
  ],
  ['Sysmon 3', { ...expectedSysmon3(), format: 'nxlog' }, false],
  [
    'Security 4624',
    {
      ...base,
      channel: 'Security',
      provider: 'Microsoft-Windows-Security-Auditing',
      eventId: 4624,
      data: { TargetUserName: 'alice', LogonType: '3' },
    },
    false,
  ],
  [
    'DNS-Client 3006 (the query, not the answer)',
    {
      ...base,
      channel: 'Microsoft-Windows-DNS-Client/Operational',
      provider: 'Microsoft-Windows-DNS-Client',
      eventId: 3006,
      data: { QueryName: 'example.org' },
    },
    false,
  ],
];

describe('DNS event-source filter derived from the format registry', () => {
  const cases = FORMATS.flatMap((format) =>
    EVENTS.map(([name, event, dns]) => [format.format, name, event, dns] as const),
  );

  it.each(cases)('%s: %s passes the filter only if it is a DNS answer', (format, _name, event, dns) => {
    // Prepare
    const text = FORMATS.find((f) => f.format === format)?.encode(event) ?? '';
    // Act
    const passes = passesFilters(PATTERNS, text);
    // Assess: XML is never a JSON object, so it is dropped (docs/operations.md says so).
    expect(passes).toBe(dns && format !== 'xml');
  });

  it.each(EVENTS)('the Winlogbeat 6 form: %s', (_name, event, dns) => {
    const document = JSON.parse(readFileSync(path.join(root, 'winlogbeat/sysmon3-winlogbeat6.json'), 'utf8'));
    expect(passesFilters(PATTERNS, JSON.stringify({ ...document, event_id: event.eventId }))).toBe(dns);
  });

  it.each(EVENTS)('Elastic Agent with the Sysmon module applied: %s', (_name, event, dns) => {
    const text = encodeSysmonModule(event, { shipper: 'elastic-agent', message: false });
    expect(passesFilters(PATTERNS, text)).toBe(dns);
  });

  it.each([
    ['scenario/sysmon22-raw-githubusercontent.json', true],
    ['seed/03-dnsclient-3008-sls.json', true],
    ['seed/04-dnsclient-3008-rawsec.json', true],
    ['seed/01-sysmon3-ptr-name.json', false],
    ['nxlog/sysmon3-powershell.json', false],
    ['evtx-json/sysmon3-evtx-dump.json', false],
    ['kinesis-agent/sysmon3-powershell.json', false],
    ['fluent-bit/sysmon3-string-inserts.json', false],
    ['winlogbeat/sysmon3-powershell.json', false],
  ])('events/%s passes: %s', (file, dns) => {
    expect(passesFilters(PATTERNS, readFileSync(path.join(root, file)))).toBe(dns);
  });

  it('fits in the filters one event source allows, and every format with a JSON shape contributes', () => {
    expect(PATTERNS.length).toBeLessThanOrEqual(MAX_EVENT_SOURCE_FILTERS);
    const sysmon22 = EVENTS[0]?.[1] as CanonicalEvent;
    let checked = 0;
    for (const format of FORMATS) {
      // A format has a JSON shape when its own encoder writes a JSON object; then it must bring patterns.
      let json = false;
      try {
        json = typeof JSON.parse(format.encode(sysmon22)) === 'object';
      } catch {
        json = false;
      }
      expect([format.format, format.dnsFilter.length > 0]).toEqual([format.format, json]);
      for (const own of format.dnsFilter) {
        // Each of a format's own patterns is covered by one merged pattern (checked on a document it selects).
        expect(PATTERNS.some((pattern) => covers(pattern, own))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('accepts the event ID as a number and as a string', () => {
    expect(passesFilters(PATTERNS, '{"EventID": "22"}')).toBe(true);
    expect(passesFilters(PATTERNS, '{"EventID": 3008}')).toBe(true);
    expect(passesFilters(PATTERNS, '{"EventID": "22 "}')).toBe(false);
  });
});

/** Every value the narrower pattern accepts at each leaf is accepted by the wider one, over the same fields. */
function covers(wide: DnsFilterPattern, narrow: DnsFilterPattern): boolean {
  const leaves = (node: unknown, prefix = ''): Map<string, unknown[]> => {
    const out = new Map<string, unknown[]>();
    for (const [key, child] of Object.entries(node as object)) {
      if (Array.isArray(child)) out.set(prefix + key, child);
      else for (const [k, v] of leaves(child, `${prefix}${key}.`)) out.set(k, v);
    }
    return out;
  };
  const w = leaves(wide.data);
  const n = leaves(narrow.data);
  if (w.size !== n.size) return false;
  for (const [key, values] of n) if (!values.every((value) => w.get(key)?.includes(value))) return false;
  return true;
}

describe('mergeFilterPatterns', () => {
  const p = (data: DnsFilterPattern['data']): DnsFilterPattern => ({ data });

  it('merges patterns over the same field by OR-ing their values, and drops duplicates', () => {
    expect(mergeFilterPatterns([p({ a: [1] }), p({ a: [2] }), p({ a: [1] })])).toEqual([p({ a: [1, 2] })]);
  });

  it('merges patterns that differ in one of several fields', () => {
    expect(mergeFilterPatterns([p({ a: [1], b: { c: ['x'] } }), p({ a: [1], b: { c: ['y'] } })])).toEqual([
      p({ a: [1], b: { c: ['x', 'y'] } }),
    ]);
  });

  it('never merges patterns that differ in two fields (that would select pairs neither selected)', () => {
    const patterns = [p({ a: [1], b: ['x'] }), p({ a: [2], b: ['y'] })];
    expect(mergeFilterPatterns(patterns)).toEqual(patterns);
    expect(passesFilters(mergeFilterPatterns(patterns), '{"a": 1, "b": "y"}')).toBe(false);
  });

  it('never merges patterns over different fields', () => {
    const patterns = [p({ a: [1] }), p({ b: [1] })];
    expect(mergeFilterPatterns(patterns)).toEqual(patterns);
  });

  it('keeps 1 and "1" apart (Lambda compares by type)', () => {
    expect(mergeFilterPatterns([p({ a: [1] }), p({ a: ['1'] })])).toEqual([p({ a: [1, '1'] })]);
  });

  it('gives one pattern per DNS answer event for a path, merged into one', () => {
    const own = dnsEventPatterns(['x', 'y']);
    expect(own).toHaveLength(DNS_ANSWER_EVENTS.length);
    expect(mergeFilterPatterns(own)).toEqual([p({ x: { y: [22, '22', 3008, '3008'] } })]);
  });

  it('stops synth with the patterns named when more than the limit remain', () => {
    const formats = ['a', 'b', 'c'].map((key) => ({ dnsFilter: dnsEventPatterns([key]) }));
    expect(dnsFilterPatterns(formats, 3)).toHaveLength(3);
    expect(() => dnsFilterPatterns(formats, 2)).toThrow(DnsFilterOverflowError);
    expect(() => dnsFilterPatterns(formats, 2)).toThrow(/3 DNS event-source filter patterns.*"c"/);
  });
});
