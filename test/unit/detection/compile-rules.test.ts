import { compileRules } from '../../../src/detection/index.js';
import { LOOKAROUND_REASON } from '../../../src/detection/regex.js';
import { SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { processRule, rejections, sysmonEvent } from '../../helpers/sigma-rules.js';

const sel = (s: string, condition = 'selection') => processRule(`selection:\n    ${s}\ncondition: ${condition}`);

describe('compile errors carry their reason', () => {
  it.each([
    ['unknown modifier', sel("Image|sideways: 'x'"), 'unknown modifier sideways'],
    ['lookahead', sel("Image|re: 'a(?=b)'"), LOOKAROUND_REASON],
    ['lookbehind', sel("Image|re: '(?<!a)b'"), LOOKAROUND_REASON],
    ['backreference', sel("Image|re: '(a)\\1'"), LOOKAROUND_REASON],
    ['invalid regex', sel("Image|re: 'a(b'"), 'invalid regular expression'],
    ['unresolved placeholder', sel("User|expand: '%Admins%'"), 'unresolved placeholder %Admins%'],
    ['invalid cidr', sel("Ip|cidr: '10.0.0.0/33'"), "invalid CIDR network '10.0.0.0/33'"],
    ['gt on text', sel("Level|gt: 'high'"), 'modifier gt needs numeric values'],
    ['exists on text', sel("Level|exists: 'maybe'"), 'modifier exists needs a boolean value'],
    ['base64 of a wildcard', sel("Level|base64: 'a*'"), 'modifier base64 cannot encode a value with wildcards'],
    ['i without re', sel("Level|i: 'a'"), 'modifier i is only valid after re'],
    ['unknown identifier', sel("Image: 'x'", 'selection and filter'), "unknown search identifier 'filter'"],
    ['pattern matching nothing', sel("Image: 'x'", '1 of filter_*'), "'filter_*' matches no search identifier"],
    ['unbalanced parentheses', sel("Image: 'x'", '(selection'), "missing ')'"],
    ['aggregation', sel("Image: 'x'", 'selection | count() > 5'), 'aggregation in condition'],
    ['missing condition', processRule("selection:\n    Image: 'x'"), 'missing detection condition'],
    [
      'missing title',
      'logsource:\n    product: windows\ndetection:\n    s:\n        A: 1\n    condition: s',
      'missing title',
    ],
    ['bad YAML', 'title: x\n  bad: [', 'invalid YAML'],
    [
      'unknown category',
      sel("Image: 'x'").replace('process_creation', 'teleportation'),
      'unknown logsource category: teleportation',
    ],
  ])('%s', (_name, text, reason) => {
    expect(rejections(text).join('\n')).toContain(reason);
  });

  it('collects every error and keeps compiling the good rules', () => {
    const result = compileRules([
      { file: 'bad1.yml', text: sel("Image|sideways: 'x'") },
      { file: 'good.yml', text: sel("Image: 'x'") },
      { file: 'bad2.yml', text: 'title: [' },
    ]);
    expect(result.compiled).toBe(1);
    expect(result.ruleSet.size).toBe(1);
    expect(result.rejected.map((r) => r.file)).toEqual(['bad1.yml', 'bad2.yml']);
  });
});

describe('skipping', () => {
  it.each([
    ['deprecated', 'status: deprecated', 'status: deprecated'],
    ['unsupported', 'status: unsupported', 'status: unsupported'],
  ])('%s rules are skipped, not rejected', (_name, status, reason) => {
    const result = compileRules([{ file: 'r.yml', text: sel("Image: 'x'").replace('status: test', status) }]);
    expect(result).toMatchObject({ compiled: 0, rejected: [], skipped: [{ file: 'r.yml', reason }] });
  });

  it('skips non-Windows rules', () => {
    const text = sel("Image: 'x'").replace('product: windows', 'product: linux');
    expect(compileRules([{ file: 'l.yml', text }]).skipped[0]?.reason).toBe('not a Windows rule (product: linux)');
  });

  it('rejects a correlation rule that references nothing known (correlations: correlation/*.test.ts)', () => {
    const text =
      'title: c\ncorrelation:\n    type: event_count\n    rules: [x]\n    group-by: [User]\n    timespan: 1h\n    condition:\n        gte: 2\n';
    expect(compileRules([{ file: 'c.yml', text }]).rejected).toEqual([
      { file: 'c.yml', reason: 'correlation references unknown rule x' },
    ]);
  });

  it('applies skipStatuses and minLevel options', () => {
    const rule = sel("Image: 'x'");
    expect(compileRules([{ file: 'r.yml', text: rule }], { skipStatuses: ['test'] }).compiled).toBe(0);
    expect(compileRules([{ file: 'r.yml', text: rule }], { minLevel: 'critical' }).skipped[0]?.reason).toBe(
      'level high is below critical',
    );
    expect(compileRules([{ file: 'r.yml', text: rule }], { minLevel: 'high' }).compiled).toBe(1);
  });
});

describe('multi-document files and meta filters', () => {
  const rule = sel("Image|endswith: '\\rar.exe'").replace(
    'id: 00000000-0000-4000-8000-000000000001',
    'id: 6f3e2987-db24-4c78-a860-b4f4095a7095\nname: rar_use',
  );
  const filter = (ref: string, category = 'process_creation') => `title: Filter admins
logsource:
    category: ${category}
    product: windows
filter:
    rules:
        - ${ref}
    selection:
        User|startswith: 'adm_'
    condition: selection
`;

  it.each([
    ['by id', '6f3e2987-db24-4c78-a860-b4f4095a7095'],
    ['by name', 'rar_use'],
  ])('a filter referenced %s excludes its events', (_how, ref) => {
    const { ruleSet, rejected } = compileRules([{ file: 'multi.yml', text: `${rule}\n---\n${filter(ref)}` }]);
    expect(rejected).toEqual([]);
    expect(ruleSet.match(sysmonEvent({ Image: 'C:\\rar.exe', User: 'adm_bob' }))).toHaveLength(0);
    expect(ruleSet.match(sysmonEvent({ Image: 'C:\\rar.exe', User: 'bob' }))).toHaveLength(1);
  });

  it('reports a filter naming an unknown rule', () => {
    const result = compileRules([{ file: 'f.yml', text: filter('no-such-rule') }]);
    expect(result.rejected).toEqual([{ file: 'f.yml', reason: 'filter references unknown rule no-such-rule' }]);
  });

  it('reports a filter whose logsource does not match its rule, and leaves the rule unfiltered', () => {
    const result = compileRules([
      { file: 'r.yml', text: rule },
      { file: 'f.yml', text: filter('rar_use', 'image_load') },
    ]);
    expect(result.rejected[0]?.reason).toContain('filter logsource does not match');
    expect(result.ruleSet.match(sysmonEvent({ Image: 'C:\\rar.exe', User: 'adm_bob' }))).toHaveLength(1);
  });

  it('names the line of a bad document in a multi-document file', () => {
    const result = compileRules([{ file: 'm.yml', text: `${rule}\n---\n${sel("Image|nope: 'x'")}` }]);
    expect(result.compiled).toBe(1);
    expect(result.rejected[0]).toMatchObject({
      file: 'm.yml',
      reason: expect.stringContaining('unknown modifier nope'),
    });
    expect(result.rejected[0]?.line).toBeGreaterThan(10);
  });
});

describe('routing by logsource', () => {
  const rule = (logsource: string, selection = "Image: 'x'") => `title: r
id: r-${logsource.replace(/\W/g, '')}
logsource:
${logsource.replace(/^/gm, '    ')}
detection:
    selection:
        ${selection}
    condition: selection
level: low
`;
  // [logsource, event overrides, expected]
  it.each([
    ['product: windows\ncategory: process_creation', { eventId: 1 }, true],
    ['product: windows\ncategory: process_creation', { eventId: 3 }, false],
    ['product: windows\ncategory: network_connection', { eventId: 3 }, true],
    ['product: windows\ncategory: registry_event', { eventId: 14 }, true],
    ['product: windows\ncategory: registry_set', { eventId: 12 }, false],
    ['product: windows\ncategory: dns_query', { eventId: 22 }, true],
    [
      'product: windows\ncategory: dns_query',
      { channel: 'Microsoft-Windows-DNS-Client/Operational', eventId: 3008 },
      false,
    ],
    ['product: windows\ncategory: ps_script', { channel: 'PowerShellCore/Operational', eventId: 4104 }, true],
    ['product: windows\nservice: security', { channel: 'Security', eventId: 4624 }, true],
    ['product: windows\nservice: security', { channel: 'System', eventId: 4624 }, false],
    [
      'product: windows\nservice: dns-client',
      { channel: 'Microsoft-Windows-DNS-Client/Operational', eventId: 3008 },
      true,
    ],
    ['product: windows\nservice: sysmon', { eventId: 255 }, true],
    ['product: windows\ncategory: file_access', { channel: 'x', provider: 'Microsoft-Windows-Kernel-File' }, true],
    ['product: windows', { channel: 'Anything', eventId: 7 }, true],
  ])('%s on %j -> %s', (logsource, overrides, expected) => {
    const { ruleSet, rejected } = compileRules([{ file: 'r.yml', text: rule(logsource) }]);
    expect(rejected).toEqual([]);
    const event = sysmonEvent({ Image: 'x' }, { channel: SYSMON_CHANNEL, ...overrides });
    expect(ruleSet.match(event).length > 0).toBe(expected);
  });

  it('maps process_creation field names for Security 4688', () => {
    const { ruleSet } = compileRules([
      { file: 'r.yml', text: rule('product: windows\ncategory: process_creation', "Image|endswith: '\\whoami.exe'") },
    ]);
    const e = sysmonEvent({ NewProcessName: 'C:\\Windows\\whoami.exe' }, { channel: 'Security', eventId: 4688 });
    expect(ruleSet.match(e)).toHaveLength(1);
  });

  it('indexes service rules by the EventID their detection pins', () => {
    const text = rule('product: windows\nservice: security', 'EventID: 4624');
    const { ruleSet } = compileRules([{ file: 'r.yml', text }]);
    expect(ruleSet.match(sysmonEvent({}, { channel: 'Security', eventId: 4624 }))).toHaveLength(1);
    expect(ruleSet.match(sysmonEvent({}, { channel: 'Security', eventId: 4625 }))).toHaveLength(0);
  });

  it('rejects a service the taxonomy does not define, unless configured', () => {
    const text = rule('product: windows\nservice: smbserver-connectivity');
    expect(rejections(text)).toEqual(['unknown logsource service: smbserver-connectivity']);
    const options = { services: { 'smbserver-connectivity': ['Microsoft-Windows-SmbServer/Connectivity'] } };
    expect(compileRules([{ file: 'r.yml', text }], options).compiled).toBe(1);
  });

  it('applies the fieldMap option', () => {
    const { ruleSet } = compileRules([{ file: 'r.yml', text: rule('product: windows\ncategory: process_creation') }], {
      fieldMap: { Image: 'ProcessPath' },
    });
    expect(ruleSet.match(sysmonEvent({ ProcessPath: 'x' }))).toHaveLength(1);
  });
});

describe('matches', () => {
  it('name the rule with its metadata', () => {
    const text = `${sel("Image: 'x'")}tags:\n    - attack.execution\n    - attack.t1059\nauthor: me\n`;
    const { ruleSet } = compileRules([{ file: 'rules/x.yml', text }]);
    expect(ruleSet.match(sysmonEvent({ Image: 'x' }))).toEqual([
      {
        rule: expect.objectContaining({
          id: '00000000-0000-4000-8000-000000000001',
          title: 'Test rule',
          level: 'high',
          tags: ['attack.execution', 'attack.t1059'],
          file: 'rules/x.yml',
          status: 'test',
          author: 'me',
        }),
      },
    ]);
  });

  it('never throws, even on odd events', () => {
    const { ruleSet } = compileRules([{ file: 'r.yml', text: sel("Image|re: 'a'") }]);
    const odd = { ...sysmonEvent({}), data: { Image: 5 as unknown as string, constructor: 'x' } };
    expect(() => ruleSet.match(odd)).not.toThrow();
  });
});
