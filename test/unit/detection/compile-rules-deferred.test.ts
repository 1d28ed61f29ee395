/**
 * compileParsedRules with the record of an earlier full compile (DeferOptions): the record is used only for the
 * same options and rules; what the full compile rejected is rejected again, from the record; the predicates wait
 * for their list's first event.
 */
import {
  type CompileRecord,
  compileParsedRules,
  optionsFingerprint,
  parseRuleSources,
  type RuleSource,
} from '../../../src/detection/index.js';
import { DEFAULT_SELECTION, parseRuleSelection } from '../../../src/detection/rule-selection.js';
import { processRuleSource, sysmonEvent } from '../../helpers/sigma-rules.js';

const source = processRuleSource;

const SOURCES: RuleSource[] = [
  source('a.yml', "selection:\n    Image|endswith: '\\evil.exe'\ncondition: selection"),
  source('bad-regex.yml', "selection:\n    CommandLine|re: '(unclosed'\ncondition: selection"),
  source('bad-modifier.yml', "selection:\n    CommandLine|nosuch: 'x'\ncondition: selection"),
  source('pinned.yml', "selection:\n    EventID: 1\n    CommandLine|contains: 'whoami'\ncondition: selection"),
  {
    file: 'filter.yml',
    text: `title: A filter
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - a.yml
        - nowhere
    selection:
        CommandLine|re: '(also unclosed'
    condition: selection
`,
  },
];

const full = (options = {}) => compileParsedRules(parseRuleSources(SOURCES), options);
const outline = (r: ReturnType<typeof full>) => ({ compiled: r.compiled, rejected: r.rejected, skipped: r.skipped });

describe('compileParsedRules with a compile record', () => {
  it('rejects, counts and matches as the full compile did', () => {
    const first = full();
    const record = first.record as CompileRecord;
    expect(record.options).toBe(optionsFingerprint({}));
    expect(record.rules.map((r) => r.error !== undefined)).toEqual([false, true, true, false]);
    const again = compileParsedRules(parseRuleSources(SOURCES), {}, { record });
    expect(again.record).toBe(record);
    expect(outline(again)).toEqual(outline(first));
    // The filter: its unknown rule, and its bad regex once per field mapping of a.yml's routes (Sysmon, Security).
    expect(first.rejected.map((p) => p.file)).toEqual([
      'bad-modifier.yml',
      'bad-regex.yml',
      'filter.yml',
      'filter.yml',
      'filter.yml',
    ]);
    for (const event of [
      sysmonEvent({ Image: 'C:\\evil.exe' }),
      sysmonEvent({ CommandLine: 'whoami /all' }),
      sysmonEvent({ CommandLine: 'whoami /all' }, { eventId: 4688, channel: 'Security' }),
    ]) {
      expect(again.ruleSet.match(event).map((m) => m.rule.file)).toEqual(
        first.ruleSet.match(event).map((m) => m.rule.file),
      );
    }
    expect(again.ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }))).toHaveLength(1);
  });

  it('compiles in full when the record is of other options or other rules', () => {
    const record = full().record as CompileRecord;
    const high = compileParsedRules(parseRuleSources(SOURCES), { minLevel: 'critical' }, { record });
    expect(high.record).not.toBe(record);
    expect(outline(high)).toEqual(outline(full({ minLevel: 'critical' })));
    const fewer = compileParsedRules(parseRuleSources(SOURCES.slice(1)), {}, { record });
    expect(fewer.record).not.toBe(record);
    expect(fewer.rejected).toEqual(compileParsedRules(parseRuleSources(SOURCES.slice(1))).rejected);
  });

  it('compiles a predicate only when its list first sees an event', () => {
    // A record claiming the bad regex compiled: nothing is compiled up front, so nothing rejects it; on the first
    // event the compile fails and the rule matches nothing (a record never makes a rule match what it should not).
    const record = full().record as CompileRecord;
    const forged: CompileRecord = {
      ...record,
      rules: record.rules.map((r) => (r.file === 'bad-regex.yml' ? { file: r.file, eventIds: [null, null] } : r)),
    };
    const lazy = compileParsedRules(parseRuleSources(SOURCES), {}, { record: forged });
    expect(lazy.rejected.map((p) => p.file)).not.toContain('bad-regex.yml');
    expect(lazy.ruleSet.match(sysmonEvent({ CommandLine: '(unclosed' })).map((m) => m.rule.file)).toEqual([]);
    expect(lazy.ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }))).toHaveLength(1);
  });

  it("builds a list's prefilter from the record's literals, compiling a rule only for an event they let through", () => {
    const record = full().record as CompileRecord;
    const a = record.rules.find((r) => r.file === 'a.yml');
    // The full compile recorded a.yml's literal (an anchor of evil.exe in Image), on both routes, naming the field.
    expect(a?.needles).toHaveLength(2);
    expect(a?.needles?.[0]).toContain('evil.exe');
    expect(record.fields).toContain('Image');
    const evil = sysmonEvent({ Image: 'C:\\evil.exe' });
    // Literals recorded as something the event lacks: the prefilter keeps the rule away from it, so the deferred
    // compile never even builds it; the record's literals are what the list uses.
    const other = (needles: (string | null)[] | undefined): CompileRecord => ({
      ...record,
      rules: record.rules.map((r) => (r.file === 'a.yml' ? { ...r, needles } : r)),
    });
    const elsewhere = JSON.stringify([[record.fields.indexOf('Image'), 1, 'nowhere.exe']]);
    const misled = compileParsedRules(parseRuleSources(SOURCES), {}, { record: other([elsewhere, elsewhere]) });
    expect(misled.ruleSet.match(evil)).toEqual([]);
    // Literals that do not read back (a damaged record): the rule is compiled for its own, and matches.
    const damaged = compileParsedRules(parseRuleSources(SOURCES), {}, { record: other(['[[', '{}']) });
    expect(damaged.ruleSet.match(evil).map((m) => m.rule.file)).toEqual(['a.yml']);
    // As recorded: the same match as the full compile.
    const kept = compileParsedRules(parseRuleSources(SOURCES), {}, { record });
    expect(kept.ruleSet.match(evil).map((m) => m.rule.file)).toEqual(['a.yml']);
  });

  it('is not used when of another record format', () => {
    const record = full().record as CompileRecord;
    const older = compileParsedRules(parseRuleSources(SOURCES), {}, { record: { ...record, format: 1 } });
    expect(older.record).not.toBe(record);
    expect(outline(older)).toEqual(outline(full()));
  });

  it('fingerprints the selection by its statuses and tag patterns, not as empty objects', () => {
    const of = (text: Parameters<typeof parseRuleSelection>[0]) => {
      const parsed = parseRuleSelection(text);
      if (!parsed.ok) throw new Error(parsed.error);
      return optionsFingerprint({ selection: parsed.value });
    };
    const prints = [
      optionsFingerprint({ selection: DEFAULT_SELECTION }),
      of({ status: 'test' }),
      of({ status: 'stable' }),
      of({ tags: 'attack.t1059' }),
      of({ tags: 'attack.t1003' }),
    ];
    expect(new Set(prints).size).toBe(prints.length);
    expect(of({ status: 'stable' })).toBe(of({ status: 'stable' }));
  });
});
