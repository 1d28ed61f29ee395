import { type CanonicalEvent, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { contextValue, pokeContext, sidesOf } from '../../../src/hooks/process-tracking-fields.js';
import type { ProcessRecord } from '../../../src/hooks/process-tracking-table.js';

function sysmon(eventId: number, data: Record<string, string>): CanonicalEvent {
  return {
    host: 'H',
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId,
    time: 0,
    format: 'nxlog',
    data,
  };
}

const record: ProcessRecord = {
  kind: 'process',
  host: 'h',
  guid: '{g}',
  start: 0,
  user: 'H\\alice',
  integrityLevel: 'High',
  parentGuid: '{p}',
  parentImage: 'C:\\Windows\\System32\\cmd.exe',
  parentCommandLine: 'cmd.exe /c x',
  ancestors: ['C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\cmd.exe'],
};

describe('sidesOf', () => {
  it.each([
    [
      'Sysmon 3: its own process',
      sysmon(3, { ProcessGuid: '{ABC}', ProcessId: '12' }),
      [{ prefix: '', guid: '{abc}', pid: 12 }],
    ],
    [
      'Sysmon 10: source and target (GUID in capitals)',
      sysmon(10, { SourceProcessGUID: '{S}', SourceProcessId: '1', TargetProcessGUID: '{T}', TargetProcessId: '2' }),
      [
        { prefix: 'Source', guid: '{s}', pid: 1 },
        { prefix: 'Target', guid: '{t}', pid: 2 },
      ],
    ],
    [
      'Sysmon 8: source and target (Guid)',
      sysmon(8, { SourceProcessGuid: '{S}', TargetProcessGuid: '{T}' }),
      [
        { prefix: 'Source', guid: '{s}' },
        { prefix: 'Target', guid: '{t}' },
      ],
    ],
    ['no ProcessGuid', sysmon(12, { ProcessGuid: '-' }), []],
    ['Sysmon 10 naming its ProcessGuid field only: no side', sysmon(10, { ProcessGuid: '{x}' }), []],
  ])('%s', (_title, event, expected) => {
    expect(sidesOf(event)).toEqual(expected);
  });
});

describe('pokeContext', () => {
  it('writes every known field under the prefix, Ancestors |-joined, and never replaces a present one', () => {
    // Prepare
    const data: Record<string, string> = { User: '-', ParentImage: '' };
    // Act
    const written = pokeContext(data, '', record);
    // Assess
    expect(written).toBe(4);
    expect(data).toEqual({
      User: '-',
      ParentImage: '',
      IntegrityLevel: 'High',
      ParentProcessGuid: '{p}',
      ParentCommandLine: 'cmd.exe /c x',
      Ancestors: 'C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
    });
  });

  it('uses the Target prefix for the target of Sysmon 8 / 10 (WHIDS: TargetUser, TargetParentProcessGuid)', () => {
    const data: Record<string, string> = { TargetImage: 'x' };
    pokeContext(data, 'Target', record);
    expect(data).toMatchObject({
      TargetUser: 'H\\alice',
      TargetParentProcessGuid: '{p}',
      TargetParentImage: 'C:\\Windows\\System32\\cmd.exe',
      TargetAncestors: 'C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
    });
    expect(data.ParentImage).toBeUndefined();
  });

  it('writes nothing the record does not know', () => {
    const data: Record<string, string> = {};
    expect(pokeContext(data, '', { kind: 'process', host: 'h', guid: '{g}', start: 0 })).toBe(0);
    expect(data).toEqual({});
    expect(contextValue({ kind: 'process', host: 'h', guid: '{g}', ancestors: [] }, 'Ancestors')).toBe('');
  });
});
