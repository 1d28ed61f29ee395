import { fluentBit } from '../../../../src/events/formats/fluent-bit.js';
import { dnsClient3008Document, expectedSysmon3, sysmon3Data, sysmon3Values } from '../factories.js';

function fbDocument(overrides: Record<string, unknown> = {}) {
  return {
    ProviderName: 'Microsoft-Windows-Sysmon',
    EventID: 3,
    Level: 4,
    TimeCreated: '2020-10-22 05:54:21 +0000',
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    Computer: 'WORKSTATION5',
    Message: 'Network connection detected:',
    StringInserts: sysmon3Values(),
    ...overrides,
  };
}

describe('fluent-bit', () => {
  it.each<[string, Record<string, unknown>]>([
    ['StringInserts', fbDocument()],
    ['event_data_as_map EventData', fbDocument({ StringInserts: undefined, EventData: sysmon3Data() })],
  ])('normalises %s', (_name, document) => {
    expect(fluentBit.recognises(document, 'json')).toBe(true);
    expect(fluentBit.normalise(document)).toEqual({ ok: true, value: { ...expectedSysmon3(), format: 'fluent-bit' } });
  });

  it('maps DNS-Client 3008 StringInserts by its schema, with RecordNumber, ProcessID and the +zone time', () => {
    const dns = dnsClient3008Document().Event.EventData;
    const result = fluentBit.normalise({
      ProviderName: 'Microsoft-Windows-DNS-Client',
      EventID: 3008,
      TimeCreated: '2020-10-22 14:54:21 +0900',
      Channel: 'Microsoft-Windows-DNS-Client/Operational',
      Computer: 'WORKSTATION5',
      RecordNumber: 77,
      ProcessID: 6708,
      StringInserts: [dns.QueryName, dns.QueryType, dns.QueryOptions, dns.QueryStatus, dns.QueryResults, '0', '0'],
    });
    expect(result.ok && [result.value.recordId, result.value.processId, result.value.time]).toEqual([
      77,
      6708,
      Date.UTC(2020, 9, 22, 5, 54, 21),
    ]);
    expect(result.ok && result.value.data).toEqual({ ...dns, InterfaceIndex: '0', NetworkIndex: '0' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['StringInserts a string', { StringInserts: 'x' }, 'StringInserts is not a list'],
    ['EventID "abc"', { EventID: 'abc' }, 'EventID is not an integer'],
    ['ProcessID negative', { ProcessID: -4 }, 'process ID is not an integer'],
  ])('rejects %s', (_name, overrides, reason) => {
    expect(fluentBit.normalise(fbDocument(overrides))).toEqual({ ok: false, error: reason });
  });

  it.each([{ EventID: 3, Hostname: 'h' }, { Computer: 'h' }])('does not recognise %j', (document) => {
    expect(fluentBit.recognises(document, 'json')).toBe(false);
  });
});
