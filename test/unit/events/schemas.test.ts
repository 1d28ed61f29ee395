import { DNS_CLIENT_3008_FIELDS, namePositional, SYSMON_FIELDS, schemaFields } from '../../../src/events/schemas.js';
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
    ['Microsoft-Windows-Security-Auditing', 'Security', 4624, undefined],
  ])('schemaFields(%j, %j, %i)', (provider, channel, id, expected) => {
    expect(schemaFields(provider, channel, id)).toEqual(expected);
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
