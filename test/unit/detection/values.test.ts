import { compileStringTest, parseSigmaString } from '../../../src/detection/sigma-string.js';
import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';

const lower = (t: string) => t.toLowerCase();

describe('wildcards and escaping (specification: Escape Character)', () => {
  // [value as written in the rule (YAML single-quoted), field value, expected]
  it.each([
    ['prog?.exe', 'progA.exe', true],
    ['prog?.exe', 'prog.exe', false],
    ['prog?.exe', 'progAB.exe', false],
    ['antivirus_V*.exe', 'antivirus_V21.2.1.exe', true],
    ['antivirus_V*.exe', 'antivirus_X1.exe', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'acb', false],
    ['a*b?c', 'a_b_b_c', true],
    ['*', '', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['\\?', '?', true],
    ['\\?', 'x', false],
    ['C:\\Windows', 'C:\\Windows', true], // single backslash before a letter is literal
    ['C:\\\\Windows', 'C:\\Windows', true], // double backslash is one backslash
    ['\\\\*', '\\anything', true], // escaped backslash, then a wildcard
    ['\\\\*', '\\', true],
    ['\\\\\\*', '\\*', true], // backslash then plain asterisk
    ['\\\\\\*', '\\x', false],
    ['\\\\\\\\', '\\\\', true], // four backslashes: two plain backslashes
    ['a\\', 'a\\', true], // trailing backslash is literal
  ])('%s vs %s -> %s', (written, value, expected) => {
    const test = compileStringTest(parseSigmaString(written), lower);
    expect(test(value.toLowerCase())).toBe(expected);
  });

  it('three backslashes before a letter are two backslashes (handled as double backslash)', () => {
    expect(parseSigmaString('\\\\\\x').parts).toEqual(['\\\\x']);
  });
});

describe('special values', () => {
  it.each([
    ['null matches an absent field', 'ParentImage: null', { Image: 'x' }, true],
    ['null matches an empty field', 'ParentImage: null', { ParentImage: '' }, true],
    ['null (negative)', 'ParentImage: null', { ParentImage: 'x' }, false],
    ["'' matches an empty field", "ParentImage: ''", { ParentImage: '' }, true],
    ["'' (negative: absent)", "ParentImage: ''", { Image: 'x' }, false],
    ['a condition on an absent field is false', "ParentImage|contains: 'x'", { Image: 'x' }, false],
    ['numbers match the field text', 'TerminalSessionId: 0', { TerminalSessionId: '0' }, true],
    ['hex numbers keep their text', 'Flags: 0x17', { Flags: '0x17' }, true],
    ['hex numbers (negative: 23)', 'Flags: 0x17', { Flags: '23' }, false],
    ['booleans match their text', 'Enabled: true', { Enabled: 'True' }, true],
    ['map is AND', "Image|endswith: '\\a.exe'\nUser: bob", { Image: 'C:\\a.exe', User: 'eve' }, false],
    ['field names tolerate case', "image|endswith: '\\a.exe'", { Image: 'C:\\a.exe' }, true],
    ['field names ignore spaces of the log', "ThreatName: 'x'", { 'Threat Name': 'X' }, true],
    ['EventID is the System event id', 'EventID: 1', { Image: 'x' }, true],
    ['Computer is the host', "Computer|startswith: 'ws01'", { Image: 'x' }, true],
    ['Provider_Name', "Provider_Name: 'Microsoft-Windows-Sysmon'", {}, true],
  ])('%s', (_name, selection, data, expected) => {
    const rule = processRule(`selection:\n${selection.replace(/^/gm, '    ')}\ncondition: selection`);
    expect(ruleMatches(rule, sysmonEvent(data as Record<string, string>))).toBe(expected);
  });
});

describe('keywords', () => {
  it.each([
    [
      'a keyword list is OR over every value',
      "keywords:\n    - 'mimikatz'\n    - 'sekurlsa'",
      { CommandLine: 'run SEKURLSA::x' },
      true,
    ],
    ['keywords (negative)', "keywords:\n    - 'mimikatz'", { CommandLine: 'calc' }, false],
    [
      '|all keywords are AND',
      "keywords:\n    '|all':\n        - 'Oab'\n        - ' -ExternalUrl '",
      { A: 'oab', B: 'x -externalurl y' },
      true,
    ],
    [
      '|all keywords (negative)',
      "keywords:\n    '|all':\n        - 'Oab'\n        - ' -ExternalUrl '",
      { A: 'oab' },
      false,
    ],
    [
      'a list of maps is OR',
      "selection:\n    - Image|endswith: '\\a.exe'\n    - Description|contains: 'Test'",
      { Description: 'a test' },
      true,
    ],
    ['keywords search the host too', "keywords:\n    - 'corp.example'", {}, true],
  ])('%s', (_name, detection, data, expected) => {
    const name = detection.split(':')[0];
    const rule = processRule(`${detection}\ncondition: ${name}`);
    expect(ruleMatches(rule, sysmonEvent(data as Record<string, string>))).toBe(expected);
  });
});
