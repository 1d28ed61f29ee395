import { compileRules } from '../../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';

const logon = (eventId: number): CanonicalEvent => ({
  host: 'DC01',
  channel: 'Security',
  provider: 'Microsoft-Windows-Security-Auditing',
  eventId,
  time: 0,
  format: 'evtx-json',
  data: { User: 'bob' },
});

const baseRule = (name: string, eventId: number, extra = '') => `---
title: ${name}
id: 00000000-0000-4000-8000-00000000${String(eventId).padStart(4, '0')}
name: ${name}
${extra}logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: ${eventId}
    condition: selection
`;

/** A correlation document with `body` under `correlation:` (indented by 4). */
const correlation = (body: string, extra = '') => `title: The correlation
id: 0e95725d-7320-415d-80f7-004da920fc11
level: high
${extra}correlation:
${body
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

const countOf = (rules: string, rest = 'group-by: [User]\ntimespan: 1h\ncondition:\n    gte: 10') =>
  correlation(`type: event_count\nrules: ${rules}\n${rest}`);

const FAILED = baseRule('failed_login', 4625);
const SUCCESS = baseRule('successful_login', 4624);

function rejectedReasons(text: string): string[] {
  return compileRules([{ file: 'mr.yml', text }]).rejected.map((r) => r.reason);
}

describe('correlation documents are validated, each rejection with its reason', () => {
  it.each<[string, string, string]>([
    [
      'an unknown type',
      correlation('type: event_sum\nrules: [failed_login]\ngroup-by: [User]\ntimespan: 1h'),
      'unknown correlation type event_sum',
    ],
    ['no type', correlation('rules: [failed_login]\ngroup-by: [User]\ntimespan: 1h'), 'missing correlation type'],
    [
      'value_percentile',
      correlation(
        'type: value_percentile\nrules: [failed_login]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    field: x\n    lte: 1',
      ),
      'unsupported correlation type value_percentile',
    ],
    ['a missing rule reference', countOf('[no_such_rule]'), 'correlation references unknown rule no_such_rule'],
    [
      'no rules',
      correlation('type: event_count\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    gte: 1'),
      'correlation needs rules',
    ],
    [
      'a bad timespan (unit)',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1w\ncondition:\n    gte: 10'),
      "bad correlation timespan '1w'",
    ],
    [
      'a bad timespan (upper case)',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 10M\ncondition:\n    gte: 10'),
      "bad correlation timespan '10M'",
    ],
    [
      'a zero timespan',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 0s\ncondition:\n    gte: 10'),
      "bad correlation timespan '0s'",
    ],
    [
      'no timespan',
      countOf('[failed_login]', 'group-by: [User]\ncondition:\n    gte: 10'),
      'missing correlation timespan',
    ],
    ['no group-by', countOf('[failed_login]', 'timespan: 1h\ncondition:\n    gte: 10'), 'missing correlation group-by'],
    [
      'no condition for event_count',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h'),
      'event_count needs a condition',
    ],
    [
      'an unknown operator',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h\ncondition:\n    ge: 10'),
      'unknown correlation condition operator ge',
    ],
    [
      'a text threshold',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h\ncondition:\n    gte: ten'),
      'correlation condition gte needs an integer',
    ],
    [
      'an empty range',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h\ncondition:\n    gt: 10\n    lt: 5'),
      'correlation condition can never be true',
    ],
    [
      'a condition that is a number',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h\ncondition: 10'),
      'correlation condition must be a map',
    ],
    [
      'value_count without field',
      correlation('type: value_count\nrules: [failed_login]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    gte: 3'),
      'value_count needs condition.field',
    ],
    [
      'field on event_count',
      countOf('[failed_login]', 'group-by: [User]\ntimespan: 1h\ncondition:\n    field: User\n    gte: 3'),
      'condition.field is only valid for value_* types',
    ],
    [
      'temporal with one rule',
      correlation('type: temporal\nrules: [failed_login]\ngroup-by: [User]\ntimespan: 1h'),
      'temporal needs at least two rules',
    ],
    [
      'aliases not a map',
      correlation(
        'type: temporal\nrules: [failed_login, successful_login]\ngroup-by: [ip]\ntimespan: 1h\naliases: [ip]',
      ),
      'correlation aliases must be a map',
    ],
    [
      'an alias naming a rule not in rules',
      correlation(
        'type: temporal\nrules: [failed_login, successful_login]\ngroup-by: [ip]\ntimespan: 1h\naliases:\n    ip:\n        other_rule: IpAddress',
      ),
      'correlation alias ip names rule other_rule, not in rules',
    ],
    [
      'an alias used nowhere',
      correlation(
        'type: temporal\nrules: [failed_login, successful_login]\ngroup-by: [User]\ntimespan: 1h\naliases:\n    ip:\n        failed_login: IpAddress',
      ),
      'correlation alias ip is used neither in group-by nor in condition.field',
    ],
    [
      'generate not a boolean',
      `${countOf('[failed_login]')}generate: maybe\n`,
      'correlation generate must be true or false',
    ],
  ])('%s', (_name, text, reason) => {
    expect(rejectedReasons(text + FAILED + SUCCESS).join('\n')).toContain(reason);
  });

  it('rejects a reference cycle and what depends on a rejected correlation', () => {
    const a = `title: A\nname: a\ncorrelation:\n    type: event_count\n    rules: [b]\n    group-by: [User]\n    timespan: 1h\n    condition:\n        gte: 1\n`;
    const b = `---\ntitle: B\nname: b\ncorrelation:\n    type: event_count\n    rules: [a]\n    group-by: [User]\n    timespan: 1h\n    condition:\n        gte: 1\n`;
    expect(rejectedReasons(a + b)).toEqual([
      'correlation references form a cycle',
      'correlation references form a cycle',
    ]);
    const outer = `---\ntitle: Outer\ncorrelation:\n    type: event_count\n    rules: [bad]\n    group-by: [User]\n    timespan: 1h\n    condition:\n        gte: 1\n`;
    const bad = `---\ntitle: Bad\nname: bad\ncorrelation:\n    type: event_count\n    rules: [failed_login]\n    group-by: [User]\n    timespan: 1y\n    condition:\n        gte: 1\n`;
    expect(rejectedReasons(outer + bad + FAILED)).toEqual([
      'correlation references rule bad, which is not loaded',
      "bad correlation timespan '1y' (expected a number and s, m, h or d)",
    ]);
  });

  it('a reference to a rule that did not load says so', () => {
    const linux = baseRule('failed_login', 4625).replace('product: windows', 'product: linux');
    expect(rejectedReasons(countOf('[failed_login]') + linux)).toEqual([
      'correlation references rule failed_login, which is not loaded',
    ]);
  });

  it('names the document line in multi-document files', () => {
    const result = compileRules([{ file: 'mr.yml', text: countOf('[nope]') + FAILED }]);
    expect(result.rejected).toEqual([{ file: 'mr.yml', line: 1, reason: 'correlation references unknown rule nope' }]);
  });
});

describe('base rules of a correlation', () => {
  it('do not alert on their own, and a rule no correlation uses still does', () => {
    const { ruleSet, compiled, rejected } = compileRules([
      { file: 'mr.yml', text: countOf('[failed_login]') + FAILED + SUCCESS },
    ]);
    expect(rejected).toEqual([]);
    expect(compiled).toBe(3);
    expect(ruleSet.match(logon(4625))).toEqual([]);
    expect(ruleSet.matchAll(logon(4625)).map((m) => m.rule.title)).toEqual(['failed_login']);
    expect(ruleSet.match(logon(4624)).map((m) => m.rule.title)).toEqual(['successful_login']);
  });

  it('alert on their own with generate: true', () => {
    const { ruleSet } = compileRules([
      { file: 'mr.yml', text: `${countOf('[failed_login]')}generate: true\n${FAILED}` },
    ]);
    expect(ruleSet.match(logon(4625)).map((m) => m.rule.title)).toEqual(['failed_login']);
  });

  it('are referenced by id as well as by name', () => {
    const { ruleSet, rejected } = compileRules([
      { file: 'mr.yml', text: countOf('[00000000-0000-4000-8000-000000004625]') + FAILED },
    ]);
    expect(rejected).toEqual([]);
    expect(ruleSet.correlations?.feedsOf(ruleSet.matchAll(logon(4625))[0]!.rule)).toHaveLength(1);
  });

  it('are compiled when selection would leave them out, if their correlation is selected (and then never alert)', () => {
    const lowBase = baseRule('failed_login', 4625, 'level: low\n');
    const text = `${countOf('[failed_login]')}generate: true\n${lowBase}`;
    const { ruleSet, skipped } = compileRules([{ file: 'mr.yml', text }], { minLevel: 'high' });
    expect(skipped).toEqual([]);
    expect(ruleSet.size).toBe(2);
    expect(ruleSet.matchAll(logon(4625))).toHaveLength(1);
    expect(ruleSet.match(logon(4625))).toEqual([]);
  });

  it('follow their correlation when selection leaves it out', () => {
    const text = countOf('[failed_login]').replace('level: high', 'level: low') + FAILED;
    const { ruleSet, skipped } = compileRules([{ file: 'mr.yml', text }], { minLevel: 'high' });
    expect(ruleSet.size).toBe(0);
    expect(skipped.map((s) => s.reason)).toEqual(['level low is below high', 'level informational is below high']);
  });

  it('inner correlations are loaded with the outermost one, and alert only through it', () => {
    const outer = correlation(
      'type: temporal_ordered\nrules: [many_failed, successful_login]\ngroup-by: [User]\ntimespan: 10m',
    );
    const inner = `---\ntitle: Many failed\nname: many_failed\ncorrelation:\n    type: event_count\n    rules: [failed_login]\n    group-by: [User]\n    timespan: 10m\n    condition:\n        gte: 10\n`;
    const { ruleSet, compiled } = compileRules([{ file: 'mr.yml', text: outer + inner + FAILED + SUCCESS }], {
      minLevel: 'high',
    });
    expect(compiled).toBe(4);
    const alerting = ruleSet.correlations?.correlations.map((c) => [c.info.title, c.alerts]);
    expect(alerting).toEqual([
      ['Many failed', false],
      ['The correlation', true],
    ]);
  });
});

describe('a rejected correlation', () => {
  it('keeps its base rules silent rather than letting them alert on every event', () => {
    const text = countOf('[failed_login]', 'group-by: [User]\ntimespan: 1w\ncondition:\n    gte: 10') + FAILED;
    const { ruleSet, rejected } = compileRules([{ file: 'mr.yml', text }]);
    expect(rejected.map((r) => r.reason)).toEqual([
      "bad correlation timespan '1w' (expected a number and s, m, h or d)",
    ]);
    expect(ruleSet.matchAll(logon(4625))).toHaveLength(1);
    expect(ruleSet.match(logon(4625))).toEqual([]);
  });
});
