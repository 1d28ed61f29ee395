import { compileRules } from '../../../src/detection/index.js';
import {
  DEFAULT_SELECTION,
  describeSelection,
  parseRuleSelection,
  type RuleSelection,
  type RuleSelectionText,
  selectRule,
} from '../../../src/detection/rule-selection.js';

function selection(text: RuleSelectionText): RuleSelection {
  const parsed = parseRuleSelection(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const rule = (level: string, status: string | undefined, tags: string[]) => ({
  level,
  tags,
  ...(status === undefined ? {} : { status }),
});

describe('parseRuleSelection', () => {
  it.each([
    [{ minLevel: 'urgent' }, 'min level: "urgent" is not one of informational, low, medium, high, critical'],
    [{ status: 'stable,!' }, 'status: "!" needs a value after it'],
    [{ tags: ['attack.t1003', ' ! '] }, 'tags: "!" needs a value after it'],
  ])('%j is refused', (text, error) => {
    expect(parseRuleSelection(text)).toEqual({ ok: false, error });
  });

  it('reads comma lists and repeated values alike, case-insensitively', () => {
    const a = selection({ minLevel: 'HIGH', status: 'Stable, test', tags: 'attack.T1003*,!attack.discovery' });
    const b = selection({ minLevel: 'high', status: ['stable', 'test'], tags: ['attack.t1003*', '!attack.discovery'] });
    expect(describeSelection(a)).toBe('level >= high; status stable, test; tags attack.t1003*, !attack.discovery');
    expect(describeSelection(b)).toBe(describeSelection(a));
  });

  it('no text is every rule but the deprecated and unsupported ones', () => {
    expect(describeSelection(selection({}))).toBe('all rules');
    expect(selection({ minLevel: '', status: '', tags: [] })).toEqual(DEFAULT_SELECTION);
  });
});

describe('selectRule', () => {
  it.each<[RuleSelectionText, ReturnType<typeof rule>, string | undefined]>([
    // level
    [{ minLevel: 'high' }, rule('critical', 'test', []), undefined],
    [{ minLevel: 'high' }, rule('high', 'test', []), undefined],
    [{ minLevel: 'high' }, rule('medium', 'test', []), 'level: level medium is below high'],
    [{ minLevel: 'low' }, rule('severe', 'test', []), 'level: level severe is below low'],
    // status: include, exclude, defaults
    [{ status: 'stable,test' }, rule('low', 'test', []), undefined],
    [
      { status: 'stable,test' },
      rule('low', 'experimental', []),
      'status: status experimental is not one of stable, test',
    ],
    [{ status: 'stable' }, rule('low', undefined, []), 'status: status (none) is not one of stable'],
    [{ status: '!experimental' }, rule('low', 'experimental', []), 'status: status: experimental'],
    [{ status: '!experimental' }, rule('low', undefined, []), undefined],
    [{ status: '!experimental' }, rule('low', 'deprecated', []), 'status: status: deprecated'],
    [{}, rule('low', 'unsupported', []), 'status: status: unsupported'],
    [{ status: 'deprecated' }, rule('low', 'deprecated', []), undefined],
    // tags: include, exclude, globs
    [
      { tags: 'attack.credential_access' },
      rule('low', 'test', ['attack.t1003', 'attack.credential_access']),
      undefined,
    ],
    [{ tags: 'attack.t1003*' }, rule('low', 'test', ['attack.t1003.001']), undefined],
    [{ tags: 'attack.t1003*' }, rule('low', 'test', ['attack.t1059']), 'tags: no tag matches attack.t1003*'],
    [{ tags: 'attack.t100?' }, rule('low', 'test', ['attack.t1003.001']), 'tags: no tag matches attack.t100?'],
    [{ tags: 'attack.t100?' }, rule('low', 'test', ['Attack.T1003']), undefined],
    [{ tags: 'attack.t1003*' }, rule('low', 'test', []), 'tags: no tag matches attack.t1003*'],
    [{ tags: '!attack.discovery' }, rule('low', 'test', []), undefined],
    [
      { tags: 'attack.t1003*,!attack.discovery' },
      rule('low', 'test', ['attack.t1003', 'attack.discovery']),
      'tags: tag attack.discovery matches !attack.discovery',
    ],
    // `_` and `-` are one character (Tags Appendix v2.0.0 renamed the tactics)
    [{ tags: 'attack.credential_access' }, rule('low', 'test', ['attack.credential-access']), undefined],
    [{ tags: 'attack.credential-access' }, rule('low', 'test', ['attack.credential_access']), undefined],
    [
      { tags: '!attack.lateral_movement' },
      rule('low', 'test', ['attack.lateral-movement']),
      'tags: tag attack.lateral-movement matches !attack.lateral_movement',
    ],
    // a dot is a dot, not any character
    [{ tags: 'attack.t1003' }, rule('low', 'test', ['attackxt1003']), 'tags: no tag matches attack.t1003'],
  ])('%j on %j', (text, info, expected) => {
    const verdict = selectRule(info, selection(text));
    expect(verdict.selected ? undefined : `${verdict.by}: ${verdict.reason}`).toBe(expected);
  });
});

describe('compileRules with a selection', () => {
  const source = (id: number, level: string, status: string, tags: string[]) => ({
    file: `r${id}.yml`,
    text: [
      `title: rule ${id}`,
      `id: 00000000-0000-4000-8000-00000000000${id}`,
      `status: ${status}`,
      `level: ${level}`,
      `tags: [${tags.join(', ')}]`,
      'logsource: { product: windows, category: process_creation }',
      "detection: { selection: { Image: 'x' }, condition: selection }",
    ].join('\n'),
  });
  const sources = [
    source(1, 'high', 'stable', ['attack.credential_access']),
    source(2, 'critical', 'test', ['attack.credential_access', 'attack.t1003']),
    source(3, 'medium', 'stable', ['attack.credential_access']),
    source(4, 'high', 'experimental', ['attack.credential_access']),
    source(5, 'high', 'test', ['attack.discovery']),
  ];

  it('compiles only the selected rules and says what left each of the others out', () => {
    const result = compileRules(sources, {
      selection: selection({ minLevel: 'high', status: 'stable,test', tags: 'attack.credential_access' }),
    });
    expect(result.compiled).toBe(2);
    expect(result.skipped.map((s) => [s.file, s.leftOutBy])).toEqual([
      ['r3.yml', 'level'],
      ['r4.yml', 'status'],
      ['r5.yml', 'tags'],
    ]);
  });

  it('leaves the older options working when no selection is given', () => {
    expect(compileRules(sources, { minLevel: 'critical' }).compiled).toBe(1);
    expect(compileRules(sources, { skipStatuses: ['stable'] }).compiled).toBe(3);
  });
});
