import { DASH_LOWER, EvalContext, FieldTable, LOWER, RAW, type Variant } from '../../../src/detection/eval-context.js';
import {
  AutomatonCache,
  anyOfLiterals,
  bestOf,
  KEYWORDS_SLOT,
  literalNeedle,
  type Needle,
  type Needles,
  PrefilteredList,
  unionOf,
} from '../../../src/detection/prefilter.js';
import { processRule, ruleMatches, sysmonEvent } from '../../helpers/sigma-rules.js';
import { FOLD_CASES, foldCaseDetection } from './prefilter-cases.js';

const fields = new FieldTable();
const IMAGE = fields.slot('Image');
const COMMAND = fields.slot('CommandLine');
const needle = (slot: number, text: string): Needle => ({ slot, variant: LOWER, text });

describe('prefilter clauses', () => {
  it('AND keeps every branch as a clause, most selective first, at most three', () => {
    const short = anyOfLiterals([needle(IMAGE, '.exe')]);
    const long = anyOfLiterals([needle(COMMAND, 'mimikatz')]);
    const other = anyOfLiterals([needle(COMMAND, 'sekurlsa')]);
    const fourth = anyOfLiterals([needle(COMMAND, 'lsadump')]);
    const clauses = bestOf([short, long, undefined, other, fourth]) ?? [];
    expect(clauses).toHaveLength(3);
    expect(clauses[0]?.[0]?.text).not.toBe('.exe');
    expect(clauses.flat().map((n) => n.text)).not.toContain('.exe');
  });

  it('AND of nothing known is unknown', () => {
    expect(bestOf([undefined, undefined])).toBeUndefined();
  });

  it('OR is one clause of each branch best clause, or unknown when a branch has none', () => {
    const a: Needles = [[needle(COMMAND, 'alpha')], [needle(IMAGE, 'x.exe')]];
    const b = anyOfLiterals([needle(COMMAND, 'beta')]);
    expect(unionOf([a, b])).toEqual([[needle(COMMAND, 'alpha'), needle(COMMAND, 'beta')]]);
    expect(unionOf([a, undefined])).toBeUndefined();
  });
});

