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

describe('toOutputRecord over many events (the key cache and the per-event check of folded keys)', () => {
  /** What toOutputRecord must give, computed here without any cache: the rule as written above. */
  function expectedKeys(names: readonly string[]): string[] {
    const used = new Set<string>(['host', 'channel', 'provider', 'event_id', 'time', 'record_id', 'format']);
    return names.map((name) => {
      let key = outputKeyOf(name);
      for (let n = 2; used.has(key.toLowerCase()); n++) key = `${outputKeyOf(name)}_${n}`;
      used.add(key.toLowerCase());
      return key;
    });
  }

  it('gives each event its own keys, whatever the events before it held', () => {
    const shapes = [
      ['ProcessId', 'Image'],
      ['ProcessID', 'ProcessId', 'image', 'Image'],
      ['ProcessId_2', 'ProcessId', 'PROCESSID'],
      ['Channel', 'data_Channel', 'channel'],
      ['ProcessId', 'Image'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const names of shapes) {
        const record = toOutputRecord(logCleared(Object.fromEntries(names.map((name, i) => [name, `${i}`]))));
        expect(Object.keys(record).slice(7)).toEqual(expectedKeys(names));
        expect(Object.values(record).slice(7)).toEqual(names.map((_, i) => `${i}`));
      }
    }
  });

  it('stays right past the cache limit (10,000 names: a hostile input)', () => {
    for (let i = 0; i < 12_000; i += 3) {
      const names = [`Field${i}`, `FIELD${i}`, `Field${i + 1}`, 'Channel', 'channel'];
      const record = toOutputRecord(logCleared(Object.fromEntries(names.map((name) => [name, name]))));
      expect(Object.keys(record).slice(7)).toEqual(expectedKeys(names));
    }
  });
});
