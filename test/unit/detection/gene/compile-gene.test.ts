import { compileRules } from '../../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';
import { ContainerSet } from '../../../../src/ioc/container-set.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function event(data: Record<string, string>, over: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    host: 'PC1.corp',
    channel: SYSMON,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 1,
    time: Date.UTC(2024, 0, 1),
    format: 'evtx-json',
    data,
    ...over,
  };
}

/** A Gene rule as JSON text; `meta` and the rest override the defaults. */
function gene(rule: {
  Name?: string;
  Meta?: Record<string, unknown>;
  Matches?: string[];
  Condition?: string;
  [k: string]: unknown;
}): string {
  return JSON.stringify({
    Name: 'R',
    Tags: [],
    ...rule,
    Meta: { Events: { [SYSMON]: [1] }, Computers: [], Criticality: 5, ...rule.Meta },
  });
}

function compile(text: string, containers?: ContainerSet) {
  return compileRules([{ file: 'rules.gen', text }], containers ? { containers } : {});
}

function matches(text: string, e: CanonicalEvent, containers?: ContainerSet): boolean {
  const r = compile(text, containers);
  expect(r.rejected).toEqual([]);
  return r.ruleSet.match(e).some((m) => m.rule.id === 'R');
}

describe('Gene rules compiled into the rule set', () => {
  it.each([
    // `=` is the whole value, literally (no escapes: Gene quotes it), case as written
    ["Image = 'C:\\a.exe'", { Image: 'C:\\a.exe' }, true],
    ["Image = 'C:\\a.exe'", { Image: 'c:\\a.exe' }, false],
    ["Image = 'C:\\\\a.exe'", { Image: 'C:\\a.exe' }, false],
    ["Image = 'a.exe'", { Image: 'C:\\a.exe' }, false],
    ["Image ~= 'a\\.exe$'", { Image: 'C:\\a.exe' }, true], // `~=` searches
    ["Image ~= '(?i:A\\.EXE)'", { Image: 'C:\\a.exe' }, true],
    ["Image ~= 'A\\.EXE'", { Image: 'C:\\a.exe' }, false],
    ["CommandLine ~= '?i:(BINPATH)'", { CommandLine: 'sc binpath=' }, true], // Gene compiles `(value)`
    ["GrantedAccess &= '0x1010'", { GrantedAccess: '0x1F1010' }, true],
    ["GrantedAccess &= '0x1010'", { GrantedAccess: '0x1000' }, false],
    ["GrantedAccess &= '0x10'", { GrantedAccess: 'full' }, false],
    ["Size > '10'", { Size: '11' }, true],
    ["Size > '10'", { Size: '0xA' }, false],
    ["Size >= '10'", { Size: '10' }, true],
    ["Size < '10'", { Size: '9.5' }, true],
    ["Size <= '10'", { Size: 'x' }, false],
    ['ParentProcessGuid = @ProcessGuid', { ParentProcessGuid: '{1}', ProcessGuid: '{1}' }, true],
    ['ParentProcessGuid = @ProcessGuid', { ParentProcessGuid: '{1}', ProcessGuid: '{2}' }, false],
    ['ParentProcessGuid = @ProcessGuid', { ParentProcessGuid: '{1}' }, false],
    ["Missing = ''", {}, false], // an absent field matches nothing
    ["/Event/System/Computer = 'PC1.corp'", {}, true],
    ["/Event/EventData/Image = 'x'", { Image: 'x' }, true],
  ])('$m: %s on %j: %s', (match, data, expected) => {
    expect(matches(gene({ Matches: [`$m: ${match}`], Condition: '$m' }), event(data))).toBe(expected);
  });

  it('evaluates the condition over the matches', () => {
    const rule = gene({ Matches: ["$a: Image ~= 'cmd'", "$b: User = 'SYSTEM'"], Condition: '$a and !$b' });
    expect(matches(rule, event({ Image: 'cmd.exe', User: 'alice' }))).toBe(true);
    expect(matches(rule, event({ Image: 'cmd.exe', User: 'SYSTEM' }))).toBe(false);
  });

  it('indexes by Meta.Events: listed IDs, every ID of a channel, or every event', () => {
    const listed = gene({ Meta: { Events: { Security: [4624] } } });
    const anyId = gene({ Meta: { Events: { Security: [] } } });
    const everywhere = gene({ Meta: { Events: {} } });
    const e4624 = event({}, { channel: 'Security', eventId: 4624 });
    const e4625 = event({}, { channel: 'Security', eventId: 4625 });
    expect([matches(listed, e4624), matches(listed, e4625), matches(listed, event({}))]).toEqual([true, false, false]);
    expect([matches(anyId, e4624), matches(anyId, e4625), matches(anyId, event({}))]).toEqual([true, true, false]);
    expect([matches(everywhere, e4625), matches(everywhere, event({}))]).toEqual([true, true]);
  });

  it('checks Meta.Computers (host names compared case-insensitively)', () => {
    const rule = gene({ Meta: { Computers: ['pc1.CORP'] } });
    expect(matches(rule, event({}))).toBe(true);
    expect(matches(rule, event({}, { host: 'PC2' }))).toBe(false);
  });

  it('gives the rule its info: id and title from Name, level from Criticality, tags with ATT&CK, format gene', () => {
    const text = gene({
      Name: 'R',
      Tags: ['Lateral', ''],
      Meta: {
        Criticality: 8,
        ATTACK: [{ ID: 'T1140', Tactic: 'defense-evasion', Reference: 'https://attack.mitre.org/techniques/T1140' }],
      },
      Actions: ['kill'],
    });
    const [m] = compile(text).ruleSet.match(event({}));
    expect(m?.rule).toEqual({
      id: 'R',
      title: 'R',
      level: 'high',
      tags: ['Lateral', 'attack.t1140', 'attack.defense-evasion'],
      file: 'rules.gen',
      format: 'gene',
      criticality: 8,
      references: ['https://attack.mitre.org/techniques/T1140'],
      actions: ['kill'],
    });
    // Severity (later Gene versions) is read the same way.
    expect(compile(gene({ Meta: { Severity: 10 } })).ruleSet.match(event({}))[0]?.rule.level).toBe('critical');
  });

  it('reads one rule per line, and concatenated pretty-printed rules, with the line of each problem', () => {
    const two = `${gene({ Name: 'A' })}\n${gene({ Name: 'B', Matches: ['nonsense'], Condition: '' })}\n`;
    const r = compile(two);
    expect(r.compiled).toBe(1);
    expect(r.rejected).toEqual([{ file: 'rules.gen', line: 2, reason: 'rule B: unknown match statement: nonsense' }]);
    const pretty = `${JSON.stringify(JSON.parse(gene({ Name: 'A' })), null, 2)}\n${JSON.stringify(JSON.parse(gene({ Name: 'B' })), null, 2)}`;
    expect(compile(pretty).compiled).toBe(2);
  });

  it.each([
    [{ Matches: ["$a: Image ~= '('"], Condition: '$a' }, 'invalid regular expression'],
    [{ Matches: ["$a: Image = 'x'"], Condition: '$a and $b' }, 'unknown operand $b'],
    [{ Matches: ["$a: Image = 'x'", "$a: Image = 'y'"], Condition: '$a' }, 'defined twice'],
    [{ Matches: ["$a: Image = 'x'"], Condition: '' }, 'Matches without a Condition'],
    [{ Matches: ["$a: Image &= 'x'"], Condition: '$a' }, '&= needs an integer'],
    [{ Matches: ["$a: Image > 'x'"], Condition: '$a' }, '> needs a number'],
    [{ Matches: ["$a: /Event/System/Security/UserID = 'x'"], Condition: '$a' }, 'unsupported field path'],
    [{ Meta: { Events: { Security: ['x'] } } }, 'is not a list of event IDs'],
    [{ Name: '' }, 'missing Name'],
  ])('rejects %j (%s)', (rule, reason) => {
    const r = compile(gene(rule));
    expect(r.compiled).toBe(0);
    expect(r.rejected.map((p) => p.reason).join()).toContain(reason);
  });

  it('rejects a second rule of the same name, and text that is not JSON', () => {
    const r = compile(`${gene({})}\n${gene({})}\n{ nope\n`);
    expect(r.compiled).toBe(1);
    expect(r.rejected.map((p) => p.reason)).toEqual([
      expect.stringContaining('duplicate Gene rule name R'),
      expect.stringContaining('not JSON'),
    ]);
  });

  it('skips disabled rules, filter rules (compiled: a bad one is rejected) and rules for other systems', () => {
    const r = compile(
      [
        gene({ Name: 'D', Meta: { Disable: true } }),
        gene({ Name: 'F', Meta: { Filter: true } }),
        gene({ Name: 'BadF', Meta: { Filter: true }, Matches: ["$a: X ~= '('"], Condition: '$a' }),
        gene({ Name: 'K', Meta: { Events: { kunai: [1] } } }),
        gene({ Name: 'L', Meta: { OSs: ['linux'] } }),
      ].join('\n'),
    );
    expect(r.compiled).toBe(0);
    expect(r.skipped.map((s) => s.reason.split(':')[0])).toEqual(['rule D', 'rule F', 'rule K', 'rule L']);
    expect(r.rejected.map((s) => s.reason.split(':')[0])).toEqual(['rule BadF']);
  });

  it('applies the rule selection to the level derived from Criticality', () => {
    const text = [
      gene({ Name: 'Low', Meta: { Criticality: 2 } }),
      gene({ Name: 'High', Meta: { Criticality: 8 } }),
    ].join('\n');
    const r = compileRules([{ file: 'rules.gen', text }], { minLevel: 'high' });
    expect(r.compiled).toBe(1);
    expect(r.skipped).toEqual([expect.objectContaining({ leftOutBy: 'level', line: 1 })]);
  });

  it('shares one rule set with Sigma rules', () => {
    const sigma = `title: S\nid: s-1\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {Image|endswith: a.exe}\n  condition: sel\n`;
    const r = compileRules([
      { file: 'rules.gen', text: gene({ Matches: ["$a: Image ~= 'a\\.exe'"], Condition: '$a' }) },
      { file: 's.yml', text: sigma },
    ]);
    expect(r.rejected).toEqual([]);
    const found = r.ruleSet.match(event({ Image: 'C:\\a.exe' })).map((m) => [m.rule.id, m.rule.format ?? 'sigma']);
    expect(found.sort()).toEqual([
      ['R', 'gene'],
      ['s-1', 'sigma'],
    ]);
  });
});

