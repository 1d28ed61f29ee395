/**
 * The literal prefilter never hides a match, over the whole SigmaHQ corpus (three folders) and the Sigma regression
 * samples, as logged and perturbed (upper-cased, each value cut short): the same rules match with the prefilter on
 * as with every rule evaluated. Whole-corpus, so in test:full (two compiles of the corpus: about 10 s of CPU); the
 * fast sample of the same check is detection/prefilter-differential.test.ts.
 */
import { readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import { regressionCases, SIGMA_ROOT, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { evtxJsonToEvent, splitJsonDocuments } from '../helpers/sigma-evtx.js';

const present = sigmaCorpusPresent();
if (!present) {
  process.stderr.write('SKIPPED sigma-regression-prefilter: ../shared/sigma is absent\n');
}
const cases = present ? regressionCases() : [];

(present ? describe : describe.skip)('literal prefilter soundness on the whole corpus', () => {
  it('gives the same matches as evaluating every rule, on the samples and on perturbed copies', async () => {
    const { readRuleSources } = await import('../../node-io/rule-files.js');
    const sources = await readRuleSources(
      ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) => `${SIGMA_ROOT}/${d}`),
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
