import { evtxJson } from '../../../../src/events/formats/evtx-json.js';
import {
  dnsClient3008Document,
  evtxDocument,
  expectedSysmon3,
  SYSMON3_FIELDS,
  sysmon3Data,
  sysmon3Values,
} from '../factories.js';

const expected = { ...expectedSysmon3(), format: 'evtx-json' };

describe('evtx-json', () => {
  it.each<[string, unknown]>([
    ['a flat EventData map', evtxDocument()],
    [
      'EventData {Data: [{Name, Value}]}',
      evtxDocument({ eventData: { Data: SYSMON3_FIELDS.map((Name) => ({ Name, Value: sysmon3Data()[Name] })) } }),
    ],
    [
      'EventData [{"@Name", "#text"}]',
      evtxDocument({ eventData: SYSMON3_FIELDS.map((name) => ({ '@Name': name, '#text': sysmon3Data()[name] })) }),
    ],
    [
      'evtx_dump #attributes pairs',
      evtxDocument({
        eventData: {
          Data: SYSMON3_FIELDS.map((name) => ({ '#attributes': { Name: name }, '#text': sysmon3Data()[name] })),
        },
      }),
    ],
    ['positional Data values named by the Sysmon 3 schema', evtxDocument({ eventData: { Data: sysmon3Values() } })],
    [
      'evtx_dump unnamed <Data> list ({"Data": {"#text": [..]}}), named by the schema like any positional list',
      evtxDocument({ eventData: { Data: { '#text': sysmon3Values() } } }),
    ],
    [
      'evtx_dump numbers and booleans',
      evtxDocument({
        system: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          TimeCreated: { '#attributes': { SystemTime: '2020-10-22T05:54:21.5304Z' } },
        },
        eventData: {
          ...sysmon3Data(),
          ProcessId: 6708,
          SourcePort: 52094,
          DestinationPort: 443,
          Initiated: true,
          SourceIsIpv6: false,
          DestinationIsIpv6: false,
        },
      }),
    ],
    ['all-string System values', evtxDocument({ system: { EventID: '3' } })],
    [
      'EventID with Qualifiers',
      evtxDocument({ system: { EventID: { '#text': 3, '#attributes': { Qualifiers: 0 } } } }),
    ],
    ['a provider given as a string', evtxDocument({ system: { Provider: 'Microsoft-Windows-Sysmon' } })],
  ])('normalises %s', (_name, document) => {
    const doc = document as Record<string, unknown>;
    expect(evtxJson.recognises(doc, 'json')).toBe(true);
    expect(evtxJson.normalise(doc)).toEqual({ ok: true, value: expected });
  });

  it('keeps record ID and Execution ProcessID (DNS-Client names its process only this way)', () => {
    const result = evtxJson.normalise(dnsClient3008Document());
    expect(result.ok && [result.value.recordId, result.value.processId, result.value.time]).toEqual([
      1234,
      6708,
      Date.UTC(2020, 9, 22, 5, 54, 21, 500),
    ]);
  });

  it('reads evtx_dump #attributes Execution and numeric record IDs', () => {
    const result = evtxJson.normalise(
      dnsClient3008Document({
        Execution: { '#attributes': { ProcessID: 3544, ThreadID: 4272 } },
        EventRecordID: 571146,
      }),
    );
    expect(result.ok && [result.value.recordId, result.value.processId]).toEqual([571146, 3544]);
  });

  it('flattens UserData (the one element under it) when there is no EventData', () => {
    const document = {
      Event: {
        System: {
          ...evtxDocument().Event.System,
          Provider: { Name: 'Microsoft-Windows-WMI-Activity' },
          EventID: 5858,
          Channel: 'Microsoft-Windows-WMI-Activity/Operational',
        },
        UserData: {
          Operation_ClientFailure: {
            '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2006/windows/WMI' },
            ClientProcessId: 25920,
            Operation: 'Start',
          },
        },
      },
    };
    const result = evtxJson.normalise(document);
    expect(result.ok && result.value.data).toEqual({ ClientProcessId: '25920', Operation: 'Start' });
  });

  it('ignores the EventData element’s own #attributes', () => {
    const result = evtxJson.normalise(
      evtxDocument({ eventData: { '#attributes': { Name: 'TaskDisabled' }, TaskName: '\\x' } }),
    );
    expect(result.ok && result.value.data).toEqual({ TaskName: '\\x' });
  });

  it('renders null as an empty string and nested values as JSON', () => {
    const result = evtxJson.normalise(
      evtxDocument({ eventData: { UtcTime: '2020-10-22 05:54:21.520', A: null, B: [1, 'x'], C: { d: 1 } } }),
    );
    expect(result.ok && result.value.data).toEqual({
      UtcTime: '2020-10-22 05:54:21.520',
      A: '',
      B: '[1,"x"]',
      C: '{"d":1}',
    });
  });

  it('accepts an event without EventData', () => {
    const result = evtxJson.normalise(evtxDocument({ eventData: null, system: { EventID: 4 } }));
    expect(result.ok && result.value.data).toEqual({});
  });

  it.each<[string, unknown, string]>([
    ['System missing', { Event: { EventData: {} } }, 'System missing'],
    ['EventData a string', evtxDocument({ eventData: 'x' }), 'EventData is not an object'],
    [
      'a pair name that is a number',
      evtxDocument({ eventData: [{ Name: 5, Value: 'x' }] }),
      'EventData field name is not a string',
    ],
    ['UserData a number', { Event: { System: evtxDocument().Event.System, UserData: 1 } }, 'UserData is not an object'],
  ])('rejects %s', (_name, document, reason) => {
    expect(evtxJson.normalise(document as Record<string, unknown>)).toEqual({ ok: false, error: reason });
  });

  it.each([{ event: {} }, { Event: 'x' }, { Event: [] }, { EventID: 3 }])('does not recognise %j', (document) => {
    expect(evtxJson.recognises(document, 'json')).toBe(false);
  });
});
