/** The output line of an event (src/pipeline/output-record.ts): canonical fields first, then every EventData field. */
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { outputKeyOf, toOutputRecord } from '../../../src/pipeline/output-record.js';

function logCleared(data: Record<string, string>): CanonicalEvent {
  return {
    host: 'DC1',
    channel: 'System',
    provider: 'Microsoft-Windows-Eventlog',
    eventId: 104,
    time: Date.UTC(2026, 10, 27, 10, 0, 0, 5),
    format: 'nxlog',
    data,
  };
}

describe('toOutputRecord', () => {
  it('writes the canonical fields, then every EventData field by its Windows name', () => {
    const record = toOutputRecord(logCleared({ SubjectUserName: 'admin', BackupPath: '' }));
    expect(Object.keys(record)).toEqual([
      'host',
      'channel',
      'provider',
      'event_id',
      'time',
      'record_id',
      'format',
      'SubjectUserName',
      'BackupPath',
    ]);
    expect(record).toMatchObject({ time: '2026-11-27T10:00:00.005Z', record_id: null, SubjectUserName: 'admin' });
  });

  it('keeps a field named like a canonical column as data_<Name>, the canonical field untouched', () => {
    const record = toOutputRecord(logCleared({ Channel: 'Security', HOST: 'x' }));
    expect(record).toMatchObject({ channel: 'System', host: 'DC1', data_Channel: 'Security', data_HOST: 'x' });
    expect(outputKeyOf('Channel')).toBe('data_Channel');
    expect(outputKeyOf('ChannelPath')).toBe('ChannelPath');
  });

  it('keeps every field of keys equal in any case under keys no two of which fold alike (Athena SerDe)', () => {
    const record = toOutputRecord(
      logCleared({ ProcessId: '1', ProcessID: '2', processid_2: '3', data_channel: '4', Channel: '5' }),
    );
    expect(record).toMatchObject({ ProcessId: '1', ProcessID_2: '2', processid_2_2: '3', data_channel: '4' });
    expect(record.data_Channel_2).toBe('5');
    const lowered = Object.keys(record).map((key) => key.toLowerCase());
    expect(new Set(lowered).size).toBe(lowered.length);
    expect(Object.values(record)).toEqual(expect.arrayContaining(['1', '2', '3', '4', '5']));
  });
});
