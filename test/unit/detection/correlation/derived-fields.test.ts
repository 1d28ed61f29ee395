import { DERIVED_FIELDS, parentDomain } from '../../../../src/detection/correlation/derived-fields.js';
import { readEventField } from '../../../../src/detection/correlation/event-field.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';

describe('parentDomain', () => {
  it.each<[string, string | undefined]>([
    ['a1b2c3.t.exfil-example.net', 'exfil-example.net'],
    ['raw.githubusercontent.com', 'githubusercontent.com'],
    ['WWW.Example.COM.', 'example.com'],
    ['x.y.example.co.uk', 'example.co.uk'],
    ['host.example.com.au', 'example.com.au'],
    ['example.co.uk', 'example.co.uk'],
    ['a.b.example.de', 'example.de'],
    ['mordordc', 'mordordc'],
    ['localhost', 'localhost'],
    ['a..b.com', undefined],
    ['', undefined],
  ])('%s -> %s', (name, parent) => {
    expect(parentDomain(name)).toBe(parent);
  });
});

describe('readEventField', () => {
  const event: CanonicalEvent = {
    host: ' WS01.Corp.Example ',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 22,
    time: 0,
    processId: 42,
    format: 'evtx-json',
    data: { QueryName: 'a.t.exfil-example.net', 'Threat Name': 'x', Empty: '' },
  };

  it.each<[string, string | undefined]>([
    ['Computer', 'ws01.corp.example'],
    ['EventID', '22'],
    ['Channel', 'Microsoft-Windows-Sysmon/Operational'],
    ['QueryName', 'a.t.exfil-example.net'],
    ['queryname', 'a.t.exfil-example.net'],
    ['ThreatName', 'x'],
    ['Empty', undefined],
    ['Missing', undefined],
    ['ProcessId', '42'],
    ['QueryParentDomain', 'exfil-example.net'],
    ['toString', undefined],
  ])('%s', (name, value) => {
    expect(readEventField(event, name)).toBe(value);
  });

  it('an event field of a derived name wins over the derivation', () => {
    expect(readEventField({ ...event, data: { ...event.data, QueryParentDomain: 'given' } }, 'QueryParentDomain')).toBe(
      'given',
    );
    expect(Object.keys(DERIVED_FIELDS)).toEqual(['QueryParentDomain']);
  });
});