describe('Gene `in <container>`', () => {
  const rule = gene({
    Meta: { Events: { 'Microsoft-Windows-DNS-Client/Operational': [] } },
    Matches: ["$d: extract('(?P<dom>\\w+\\.\\w+$)', QueryName) in blacklist"],
    Condition: '$d',
  });
  const dns = (name: string) =>
    event({ QueryName: name }, { channel: 'Microsoft-Windows-DNS-Client/Operational', eventId: 3008 });

  it('looks the extracted group up in the container, case-insensitively', () => {
    const containers = new ContainerSet([{ name: 'blacklist', values: ['Evil.com'] }]);
    expect(matches(rule, dns('www.evil.COM'), containers)).toBe(true);
    expect(matches(rule, dns('www.good.com'), containers)).toBe(false);
    expect(matches(rule, dns('localhost'), containers)).toBe(false); // the regex finds nothing
  });

  it('is inactive (a warning, not a rejection) while its container is not loaded, and follows reloads', () => {
    const containers = new ContainerSet();
    const r = compile(rule, containers);
    expect(r.rejected).toEqual([]);
    expect(r.warnings).toEqual([
      { file: 'rules.gen', line: 1, reason: 'inactive while container(s) blacklist are not loaded' },
    ]);
    expect(r.ruleSet.match(dns('www.evil.com'))).toEqual([]);
    containers.replaceAll([{ name: 'blacklist', values: ['evil.com'] }]);
    expect(r.ruleSet.match(dns('www.evil.com')).map((m) => m.rule.id)).toEqual(['R']);
    containers.replaceAll([{ name: 'blacklist', values: ['other.com'] }]);
    expect(r.ruleSet.match(dns('www.evil.com'))).toEqual([]);
  });

  it('keeps a negated container match false while the container is absent (the whole rule waits)', () => {
    const whitelist = gene({ Matches: ["$w: extract('(?P<h>[A-F0-9]{32})', Hashes) in whitelist"], Condition: '!$w' });
    const containers = new ContainerSet();
    const r = compile(whitelist, containers);
    const e = event({ Hashes: 'MD5=00112233445566778899AABBCCDDEEFF' });
    expect(r.ruleSet.match(e)).toEqual([]);
    containers.replaceAll([{ name: 'whitelist', values: [] }]);
    expect(r.ruleSet.match(e).length).toBe(1);
    containers.replaceAll([{ name: 'whitelist', values: ['00112233445566778899aabbccddeeff'] }]);
    expect(r.ruleSet.match(e)).toEqual([]);
  });
});

describe('Gene regex templates', () => {
  it('rejects a rule whose match still holds a {{template}} (compiled.gen has them expanded)', () => {
    const r = compile(gene({ Matches: ["$a: Image ~= '{{exec-exts}}$'"], Condition: '$a' }));
    expect(r.rejected.map((p) => p.reason)).toEqual([
      expect.stringContaining('regex template {{exec-exts}} is not expanded'),
    ]);
  });
});
