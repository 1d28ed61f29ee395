import {
  DNS_CLIENT_3008_FIELDS,
  manifestVersions,
  namePositional,
  SYSMON_FIELDS,
  schemaFields,
} from '../../../src/events/schemas.js';
import { SYSMON3_FIELDS, sysmon3Data, sysmon3Values } from './factories.js';

function named(fields: readonly string[] | undefined, values: string[]) {
  const data: Record<string, string> = {};
  namePositional(fields, values, data);
  return data;
}

describe('schemas', () => {
  it('has a field list for every Sysmon event ID 1-29', () => {
    for (let id = 1; id <= 29; id++) expect(SYSMON_FIELDS.get(id)?.length).toBeGreaterThan(2);
  });

  it.each<[number, string[]]>([
    [3, [...SYSMON3_FIELDS]],
    [
      22,
      ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'QueryName', 'QueryStatus', 'QueryResults', 'Image', 'User'],
    ],
  ])('orders Sysmon %i as the manifest does', (id, fields) => {
    expect(schemaFields('Microsoft-Windows-Sysmon', 'Microsoft-Windows-Sysmon/Operational', id)).toEqual(fields);
  });

  it.each<[string, string, number, readonly string[] | undefined]>([
    ['Microsoft-Windows-DNS-Client', '', 3008, DNS_CLIENT_3008_FIELDS],
    ['', 'Microsoft-Windows-DNS-Client/Operational', 3008, DNS_CLIENT_3008_FIELDS],
    ['Microsoft-Windows-DNS-Client', 'Microsoft-Windows-DNS-Client/Operational', 3006, undefined],
    ['', 'Microsoft-Windows-Sysmon/Operational', 3, SYSMON3_FIELDS],
    ['Microsoft-Windows-Sysmon', '', 99, undefined],
    ['Some-Provider', 'Security', 4624, undefined],
    ['Microsoft-Windows-Security-Auditing', 'Security', 4, undefined],
  ])('schemaFields(%j, %j, %i)', (provider, channel, id, expected) => {
    expect(schemaFields(provider, channel, id)).toEqual(expected);
  });

  const SECURITY_4688_V1 = [
    'SubjectUserSid',
    'SubjectUserName',
    'SubjectDomainName',
    'SubjectLogonId',
    'NewProcessId',
    'NewProcessName',
    'TokenElevationType',
    'ProcessId',
    'CommandLine',
  ];
  const AUDITING = 'Microsoft-Windows-Security-Auditing';

  it.each<[string, string, string, number, number | undefined, number | undefined, readonly string[] | undefined]>([
    ['version 1 when sent', AUDITING, 'Security', 4688, 15, 1, SECURITY_4688_V1],
    ['by count when no version', AUDITING, 'Security', 4688, 9, undefined, SECURITY_4688_V1],
    ['by count when the sent version is unknown', AUDITING, 'Security', 4688, 9, 7, SECURITY_4688_V1],
    ['the newest version without count or version', AUDITING, 'Security', 4688, undefined, undefined, undefined],
    ['the smallest longer template for an odd count', AUDITING, 'Security', 4688, 10, undefined, undefined],
    ["the channel's provider when none is sent", '', 'Security', 4688, 9, undefined, SECURITY_4688_V1],
    [
      'PowerShell 4104 by count',
      'Microsoft-Windows-PowerShell',
      'Microsoft-Windows-PowerShell/Operational',
      4104,
      5,
      undefined,
      ['MessageNumber', 'MessageTotal', 'ScriptBlockText', 'ScriptBlockId', 'Path'],
    ],
    [
      'System 7045',
      'Service Control Manager',
      'System',
      7045,
      5,
      0,
      ['ServiceName', 'ImagePath', 'ServiceType', 'StartType', 'AccountName'],
    ],
  ])('manifest schema: %s', (_name, provider, channel, id, count, version, expected) => {
    const fields = schemaFields(provider, channel, id, count, version);
    if (expected !== undefined) expect(fields).toEqual(expected);
    else {
      const versions = manifestVersions(AUDITING, 'Security', 4688) ?? {};
      // 4688 has versions 0 (8 fields), 1 (9) and 2 (15): no count -> newest; 10 values -> version 2.
      expect(fields).toEqual(versions[2]);
    }
  });

  it('has Security 4624 versions 0-3 with LogonType at the same position', () => {
    const versions = manifestVersions(AUDITING, 'Security', 4624) ?? {};
    expect(Object.keys(versions)).toEqual(['0', '1', '2', '3']);
    for (const names of Object.values(versions)) expect(names.indexOf('LogonType')).toBe(8);
  });

  it('counts the values it could not name', () => {
    const data: Record<string, string> = {};
    expect(namePositional(['A'], ['a', 'b', 'c'], data)).toBe(2);
    expect(namePositional(['A', 'B'], ['a'], {})).toBe(0);
  });

  it.each<[string, readonly string[] | undefined, string[], Record<string, string>]>([
    ['names values in template order', SYSMON3_FIELDS, sysmon3Values(), sysmon3Data()],
    ['names an unknown schema Data1..DataN', undefined, ['a', 'b'], { Data1: 'a', Data2: 'b' }],
    ['names extra values DataN by position', ['A'], ['a', 'b'], { A: 'a', Data2: 'b' }],
    ['takes the first names for a shorter list', ['A', 'B', 'C'], ['a', 'b'], { A: 'a', B: 'b' }],
    [
      'skips RuleName for a pre-RuleName Sysmon (first value is a UtcTime)',
      ['RuleName', 'UtcTime', 'ProcessGuid'],
      ['2018-06-18 05:22:53.759', '{g}'],
      { UtcTime: '2018-06-18 05:22:53.759', ProcessGuid: '{g}' },
    ],
    [
      'keeps RuleName when the first value is not a time',
      ['RuleName', 'UtcTime', 'ProcessGuid'],
      ['-', 'x'],
      { RuleName: '-', UtcTime: 'x' },
    ],
  ])('%s', (_name, fields, values, expected) => {
    expect(named(fields, values)).toEqual(expected);
  });
});
