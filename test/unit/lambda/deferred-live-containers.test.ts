/**
 * The enrich functions' deferred compile with live IOC containers (a function with a containers bucket): the record
 * of synth's compile (without containers; its rules with an `|expand` field marked, compile-rules.ts
 * RecordedRule.live) gives the same problems, counts and matches as a full compile with the containers the function
 * loaded, and follows a reload.
 */
import {
  type CompileRecord,
  compileParsedRules,
  optionsFingerprint,
  parseRuleSources,
  type RuleSource,
} from '../../../src/detection/index.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';
import { processRuleSource, sysmonEvent } from '../../helpers/sigma-rules.js';

const source = processRuleSource;

const SOURCES: RuleSource[] = [
  source('a.yml', "selection:\n    Image|endswith: '\\evil.exe'\ncondition: selection"),
  source('bad-regex.yml', "selection:\n    CommandLine|re: '(unclosed'\ncondition: selection"),
  source('pinned.yml', "selection:\n    EventID: 1\n    CommandLine|contains: 'whoami'\ncondition: selection"),
];

const LIVE_SOURCES: RuleSource[] = [
  ...SOURCES,
  source('hosts.yml', "selection:\n    CommandLine|contains|expand: '%Hosts%'\ncondition: selection"),
  // Its values become a regex: a container could hold one that is not.
  source('pattern.yml', "selection:\n    CommandLine|re|expand: '%Patterns%'\ncondition: selection"),
];

const full = (options = {}) => compileParsedRules(parseRuleSources(LIVE_SOURCES), options);
const outline = (r: ReturnType<typeof full>) => ({ compiled: r.compiled, rejected: r.rejected, skipped: r.skipped });

describe('compileParsedRules with a compile record and live IOC containers', () => {
  const parsed = () => parseRuleSources(LIVE_SOURCES);
  const events = [
    sysmonEvent({ Image: 'C:\\evil.exe' }),
    sysmonEvent({ CommandLine: 'whoami /all' }),
    sysmonEvent({ CommandLine: 'ping dc1.corp' }),
    sysmonEvent({ CommandLine: 'ping dc2.corp' }),
    sysmonEvent({ CommandLine: 'run beacon-42' }),
  ];
  const matches = (r: ReturnType<typeof full>) => events.map((event) => r.ruleSet.match(event).map((m) => m.rule.file));

  it('marks the rules with an |expand field, and serves a compile with or without containers', () => {
    const record = compileParsedRules(parsed()).record as CompileRecord;
    expect(record.options).toBe(optionsFingerprint({ containers: new ContainerSet() }));
    expect(record.rules.filter((r) => r.live).map((r) => r.file)).toEqual(['hosts.yml', 'pattern.yml']);
    // Made with an empty set: the same marks, and every unmarked rule recorded the same (only the marked ones'
    // outcomes differ: without containers an unresolved placeholder rejects them; they are compiled again anyway).
    const withSet = compileParsedRules(parsed(), { containers: new ContainerSet() }).record as CompileRecord;
    const unmarked = (r: CompileRecord) => r.rules.map((x) => (x.live ? { file: x.file, live: true } : x));
    expect(unmarked(withSet)).toEqual(unmarked(record));
    expect(withSet.rules.filter((r) => r.live && r.error !== undefined)).toEqual([]);
    expect(record.rules.filter((r) => r.live && r.error !== undefined)).toHaveLength(2);
    expect(compileParsedRules(parsed(), { containers: new ContainerSet() }, { record }).record).toBe(record);
    expect(compileParsedRules(parsed(), {}, { record }).record).toBe(record);
  });

  it('compiles the marked rules in full: without containers they are rejected as the full compile rejects them', () => {
    const record = compileParsedRules(parsed()).record as CompileRecord;
    // A record claiming the marked rules compiled: it is not believed for them.
    const forged = { ...record, rules: record.rules.map((r) => (r.live ? { ...r, error: undefined } : r)) };
    expect(outline(compileParsedRules(parsed(), {}, { record: forged }))).toEqual(outline(full()));
    expect(full().rejected.map((p) => p.file)).toContain('hosts.yml');
  });

  it.each([
    ['empty', []],
    ['with hosts', [{ name: 'Hosts', values: ['dc1.corp'] }]],
    ['with a valid pattern', [{ name: 'Patterns', values: ['beacon-\\d+'] }]],
    ['with a pattern that is no regex', [{ name: 'Patterns', values: ['(unclosed'] }]],
  ])(
    'rejects, counts and matches as the full compile with the same containers does (%s), and follows a reload',
    (_, loaded) => {
      // The record is made without containers (as synth does); the function's set holds what S3 held at its start.
      const record = compileParsedRules(parsed()).record as CompileRecord;
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
    const record = compileParsedRules(parsed()).record as CompileRecord;
    const set = new ContainerSet([{ name: 'Hosts', values: ['dc1.corp'] }]);
    const deferred = compileParsedRules(parsed(), { containers: set }, { record });
    expect(deferred.ruleSet.match(sysmonEvent({ CommandLine: 'ping dc1.corp' })).map((m) => m.rule.file)).toEqual([
      'hosts.yml',
    ]);
  });
});
