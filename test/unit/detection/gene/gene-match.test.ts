import { parseGeneMatch } from '../../../../src/detection/gene/gene-match.js';

describe('parseGeneMatch', () => {
  it.each([
    [
      "$a: Image ~= '(?i:\\\\cmd.exe$)'",
      { kind: 'field', name: '$a', operand: 'Image', operator: '~=', value: '(?i:\\\\cmd.exe$)' },
    ],
    ["$b: LogonType = '3'", { kind: 'field', name: '$b', operand: 'LogonType', operator: '=', value: '3' }],
    [
      "$c: GrantedAccess &= '0x40'",
      { kind: 'field', name: '$c', operand: 'GrantedAccess', operator: '&=', value: '0x40' },
    ],
    [
      "$d: ProcessIntegrity >= '50'",
      { kind: 'field', name: '$d', operand: 'ProcessIntegrity', operator: '>=', value: '50' },
    ],
    ["$e: Size < '10'", { kind: 'field', name: '$e', operand: 'Size', operator: '<', value: '10' }],
    ['$f: "Some Name" = \'x\'', { kind: 'field', name: '$f', operand: 'Some Name', operator: '=', value: 'x' }],
    [
      "$g: /Event/System/Computer = 'PC1'",
      { kind: 'field', name: '$g', operand: '/Event/System/Computer', operator: '=', value: 'PC1' },
    ],
    [
      '$h: ParentProcessGuid = @ProcessGuid',
      { kind: 'indirect', name: '$h', operand: 'ParentProcessGuid', other: 'ProcessGuid' },
    ],
    [
      "$i: extract('(?P<dom>\\w+\\.\\w+$)',QueryName) in blacklist",
      {
        kind: 'container',
        name: '$i',
        regex: '(?P<dom>\\w+\\.\\w+$)',
        group: 'dom',
        operand: 'QueryName',
        container: 'blacklist',
      },
    ],
    // A public rule ends with a stray quote: Gene reads the container name up to it.
    [
      "$j: extract('MD5=(?P<md5>[A-F0-9]{32})', Hashes) in blacklist'",
      {
        kind: 'container',
        name: '$j',
        regex: 'MD5=(?P<md5>[A-F0-9]{32})',
        group: 'md5',
        operand: 'Hashes',
        container: 'blacklist',
      },
    ],
    // Gene strips quotes left at either end of a value.
    ['$k: Image = \'"C:\\x.exe"\'', { kind: 'field', name: '$k', operand: 'Image', operator: '=', value: 'C:\\x.exe' }],
  ])('%s', (text, expected) => {
    expect(parseGeneMatch(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["a: Image = 'x'"],
    ['$a: Image = x'],
    ["$a: Image == 'x'"],
    ["$a: extract('no group', Image) in c"],
    ['$a Image'],
  ])('rejects %s', (text) => {
    const r = parseGeneMatch(text);
    expect(r.ok).toBe(false);
  });
});
