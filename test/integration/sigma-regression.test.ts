/**
 * Every SigmaHQ rule that ships regression data must match its sample events (at least match_count of them).
 * Samples are converted by the test helper sigma-evtx.ts (see there).
 */
import { readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import { regressionCases, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { evtxJsonToEvent, splitJsonDocuments } from '../helpers/sigma-evtx.js';

/** Known exceptions, each with its reason (also listed in docs/detection.md). */
const EXCEPTIONS: Record<string, string> = {};

const present = sigmaCorpusPresent();
if (!present) {
  process.stderr.write('sigma-regression: /work/shared/sigma is absent, regression tests skipped\n');
}
const cases = present ? regressionCases() : [];

(present ? describe : describe.skip)('Sigma regression data', () => {
  it('finds the regression cases', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases.map((c) => [c.ruleId, c.jsonFile.split('/regression_data/')[1] ?? c.jsonFile, c] as const))(
    'rule %s matches %s',
    (ruleId, _sample, c) => {
      if (EXCEPTIONS[ruleId]) return;
      expect(c.ruleFile).not.toBe('');
      const { ruleSet, rejected, skipped } = compileRules([
        { file: c.ruleFile, text: readFileSync(c.ruleFile, 'utf8') },
      ]);
      expect({ rejected, skipped }).toEqual({ rejected: [], skipped: [] });
      const events = splitJsonDocuments(readFileSync(c.jsonFile, 'utf8')).map(evtxJsonToEvent);
      const matched = events.filter((e) => e && ruleSet.match(e).length > 0).length;
      expect(matched).toBeGreaterThanOrEqual(c.matchCount);
    },
  );
});

(present ? describe : describe.skip)('literal prefilter soundness on the whole corpus', () => {
  it('gives the same matches as evaluating every rule, on the samples and on perturbed copies', async () => {
    const { readRuleSources } = await import('../../cli/rule-files.js');
    const sources = await readRuleSources(
      ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) => `/work/shared/sigma/${d}`),
    );
    const fast = compileRules(sources).ruleSet;
    const slow = compileRules(sources, { prefilter: false }).ruleSet;
    const events = cases.flatMap((c) => splitJsonDocuments(readFileSync(c.jsonFile, 'utf8')).map(evtxJsonToEvent));
    let compared = 0;
    let matched = 0;
    for (const e of events) {
      if (!e) continue;
      // Variants: as logged, upper-cased, and with each value cut short (most rules then miss).
      const variants = [
        e,
        { ...e, data: Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, v.toUpperCase()])) },
        { ...e, data: Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, v.slice(0, v.length >> 1)])) },
      ];
      for (const v of variants) {
        const expected = slow.match(v).map((m) => m.rule.id);
        expect(fast.match(v).map((m) => m.rule.id)).toEqual(expected);
        compared++;
        matched += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(matched).toBeGreaterThan(compared / 3);
  });
});
