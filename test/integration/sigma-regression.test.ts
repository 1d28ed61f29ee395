/**
 * Every SigmaHQ rule that ships regression data must match its sample events (at least match_count of them), with
 * the sample replayed through the pipeline (the real decoder and normaliser, the hooks, then detection), once as
 * the evtx_dump .json and once as the .evtx it was dumped from (the native EVTX reader).
 * The literal prefilter's soundness over these samples and the whole corpus is sigma-regression-prefilter.heavy.test.ts
 * (npm run test:full); prefilter-differential.test.ts checks it on a corpus sample here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { regressionCases, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';

/** Known exceptions, each with its reason (also listed in docs/detection.md). */
const EXCEPTIONS: Record<string, string> = {};

/** The .evtx a .json sample was dumped from (they sit side by side in the regression data). */
const evtxOf = (jsonFile: string): string => jsonFile.replace(/\.json$/, '.evtx');

const present = sigmaCorpusPresent();
if (!present) {
  process.stderr.write('SKIPPED sigma-regression: ../shared/sigma is absent\n');
}
const cases = present ? regressionCases() : [];

(present ? describe : describe.skip)('Sigma regression data', () => {
  it('finds the regression cases', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it('has the .evtx beside each .json sample', () => {
    expect(cases.filter((c) => !existsSync(evtxOf(c.jsonFile)))).toEqual([]);
  });

  // Known exceptions show as skipped, with their reason, rather than passing without running.
  for (const c of cases.filter((c) => EXCEPTIONS[c.ruleId] !== undefined)) {
    it.skip(`rule ${c.ruleId} (SKIPPED: ${EXCEPTIONS[c.ruleId]})`, () => {});
  }

  // Each sample twice: as evtx_dump's .json, and as the .evtx itself (read by src/events/evtx).
  it.each(
    cases
      .filter((c) => EXCEPTIONS[c.ruleId] === undefined)
      .flatMap((c) =>
        [c.jsonFile, evtxOf(c.jsonFile)].map(
          (sample) => [c.ruleId, sample.split('/regression_data/')[1] ?? sample, { ...c, sample }] as const,
        ),
      ),
  )('rule %s matches %s', async (ruleId, _sample, c) => {
    expect(c.ruleFile).not.toBe('');
    const { ruleSet, rejected, skipped } = compileRules([{ file: c.ruleFile, text: readFileSync(c.ruleFile, 'utf8') }]);
    expect({ rejected, skipped }).toEqual({ rejected: [], skipped: [] });
    const batch = await processBatch([{ origin: c.sample, data: readFileSync(c.sample), arrival: 0 }], {
      hooks: planHooks(createHooks()),
      context: createEnrichmentContext(),
      rules: ruleSet,
    });
    expect(batch.rejected).toEqual([]);
    const matched = batch.detections.filter((detection) => detection.rule.id === ruleId).length;
    expect(matched).toBeGreaterThanOrEqual(c.matchCount);
  });
});
