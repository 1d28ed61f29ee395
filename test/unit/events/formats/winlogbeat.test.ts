import { winlogbeat } from '../../../../src/events/formats/winlogbeat.js';
import { expectedSysmon3, sysmon3Data } from '../factories.js';

function ecsDocument(winlog: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    '@timestamp': '2020-10-22T05:54:21.530Z',
    event: { code: '3' },
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      computer_name: 'WORKSTATION5',
      provider_name: 'Microsoft-Windows-Sysmon',
      event_id: '3',
      event_data: sysmon3Data(),
      ...winlog,
    },
    ...top,
  };
}

describe('winlogbeat', () => {
  it('normalises the ECS form', () => {
    expect(winlogbeat.recognises(ecsDocument(), 'json')).toBe(true);
    expect(winlogbeat.normalise(ecsDocument())).toEqual({
      ok: true,
      value: { ...expectedSysmon3(), format: 'winlogbeat' },
    });
  });

  it('reads record_id and process.pid, and @timestamp for a DNS-Client event', () => {
    const result = winlogbeat.normalise(
      ecsDocument(
        {
          channel: 'Microsoft-Windows-DNS-Client/Operational',
          provider_name: 'Microsoft-Windows-DNS-Client',
          event_id: 3008,
          record_id: '713935',
          process: { pid: 6348, thread: { id: 1 } },
          event_data: { QueryName: 'watson.telemetry.microsoft.com', QueryType: '28' },
        },
        { '@timestamp': '2019-03-19T17:10:09.423Z' },
      ),
    );
    expect(
      result.ok && [result.value.recordId, result.value.processId, result.value.time, result.value.eventId],
    ).toEqual([713935, 6348, Date.UTC(2019, 2, 19, 17, 10, 9, 423), 3008]);
  });

  it('normalises the Winlogbeat 6 top-level form (OTRF empire_mimikatz_opth)', () => {
    const document = {
      '@timestamp': '2019-03-19T17:10:09.423Z',
      event_id: 3008,
      log_name: 'Microsoft-Windows-DNS-Client/Operational',
      record_number: '713935',
      process_id: 6348,
      computer_name: 'IT001.shire.com',
      event_data: {
        QueryName: 'watson.telemetry.microsoft.com',
        QueryType: '28',
        QueryOptions: '2251800887582720',
        QueryStatus: '1460',
      },
      source_name: 'Microsoft-Windows-DNS-Client',
    };
    expect(winlogbeat.recognises(document, 'json')).toBe(true);
    expect(winlogbeat.normalise(document)).toEqual({
      ok: true,
      value: {
        host: 'IT001.shire.com',
        channel: 'Microsoft-Windows-DNS-Client/Operational',
        provider: 'Microsoft-Windows-DNS-Client',
        eventId: 3008,
        time: Date.UTC(2019, 2, 19, 17, 10, 9, 423),
        recordId: 713935,
        processId: 6348,
        format: 'winlogbeat',
        data: {
          QueryName: 'watson.telemetry.microsoft.com',
          QueryType: '28',
          QueryOptions: '2251800887582720',
          QueryStatus: '1460',
        },
      },
    });
  });

  it('reads user_data when there is no event_data', () => {
    const result = winlogbeat.normalise(
      ecsDocument({
        event_id: 1102,
        channel: 'Security',
        event_data: undefined,
        user_data: { LogFileCleared: { SubjectUserName: 'bob' } },
      }),
    );
    expect(result.ok && result.value.data).toEqual({ SubjectUserName: 'bob' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['event_id "abc"', { event_id: 'abc' }, 'EventID is not an integer'],
    ['computer_name missing', { computer_name: undefined }, 'host missing'],
    ['event_data a number', { event_data: 7 }, 'EventData is not an object'],
    ['process.pid a word', { process: { pid: 'x' } }, 'process ID is not an integer'],
  ])('rejects %s', (_name, winlog, reason) => {
    expect(winlogbeat.normalise(ecsDocument(winlog))).toEqual({ ok: false, error: reason });
  });

  it('rejects a Sysmon event without UtcTime or @timestamp', () => {
    const { UtcTime: _t, ...data } = sysmon3Data();
    expect(winlogbeat.normalise(ecsDocument({ event_data: data }, { '@timestamp': undefined }))).toEqual({
      ok: false,
      error: 'time missing or invalid',
    });
  });

  it.each([{ winlog: 'x' }, { event_id: 3 }, { log_name: 'x' }])('does not recognise %j', (document) => {
    expect(winlogbeat.recognises(document, 'json')).toBe(false);
  });
});