describe('PrefilteredList', () => {
  // Every predicate is true: what run() reports is exactly the candidates the prefilter lets through.
  const item = (value: string, needles: Needles) => ({ value, pred: () => true, needles });
  const list = new PrefilteredList([
    item('two clauses', [[needle(IMAGE, '\\powershell.exe')], [needle(COMMAND, '-encodedcommand')]]),
    item('one clause, two literals', [[needle(COMMAND, 'mimikatz'), needle(COMMAND, 'sekurlsa')]]),
    item('no literals', undefined),
    item('keyword', [[needle(KEYWORDS_SLOT, 'corp.example')]]),
    item('keyword absent', [[needle(KEYWORDS_SLOT, 'nowhere-at-all')]]),
  ]);
  const ctx = new EvalContext(fields);
  const run = (data: Record<string, string>) => {
    ctx.reset(sysmonEvent(data));
    const out: string[] = [];
    list.run(ctx, out, () => undefined);
    return out;
  };

  it.each([
    [
      'both clauses met',
      { Image: 'C:\\Windows\\PowerShell.exe', CommandLine: 'powershell -EncodedCommand ZQ==' },
      ['two clauses', 'no literals', 'keyword'],
    ],
    [
      'only the first clause met',
      { Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell -nop' },
      ['no literals', 'keyword'],
    ],
    [
      'only the second clause met (the anchor of a one-literal group is its last four characters)',
      { Image: 'C:\\x\\cmd.com', CommandLine: 'x -encodedcommand y' },
      ['no literals', 'keyword'],
    ],
    [
      'either literal of a clause',
      { Image: 'a', CommandLine: 'SEKURLSA::logonpasswords' },
      ['one clause, two literals', 'no literals', 'keyword'],
    ],
    ['field absent', { Image: 'C:\\x\\powershell.exe' }, ['no literals', 'keyword']],
    [
      // Every four-unit piece of both literals occurs, so whichever anchors were chosen hit; the literals do not.
      'anchors without their literal: not a candidate',
      { Image: 'a', CommandLine: 'mimi imik mika ikat katz seku ekur kurl urls rlsa' },
      ['no literals', 'keyword'],
    ],
    [
      'a literal under the automaton folding (Kelvin sign, upper case): a candidate',
      { Image: 'a', CommandLine: 'x MIMI\u212aATZ y' },
      ['one clause, two literals', 'no literals', 'keyword'],
    ],
  ])('%s', (_name, data, expected) => {
    expect(run(data)).toEqual(expected);
  });

  it('forgets the previous event', () => {
    run({ Image: 'C:\\x\\powershell.exe', CommandLine: '-encodedcommand' });
    expect(run({ Image: 'C:\\x\\powershell.exe', CommandLine: 'nothing' })).toEqual(['no literals', 'keyword']);
  });
});

describe('PrefilteredList sharing automata (AutomatonCache)', () => {
  const item = (value: string, needles: Needles) => ({ value, pred: () => true, needles });
  const ctx = new EvalContext(fields);
  const run = (list: PrefilteredList<string>, data: Record<string, string>) => {
    ctx.reset(sysmonEvent(data));
    const out: string[] = [];
    list.run(ctx, out, () => undefined);
    return out;
  };
  // Both lists hold a CommandLine group with the same literals, the second behind an Image group of its own, so its
  // shared group's anchor ids start elsewhere (base) and its ids must not collide with the Image group's.
  const commandItems = [
    item('mimikatz', [[needle(COMMAND, 'mimikatz')]]),
    item('sekurlsa or lsadump', [[needle(COMMAND, 'sekurlsa'), needle(COMMAND, 'lsadump')]]),
  ];
  const cache = new AutomatonCache();
  const first = new PrefilteredList(commandItems, cache);
  const second = new PrefilteredList(
    [item('image rundll32', [[needle(IMAGE, '\\rundll32.exe'), needle(IMAGE, '\\regsvr32.exe')]]), ...commandItems],
    cache,
  );
  first.prepare();
  second.prepare();

  it('builds the shared group once: one entry per distinct list of literals', () => {
    expect(cache.size).toBe(2);
  });

  it.each([
    [
      'the shared literals, in the first list',
      'first',
      { CommandLine: 'x sekurlsa::logonpasswords' },
      ['sekurlsa or lsadump'],
    ],
    ['the shared literals, in the second list', 'second', { CommandLine: 'x LSADUMP::sam' }, ['sekurlsa or lsadump']],
    [
      'both groups of the second list at once',
      'second',
      { Image: 'C:\\Windows\\System32\\rundll32.exe', CommandLine: 'mimikatz' },
      ['image rundll32', 'mimikatz'],
    ],
    ['only its own group', 'second', { Image: 'C:\\x\\regsvr32.exe', CommandLine: 'nothing' }, ['image rundll32']],
    ['nothing', 'first', { Image: 'C:\\x\\regsvr32.exe', CommandLine: 'nothing' }, []],
  ])('%s', (_name, which, data, expected) => {
    expect(run(which === 'first' ? first : second, data)).toEqual(expected);
  });
});

describe('literal needles of folded text', () => {
  it.each<[string, Variant, string, string]>([
    ['plain', LOWER, 'mimikatz', 'mimikatz'],
    ['cut where lower-casing added U+0307 (İ)', LOWER, 'ab\u0069\u0307stanbul', 'stanbul'],
    ['the longest piece wins', LOWER, 'abcdef\u0069\u0307x', 'abcdefi'],
    ['dash and case folded too', DASH_LOWER, 'x\u0069\u0307-enc', '-enc'],
    ['not lower-cased: kept whole', RAW, 'a\u0069\u0307b', 'a\u0069\u0307b'],
  ])('%s', (_name, variant, folded, text) => {
    expect(literalNeedle(COMMAND, variant, folded)?.text).toBe(text);
  });

  it('nothing left is no needle', () => {
    expect(literalNeedle(COMMAND, LOWER, '\u0307')).toBeUndefined();
  });
});

// Case folding that changes a string's length or crosses into ASCII: with the prefilter on, a rule matches
// exactly when it does with every rule evaluated (the expected value is the matcher's own answer).
describe('length-changing and cross-script case folds', () => {
  it.each(FOLD_CASES)('%s', (_name, selection, value, expected) => {
    const rule = processRule(foldCaseDetection(selection));
    const event = sysmonEvent({ CommandLine: value });
    expect(ruleMatches(rule, event, { prefilter: false })).toBe(expected);
    expect(ruleMatches(rule, event)).toBe(expected);
  });
});
