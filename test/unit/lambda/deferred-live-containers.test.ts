/**
 * The enrich functions' deferred compile with live IOC containers (a function with a containers bucket): the record
 * of synth's compile with an empty set (compile-rules.ts optionsFingerprint, RecordedRule.live) gives the same
 * problems, counts and matches as a full compile with the containers the function loaded, and follows a reload.
 */
import {
  type CompileRecord,
  compileParsedRules,
  optionsFingerprint,
  parseRuleSources,
  type RuleSource,
} from '../../../src/detection/index.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';
import { processRule, sysmonEvent } from '../../helpers/sigma-rules.js';

const source = (file: string, detection: string, extra = ''): RuleSource => ({
  file,
  text: processRule(detection, extra).replace(/^id: .*$/m, `id: ${file}`),
});

const SOURCES: RuleSource[] = [
  source('a.yml', "selection:\n    Image|endswith: '\\evil.exe'\ncondition: selection"),
  source('bad-regex.yml', "selection:\n    CommandLine|re: '(unclosed'\ncondition: selection"),
  source('pinned.yml', "selection:\n    EventID: 1\n    CommandLine|contains: 'whoami'\ncondition: selection"),
];

const full = (options = {}) => compileParsedRules(parseRuleSources(SOURCES), options);
const outline = (r: ReturnType<typeof full>) => ({ compiled: r.compiled, rejected: r.rejected, skipped: r.skipped });

describe('compileParsedRules with a compile record and live IOC containers', () => {
  const LIVE: RuleSource[] = [
    ...SOURCES,
    source('hosts.yml', "selection:\n    CommandLine|contains|expand: '%Hosts%'\ncondition: selection"),
    // Whether it compiles depends on what the container holds: its values become the regex.
    source('pattern.yml', "selection:\n    CommandLine|re|expand: '%Patterns%'\ncondition: selection"),
  ];
  const parsed = () => parseRuleSources(LIVE);
  const events = [
    sysmonEvent({ Image: 'C:\\evil.exe' }),
    sysmonEvent({ CommandLine: 'whoami /all' }),
    sysmonEvent({ CommandLine: 'ping dc1.corp' }),
    sysmonEvent({ CommandLine: 'ping dc2.corp' }),
    sysmonEvent({ CommandLine: 'run beacon-42' }),
  ];
  const matches = (r: ReturnType<typeof full>) => events.map((event) => r.ruleSet.match(event).map((m) => m.rule.file));

  it('records a compile with containers under its own fingerprint, and marks the rules that read them', () => {
    const record = compileParsedRules(parsed(), { containers: new ContainerSet() }).record as CompileRecord;
    expect(record.options).toBe(optionsFingerprint({ containers: new ContainerSet() }));
    expect(record.options).not.toBe(optionsFingerprint({}));
    expect(record.rules.filter((r) => r.live).map((r) => r.file)).toEqual(['hosts.yml', 'pattern.yml']);
    // Without containers nothing reads them: no rule is marked, and the record is not the same.
    const without = compileParsedRules(parsed()).record as CompileRecord;
    expect(without.rules.some((r) => r.live)).toBe(false);
    expect(compileParsedRules(parsed(), { containers: new ContainerSet() }, { record: without }).record).not.toBe(
      without,
    );
  });

  it.each([
    ['empty', []],
    ['with hosts', [{ name: 'Hosts', values: ['dc1.corp'] }]],
    ['with a valid pattern', [{ name: 'Patterns', values: ['beacon-\\d+'] }]],
    ['with a pattern that is no regex', [{ name: 'Patterns', values: ['(unclosed'] }]],
  ])(
    'rejects, counts and matches as the full compile with the same containers does (%s), and follows a reload',
    (_, loaded) => {
      // The record is made with an empty set (as synth does); the function's set holds what S3 held at its start.
      const record = compileParsedRules(parsed(), { containers: new ContainerSet() }).record as CompileRecord;
      const fullSet = new ContainerSet(loaded);
      const deferredSet = new ContainerSet(loaded);
      const first = compileParsedRules(parsed(), { containers: fullSet });
      const again = compileParsedRules(parsed(), { containers: deferredSet }, { record });
      expect(again.record).toBe(record);
      expect(outline(again)).toEqual(outline(first));
      expect(matches(again)).toEqual(matches(first));
      // A reload: both follow it the same way.
      const reloaded = [
        { name: 'Hosts', values: ['dc2.corp'] },
        { name: 'Patterns', values: ['beacon'] },
      ];
      fullSet.replaceAll(reloaded);
      deferredSet.replaceAll(reloaded);
      expect(matches(again)).toEqual(matches(first));
    },
  );

  it('matches what the container holds through the deferred compile', () => {
    const record = compileParsedRules(parsed(), { containers: new ContainerSet() }).record as CompileRecord;
    const set = new ContainerSet([{ name: 'Hosts', values: ['dc1.corp'] }]);
    const deferred = compileParsedRules(parsed(), { containers: set }, { record });
    expect(deferred.ruleSet.match(sysmonEvent({ CommandLine: 'ping dc1.corp' })).map((m) => m.rule.file)).toEqual([
      'hosts.yml',
    ]);
  });
});
