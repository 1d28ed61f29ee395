import { CHAIN_CHECKED_MODIFIERS } from '../../../src/detection/modifiers/chain.js';
import { MODIFIERS } from '../../../src/detection/modifiers/index.js';
import { processRule, rejections, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64wide = (s: string) => Buffer.from(s, 'utf16le').toString('base64');
const rule = (selection: string) =>
  processRule(`selection:\n${selection.replace(/^/gm, '    ')}\ncondition: selection`);
const placeholders = { Hosts: ['srv*', 'dc?'] };

// Allowed chains: [chain, selection YAML, event data that matches, event data that does not]
const ALLOWED: [string, string, Record<string, string>, Record<string, string>][] = [
  [
    'contains|all',
    "CommandLine|contains|all:\n    - 'a1'\n    - 'b2'",
    { CommandLine: 'b2 a1' },
    { CommandLine: 'a1' },
  ],
  [
    'contains|windash',
    "CommandLine|contains|windash: ' -enc '",
    { CommandLine: 'x /ENC y' },
    { CommandLine: 'x enc y' },
  ],
  [
    'windash|contains',
    "CommandLine|windash|contains: ' -enc '",
    { CommandLine: 'x \u2013enc y' },
    { CommandLine: 'x _enc' },
  ],
  ['endswith|windash', "CommandLine|endswith|windash: ' -x'", { CommandLine: 'a /x' }, { CommandLine: 'a /x b' }],
  ['cased|contains', "CommandLine|cased|contains: 'Enc'", { CommandLine: 'x Enc' }, { CommandLine: 'x enc' }],
  ['contains|cased', "CommandLine|contains|cased: 'Enc'", { CommandLine: 'x Enc' }, { CommandLine: 'x ENC' }],
  ['re', "CommandLine|re: 'ab+c'", { CommandLine: 'xabbc' }, { CommandLine: 'ac' }],
  ['re|i', "CommandLine|re|i: 'ab+c'", { CommandLine: 'ABBC' }, { CommandLine: 'AC' }],
  ['re|m', "CommandLine|re|m: '^abc$'", { CommandLine: 'x\nabc\ny' }, { CommandLine: 'xabc' }],
  ['re|s', "CommandLine|re|s: 'a.c'", { CommandLine: 'a\nc' }, { CommandLine: 'ac' }],
  ['re|i|m|s', "CommandLine|re|i|m|s: '^A.C$'", { CommandLine: 'x\na\nc' }, { CommandLine: 'abd' }],
  // A regex is searched for anywhere: the `.*` the position modifiers add around it changes nothing.
  ['re|contains', "CommandLine|re|contains: 'b+c'", { CommandLine: 'abbcd' }, { CommandLine: 'ac' }],
  ['re|startswith', "CommandLine|re|startswith: '^ab'", { CommandLine: 'abc' }, { CommandLine: 'cab' }],
  ['re|endswith', "CommandLine|re|endswith: 'bc$'", { CommandLine: 'abc' }, { CommandLine: 'bca' }],
  ['neq|re', "CommandLine|neq|re: 'abc'", { CommandLine: 'xyz' }, { CommandLine: 'xabc' }],
  ['re|neq', "CommandLine|re|neq: 'abc'", { CommandLine: 'xyz' }, { CommandLine: 'xabc' }],
  ['all|re', "CommandLine|all|re:\n    - 'ab'\n    - 'cd'", { CommandLine: 'cd ab' }, { CommandLine: 'ab' }],
  ['re|expand', "CommandLine|re|expand: '^%Hosts%\\.corp$'", { CommandLine: 'srv12.corp' }, { CommandLine: 'x.corp' }],
  [
    're|expand (one-character wildcard)',
    "CommandLine|re|expand: '^%Hosts%\\.corp$'",
    { CommandLine: 'dc1.corp' },
    { CommandLine: 'dc12.corp' },
  ],
  ['contains|expand', "CommandLine|contains|expand: '%Hosts%'", { CommandLine: 'x dc1 y' }, { CommandLine: 'x d y' }],
  ['expand|contains', "CommandLine|expand|contains: '%Hosts%'", { CommandLine: 'x srv1 y' }, { CommandLine: 'x sv y' }],
  ['base64', "CommandLine|base64: 'whoami'", { CommandLine: b64('whoami') }, { CommandLine: 'whoami' }],
  [
    'base64|contains',
    "CommandLine|base64|contains: 'whoami'",
    { CommandLine: `x${b64('whoami')}` },
    { CommandLine: 'whoami' },
  ],
  [
    'base64offset|contains',
    "CommandLine|base64offset|contains: 'whoami'",
    { CommandLine: b64('run whoami now') },
    { CommandLine: b64('run who ami') },
  ],
  [
    'wide|base64offset|contains',
    "CommandLine|wide|base64offset|contains: 'whoami'",
    { CommandLine: b64wide('run whoami now') },
    { CommandLine: b64('run whoami now') },
  ],
  // windash before an encoding spells out the permutations, then encodes each.
  [
    'windash|base64offset|contains',
    "CommandLine|windash|base64offset|contains: 'x -e y'",
    { CommandLine: b64('ab x /e y cd') },
    { CommandLine: b64('ab x _e y cd') },
  ],
  [
    'windash|wide|base64offset|contains',
    "CommandLine|windash|wide|base64offset|contains: 'x -e y'",
    { CommandLine: b64wide('ab x \u2014e y cd') },
    { CommandLine: b64wide('ab x e y cd') },
  ],
  ['windash|base64', "CommandLine|windash|base64: '-a'", { CommandLine: b64('/a') }, { CommandLine: b64('_a') }],
  [
    'utf16le|base64offset|contains',
    "CommandLine|utf16le|base64offset|contains: 'cmd'",
    { CommandLine: b64wide('a cmd b') },
    { CommandLine: b64('a cmd b') },
  ],
  [
    'utf16be|base64offset|contains',
    "CommandLine|utf16be|base64offset|contains: 'cmd'",
    { CommandLine: Buffer.from('\0a\0 \0c\0m\0d', 'latin1').toString('base64') },
    { CommandLine: b64('a cmd') },
  ],
  [
    'utf16|base64',
    "CommandLine|utf16|base64: 'cmd'",
    { CommandLine: Buffer.from('\xff\xfec\0m\0d\0', 'latin1').toString('base64') },
    { CommandLine: b64wide('cmd') },
  ],
  ['cidr', "DestinationIp|cidr: '10.0.0.0/8'", { DestinationIp: '10.1.2.3' }, { DestinationIp: '11.1.2.3' }],
  ['cidr|neq', "DestinationIp|cidr|neq: '10.0.0.0/8'", { DestinationIp: '11.1.2.3' }, { DestinationIp: '10.1.2.3' }],
  ['gte', 'Level|gte: 5', { Level: '5' }, { Level: '4' }],
  ['hour|gte', 'UtcTime|hour|gte: 20', { UtcTime: '2026-01-01 23:15:00.000' }, { UtcTime: '2026-01-01 08:15:00.000' }],
  ['exists', 'Level|exists: true', { Level: '1' }, { Image: 'x' }],
  ['exists|neq', 'Level|exists|neq: true', { Image: 'x' }, { Level: '1' }],
  ['neq|exists', 'Level|neq|exists: false', { Level: '1' }, { Image: 'x' }],
  [
    'fieldref',
    'CommandLine|fieldref: Image',
    { CommandLine: 'C:\\A.EXE', Image: 'c:\\a.exe' },
    { CommandLine: 'C:\\A.EXE x', Image: 'c:\\a.exe' },
  ],
  [
    'fieldref|contains',
    'CommandLine|fieldref|contains: Image',
    { CommandLine: 'run C:\\A.EXE now', Image: 'c:\\a.exe' },
    { CommandLine: 'run C:\\B.EXE', Image: 'c:\\a.exe' },
  ],
  [
    'fieldref|startswith',
    'CommandLine|fieldref|startswith: Image',
    { CommandLine: 'c:\\a.exe -x', Image: 'C:\\A.exe' },
    { CommandLine: 'x c:\\a.exe', Image: 'C:\\A.exe' },
  ],
  [
    'fieldref|endswith',
    'CommandLine|fieldref|endswith: Image',
    { CommandLine: 'run c:\\a.exe', Image: 'C:\\A.exe' },
    { CommandLine: 'c:\\a.exe -x', Image: 'C:\\A.exe' },
  ],
  [
    'fieldref|startswith|endswith (contains)',
    'CommandLine|fieldref|startswith|endswith: Image',
    { CommandLine: 'run c:\\a.exe now', Image: 'C:\\A.exe' },
    { CommandLine: 'run c:\\b.exe', Image: 'C:\\A.exe' },
  ],
  [
    'fieldref|neq',
    'CommandLine|fieldref|neq: Image',
    { CommandLine: 'b', Image: 'a' },
    { CommandLine: 'A', Image: 'a' },
  ],
  [
    'neq|fieldref',
    'CommandLine|neq|fieldref: Image',
    { CommandLine: 'b', Image: 'a' },
    { CommandLine: 'A', Image: 'a' },
  ],
  [
    'fieldref|contains|neq',
    'CommandLine|fieldref|contains|neq: Image',
    { CommandLine: 'run b', Image: 'a.exe' },
    { CommandLine: 'run A.EXE', Image: 'a.exe' },
  ],
  [
    'cased|fieldref',
    'CommandLine|cased|fieldref: Image',
    { CommandLine: 'Ab', Image: 'Ab' },
    { CommandLine: 'ab', Image: 'Ab' },
  ],
  [
    'fieldref|cased',
    'CommandLine|fieldref|cased: Image',
    { CommandLine: 'Ab', Image: 'Ab' },
    { CommandLine: 'ab', Image: 'Ab' },
  ],
  [
    'fieldref|contains|cased',
    'CommandLine|fieldref|contains|cased: Image',
    { CommandLine: 'x Ab y', Image: 'Ab' },
    { CommandLine: 'x ab y', Image: 'Ab' },
  ],
  [
    'fieldref|all',
    'CommandLine|fieldref|contains|all:\n    - Image\n    - User',
    { CommandLine: 'a.exe bob', Image: 'a.exe', User: 'bob' },
    { CommandLine: 'a.exe', Image: 'a.exe', User: 'bob' },
  ],
];

describe('allowed modifier chains', () => {
  it.each(ALLOWED)('%s', (_chain, selection, yes, no) => {
    const r = rule(selection);
    expect(rejections(r, { placeholders })).toEqual([]);
    expect(ruleMatches(r, sysmonEvent(yes), { placeholders })).toBe(true);
    expect(ruleMatches(r, sysmonEvent(no), { placeholders })).toBe(false);
  });
});

// Rejected chains: [chain, value, what the reason says]
const REJECTED: [string, string, string][] = [
  ['windash|re', "'-a'", 're reads the value as written'],
  ['contains|re', "'a'", 're reads the value as written'],
  ['cased|re', "'a'", 're reads the value as written'],
  ['base64|re', "'a'", 're reads the value as written'],
  ['expand|re', "'%Hosts%'", 're reads the value as written'],
  ['re|re', "'a'", 're reads the value as written'],
  ['re|cased', "'a'", 'cased does not apply to a regular expression'],
  ['re|windash', "'-a'", 'windash does not apply to a regular expression'],
  ['re|base64', "'a'", 'base64 does not apply to a regular expression'],
  ['re|base64offset', "'a'", 'base64offset does not apply to a regular expression'],
  ['re|wide', "'a'", 'wide does not apply to a regular expression'],
  ['re|utf16le', "'a'", 'utf16le does not apply to a regular expression'],
  ['re|cidr', "'10.0.0.0/8'", 'cidr reads the value as written'],
  ['re|gt', '5', 'gt compares a number as written or a date part, not a regular expression'],
  ['re|exists', 'true', 'exists reads the value as written'],
  ['re|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['contains|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['startswith|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['endswith|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['windash|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['base64|fieldref', 'Image', 'fieldref needs a plain field name'],
  ['fieldref|windash', 'Image', 'windash does not apply to a field reference (made by fieldref)'],
  ['fieldref|base64', 'Image', 'base64 does not apply to a field reference'],
  ['fieldref|re', 'Image', 're reads the value as written'],
  ['fieldref|expand', 'Image', 'expand does not apply to a field reference'],
  ['fieldref|i', 'Image', 'modifier i is only valid after re'],
  ['i', "'a'", 'modifier i is only valid after re'],
  ['contains|m', "'a'", 'modifier m is only valid after re'],
  ['s', "'a'", 'modifier s is only valid after re'],
  ['cidr|contains', "'10.0.0.0/8'", 'contains does not apply to a CIDR network (made by cidr)'],
  ['contains|cidr', "'10.0.0.0/8'", 'cidr reads the value as written'],
  ['cidr|cased', "'10.0.0.0/8'", 'cased does not apply to a CIDR network'],
  ['windash|cidr', "'10.0.0.0/8'", 'cidr reads the value as written'],
  ['gt|hour', '5', 'hour reads the value as written'],
  ['contains|gt', '5', 'gt compares a number as written or a date part, not a value a string modifier has changed'],
  ['gt|contains', '5', 'contains does not apply to a numeric comparison (made by gt)'],
  ['gt|lt', '5', 'lt compares a number as written or a date part, not a numeric comparison'],
  ['gte|cased', '5', 'cased does not apply to a numeric comparison'],
  ['hour|minute', '5', 'minute reads the value as written'],
  ['contains|hour', '5', 'hour reads the value as written'],
  ['hour|contains', '5', 'contains does not apply to a date part (made by hour)'],
  ['exists|contains', 'true', 'contains does not apply to an existence check (made by exists)'],
  ['contains|exists', 'true', 'exists reads the value as written'],
  ['exists|cased', 'true', 'cased does not apply to an existence check'],
  ['cidr|exists', 'true', 'exists reads the value as written'],
];

describe('rejected modifier chains name the chain and the reason', () => {
  it.each(REJECTED)('%s', (chain, value, reason) => {
    const reasons = rejections(rule(`CommandLine|${chain}: ${value}`), { placeholders });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(`field 'CommandLine|${chain}': modifier chain '${chain}' is not valid: ${reason}`);
  });

  it('rejects all on a single value (the specification does not allow it)', () => {
    expect(rejections(rule("CommandLine|contains|all: 'a'"))).toEqual([
      "search identifier 'selection': field 'CommandLine|contains|all': modifier all needs two or more values (the specification does not allow it on a single value)",
    ]);
  });

  it('rejects a windash value with too many dashes for an encoding to spell out', () => {
    expect(rejections(rule("CommandLine|windash|base64offset|contains: '-a -b -c -d -e'"))[0]).toContain(
      "modifier windash before base64offset: '-a -b -c -d -e' has more than 625 dash permutations",
    );
  });

  it('rejects a field reference with wildcards', () => {
    expect(rejections(rule("CommandLine|fieldref: 'Im*'"))[0]).toContain(
      "modifier fieldref needs a plain field name, not the pattern 'Im*'",
    );
  });
});

describe('the registry and the chain check', () => {
  it('every registered modifier has a chain signature (a name without one would pass any chain), and no other', () => {
    expect([...CHAIN_CHECKED_MODIFIERS].sort()).toEqual([...MODIFIERS.keys()].sort());
  });
});
