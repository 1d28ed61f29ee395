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
});
