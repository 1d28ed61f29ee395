/**
 * Every SigmaHQ rule that ships regression data must match its sample events (at least match_count of them), with
 * the sample replayed through the pipeline (the real decoder and normaliser, the hooks, then detection), once as
 * the evtx_dump .json and once as the .evtx it was dumped from (the native EVTX reader).
 * The prefilter check below uses the test helper sigma-evtx.ts to make perturbed copies of the samples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { regressionCases, SIGMA_ROOT, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { evtxJsonToEvent, splitJsonDocuments } from '../helpers/sigma-evtx.js';

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
