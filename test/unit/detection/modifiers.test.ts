import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64wide = (s: string) => Buffer.from(s, 'utf16le').toString('base64');

// [selection YAML, event data, expected]
const cases: [string, string, Record<string, string>, boolean][] = [
  // plain equality is case-insensitive and whole-value
  ['equals', "Image: 'C:\\Windows\\System32\\whoami.exe'", { Image: 'c:\\windows\\system32\\WHOAMI.exe' }, true],
  ['equals (negative: substring)', "Image: 'whoami.exe'", { Image: 'C:\\whoami.exe' }, false],
  ['contains', "CommandLine|contains: ' -enc '", { CommandLine: 'powershell -ENC abc' }, true],
  ['contains (negative)', "CommandLine|contains: ' -enc '", { CommandLine: 'powershell -e abc' }, false],
  ['startswith', "CommandLine|startswith: 'cmd'", { CommandLine: 'CMD.exe /c' }, true],
  ['startswith (negative)', "CommandLine|startswith: 'cmd'", { CommandLine: 'x cmd' }, false],
  ['endswith', "Image|endswith: '\\cmd.exe'", { Image: 'C:\\Windows\\cmd.exe' }, true],
  ['endswith (negative)', "Image|endswith: '\\cmd.exe'", { Image: 'C:\\Windows\\xcmd.exe' }, false],
  ['list is OR', "Image|endswith:\n    - '\\a.exe'\n    - '\\b.exe'", { Image: 'C:\\b.exe' }, true],
  ['list is OR (negative)', "Image|endswith:\n    - '\\a.exe'\n    - '\\b.exe'", { Image: 'C:\\c.exe' }, false],
  ['contains|all', "CommandLine|contains|all:\n    - 'a1'\n    - 'b2'", { CommandLine: 'x b2 y a1' }, true],
  ['contains|all (negative)', "CommandLine|contains|all:\n    - 'a1'\n    - 'b2'", { CommandLine: 'x a1' }, false],
  ['cased', "CommandLine|cased: 'Hello'", { CommandLine: 'Hello' }, true],
  ['cased (negative)', "CommandLine|cased: 'Hello'", { CommandLine: 'hello' }, false],
  ['contains|cased', "CommandLine|contains|cased: 'ABC'", { CommandLine: 'xABCx' }, true],
  ['contains|cased (negative)', "CommandLine|contains|cased: 'ABC'", { CommandLine: 'xabcx' }, false],
  ['re', "CommandLine|re: 'a[0-9]+b'", { CommandLine: 'xx a123b yy' }, true],
  ['re is case-sensitive', "CommandLine|re: 'A[0-9]+B'", { CommandLine: 'a1b' }, false],
  ['re|i', "CommandLine|re|i: 'A[0-9]+B'", { CommandLine: 'a1b' }, true],
  ['re inline (?i)', "CommandLine|re: '(?i)A[0-9]+B'", { CommandLine: 'a1b' }, true],
  ['re|m', "CommandLine|re|m: '^two$'", { CommandLine: 'one\ntwo\nthree' }, true],
  ['re without m (negative)', "CommandLine|re: '^two$'", { CommandLine: 'one\ntwo\nthree' }, false],
  ['re|s', "CommandLine|re|s: 'one.two'", { CommandLine: 'one\ntwo' }, true],
  ['re without s (negative)', "CommandLine|re: 'one.two'", { CommandLine: 'one\ntwo' }, false],
  ['re \\Z translated', "CommandLine|re: 'end\\Z'", { CommandLine: 'the end' }, true],
  ['re possessive translated', "CommandLine|re: 'a++b'", { CommandLine: 'aaab' }, true],
  ['cidr v4', "SourceIp|cidr: '10.0.0.0/8'", { SourceIp: '10.1.2.3' }, true],
  ['cidr v4 (negative)', "SourceIp|cidr: '10.0.0.0/8'", { SourceIp: '11.1.2.3' }, false],
  ['cidr v4 mapped v6', "SourceIp|cidr: '192.168.0.0/16'", { SourceIp: '::ffff:192.168.4.5' }, true],
  ['cidr v6', "SourceIp|cidr: 'fe80::/10'", { SourceIp: 'fe80::1%12' }, true],
  ['cidr v6 (negative)', "SourceIp|cidr: 'fe80::/10'", { SourceIp: '2001:db8::1' }, false],
  ['cidr not an ip (negative)', "SourceIp|cidr: '10.0.0.0/8'", { SourceIp: 'ten' }, false],
  ['base64', "CommandLine|base64: 'http://'", { CommandLine: b64('http://') }, true],
  ['base64|contains', "CommandLine|base64|contains: 'http://'", { CommandLine: `x ${b64('http://')} y` }, true],
  ['base64 (negative)', "CommandLine|base64: 'http://'", { CommandLine: b64('https://') }, false],
  ...[0, 1, 2].map((shift): [string, string, Record<string, string>, boolean] => [
    `base64offset|contains shift ${shift}`,
    "CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
    { CommandLine: b64(`${'x'.repeat(shift)}Invoke-Mimikatz and more`) },
    true,
  ]),
  [
    'base64offset (negative)',
    "CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
    { CommandLine: b64('Invoke-Other stuff') },
    false,
  ],
  [
    'wide|base64offset|contains',
    "CommandLine|wide|base64offset|contains: 'Invoke-'",
    { CommandLine: `-e ${b64wide('xInvoke-Expression')}` },
    true,
  ],
  ['utf16le|base64', "CommandLine|utf16le|base64: 'ab'", { CommandLine: b64wide('ab') }, true],
  [
    'utf16be|base64',
    "CommandLine|utf16be|base64: 'ab'",
    { CommandLine: Buffer.from([0, 0x61, 0, 0x62]).toString('base64') },
    true,
  ],
  [
    'utf16|base64',
    "CommandLine|utf16|base64: 'ab'",
    { CommandLine: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') },
    true,
  ],
  ['windash', "CommandLine|windash|contains: ' -exec '", { CommandLine: 'x /exec y' }, true],
  ['windash en dash', "CommandLine|windash|contains: ' -exec '", { CommandLine: 'x \u2013exec y' }, true],
  ['windash em dash and bar', "CommandLine|windash|contains: '-a -b'", { CommandLine: '\u2014a \u2015b' }, true],
  ['windash (negative)', "CommandLine|windash|contains: ' -exec '", { CommandLine: 'x +exec y' }, false],
  ['endswith|windash', "CommandLine|endswith|windash: '-x'", { CommandLine: 'y /x' }, true],
  ['exists true', 'ParentImage|exists: true', { ParentImage: '' }, true],
  ['exists true (negative)', 'ParentImage|exists: true', { Image: 'x' }, false],
  ['exists false', 'ParentImage|exists: false', { Image: 'x' }, true],
  ['exists false (negative)', 'ParentImage|exists: false', { ParentImage: 'x' }, false],
  ['fieldref', 'Image|fieldref: ParentImage', { Image: 'C:\\A.exe', ParentImage: 'c:\\a.exe' }, true],
  ['fieldref (negative)', 'Image|fieldref: ParentImage', { Image: 'C:\\A.exe', ParentImage: 'C:\\B.exe' }, false],
  ['fieldref absent (negative)', 'Image|fieldref: ParentImage', { Image: 'C:\\A.exe' }, false],
  [
    'fieldref|endswith',
    'CommandLine|fieldref|endswith: OriginalFileName',
    { CommandLine: 'run X.EXE', OriginalFileName: 'x.exe' },
    true,
  ],
  ['fieldref|contains', 'CommandLine|fieldref|contains: User', { CommandLine: 'a bob b', User: 'BOB' }, true],
  [
    'fieldref|startswith (negative)',
    'CommandLine|fieldref|startswith: User',
    { CommandLine: 'a bob', User: 'bob' },
    false,
  ],
  ['gt', 'Level|gt: 5', { Level: '6' }, true],
  ['gt (negative)', 'Level|gt: 5', { Level: '5' }, false],
  ['gte', 'Level|gte: 5', { Level: '5' }, true],
  ['lt', 'Level|lt: 5', { Level: '4' }, true],
  ['lt (negative)', 'Level|lt: 5', { Level: 'x' }, false],
  ['lte', 'Level|lte: 5', { Level: '5' }, true],
  ['lte hex field', 'Level|lte: 16', { Level: '0x10' }, true],
  ['neq', "User|neq: 'SYSTEM'", { User: 'bob' }, true],
  ['neq (negative)', "User|neq: 'SYSTEM'", { User: 'system' }, false],
  ['neq absent (negative)', "User|neq: 'SYSTEM'", { Image: 'x' }, false],
  ['neq list', "User|neq:\n    - 'a'\n    - 'b'", { User: 'b' }, false],
  ['hour', 'UtcTime|hour: 23', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['hour (negative)', 'UtcTime|hour: 22', { UtcTime: '2026-01-01 23:15:00.000' }, false],
  ['minute', 'UtcTime|minute: 15', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['day', 'UtcTime|day: 1', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['month', 'UtcTime|month: 1', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['year', 'UtcTime|year: 2026', { UtcTime: '2026-01-01T23:15:00Z' }, true],
  ['week', 'UtcTime|week: 1', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['hour|gte', 'UtcTime|hour|gte: 20', { UtcTime: '2026-01-01 23:15:00.000' }, true],
  ['hour|gte (negative)', 'UtcTime|hour|gte: 20', { UtcTime: '2026-01-01 08:15:00.000' }, false],
];

describe('value modifiers', () => {
  it.each(cases)('%s', (_name, selection, data, expected) => {
    const rule = processRule(`selection:\n${selection.replace(/^/gm, '    ')}\ncondition: selection`);
    expect(ruleMatches(rule, sysmonEvent(data))).toBe(expected);
  });
});

describe('expand', () => {
  const rule = processRule("selection:\n    User|expand: '%Admins%'\ncondition: selection");
  it.each([
    ['adm_bob', true],
    ['ADMINISTRATOR', true],
    ['bob', false],
  ])('User %s -> %s', (user, expected) => {
    const options = { placeholders: { Admins: ['adm_*', 'administrator'] } };
    expect(ruleMatches(rule, sysmonEvent({ User: user }), options)).toBe(expected);
  });

  it('contains|expand keeps the surrounding wildcards and the escaped percent', () => {
    const r = processRule("selection:\n    CommandLine|contains|expand: '\\%x%Hosts%'\ncondition: selection");
    const options = { placeholders: { Hosts: ['srv1'] } };
    expect(ruleMatches(r, sysmonEvent({ CommandLine: 'a %xsrv1 b' }), options)).toBe(true);
    expect(ruleMatches(r, sysmonEvent({ CommandLine: 'a xsrv1 b' }), options)).toBe(false);
  });
});

describe('folding the prefilter must share with the matcher', () => {
  it.each([
    ['Kelvin sign lower-cases to k', "CommandLine|contains: 'kill'", { CommandLine: 'taskkill /F' }, true],
    ['dotted capital I', "CommandLine|contains: 'ipconfig'", { CommandLine: 'İPCONFIG' }, false],
    [
      'windash horizontal bar in a long value',
      "CommandLine|windash|contains: ' -encodedcommand '",
      { CommandLine: 'powershell \u2015EncodedCommand ZQ==' },
      true,
    ],
    [
      'upper-case value, lower-case regex literal with i',
      "CommandLine|re|i: 'invoke-mimikatz'",
      { CommandLine: 'INVOKE-MIMIKATZ' },
      true,
    ],
  ])('%s', (_name, selection, data, expected) => {
    const rule = processRule(`selection:\n${selection.replace(/^/gm, '    ')}\ncondition: selection`);
    expect(ruleMatches(rule, sysmonEvent(data))).toBe(expected);
  });
});
