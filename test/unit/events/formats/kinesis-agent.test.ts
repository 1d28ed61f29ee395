import { kinesisAgent } from '../../../../src/events/formats/kinesis-agent.js';
import { expectedSysmon3, sysmon3Data, sysmon3Values } from '../factories.js';

function kaDocument(overrides: Record<string, unknown> = {}) {
  return {
    EventId: 3,
    Description: 'Network connection detected:\r\nRuleName: -',
    Level: 'Information',
    ProviderName: 'Microsoft-Windows-Sysmon',
    LogName: 'Microsoft-Windows-Sysmon/Operational',
    MachineName: 'WORKSTATION5',
    TimeCreated: '2020-10-22T05:54:21.5304000Z',
    EventData: sysmon3Values(),
    ...overrides,
  };
}

describe('kinesis-agent', () => {
  it('names the positional EventData by the Sysmon 3 schema and drops Description', () => {
    expect(kinesisAgent.recognises(kaDocument(), 'json')).toBe(true);
    expect(kinesisAgent.normalise(kaDocument())).toEqual({
      ok: true,
      value: { ...expectedSysmon3(), format: 'kinesis-agent' },
    });
  });

  it('reads Index as the record ID and TimeCreated for non-Sysmon events', () => {
    const result = kinesisAgent.normalise(
      kaDocument({
        EventId: 7036,
        LogName: 'System',
        ProviderName: 'Service Control Manager',
        Index: 4242,
        EventData: ['Amazon SSM Agent', 'stopped'],
      }),
    );
    expect(result.ok && [result.value.recordId, result.value.time, result.value.data]).toEqual([
      4242,
      Date.UTC(2020, 9, 22, 5, 54, 21, 530),
      { param1: 'Amazon SSM Agent', param2: 'stopped' },
    ]);
  });

  it('names the values of an event no schema describes Data1..DataN, and counts them', () => {
    const result = kinesisAgent.normalise(
      kaDocument({ EventId: 9999, LogName: 'System', ProviderName: 'Some-Provider', EventData: ['a', 'b'] }),
    );
    expect(result.ok && [result.value.data, result.unnamedFields]).toEqual([{ Data1: 'a', Data2: 'b' }, 2]);
  });

  it('accepts no EventData (IncludeEventData off)', () => {
    const result = kinesisAgent.normalise(kaDocument({ EventData: undefined }));
    expect(result.ok && [result.value.data, result.value.time]).toEqual([{}, Date.UTC(2020, 9, 22, 5, 54, 21, 530)]);
  });

  it('accepts an EventData map', () => {
    const result = kinesisAgent.normalise(kaDocument({ EventData: sysmon3Data() }));
    expect(result.ok && result.value.data).toEqual(sysmon3Data());
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['EventId "abc"', { EventId: 'abc' }, 'EventID is not an integer'],
    ['MachineName missing', { MachineName: undefined }, 'host missing'],
    ['LogName missing', { LogName: undefined }, 'channel missing'],
    ['EventData a number', { EventData: 1 }, 'EventData is not an object'],
  ])('rejects %s', (_name, overrides, reason) => {
    expect(kinesisAgent.normalise(kaDocument(overrides))).toEqual({ ok: false, error: reason });
  });

  it.each([{ EventId: 3 }, { MachineName: 'h', LogName: 'x' }])('does not recognise %j', (document) => {
    expect(kinesisAgent.recognises(document, 'json')).toBe(false);
  });
});
