/** A rule that throws while evaluating is counted (Summary.evaluationErrors), never thrown, and matches nothing. */

import { FieldTable } from '../../../src/detection/eval-context.js';
import { RuleSet } from '../../../src/detection/rule-set.js';
import { createEnrichmentContext } from '../../../src/hooks/index.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { emptySummary, mergeSummary } from '../../../src/pipeline/summary.js';
import { nxlogDocument, record } from '../events/factories.js';

const info = { id: 'r', title: 'throws', level: 'high', tags: [], file: 'r.yml' };

function throwingRules(): RuleSet {
  const pred = () => {
    throw new Error('a defect in a compiled predicate');
  };
  return new RuleSet(new FieldTable(), [{ rule: { info, pred, needles: undefined }, key: { everywhere: true } }]);
}

describe('evaluation errors', () => {
  it('are counted per batch into the summary, and the event is still written', async () => {
    // Prepare: one rule set across two batches (a Lambda container keeps its rules).
    const rules = throwingRules();
    const batch = () => [{ origin: 't', data: record(nxlogDocument({ EventID: 1 })), arrival: 0 }];

    // Act
    const first = await processBatch(batch(), { context: createEnrichmentContext(), rules });
    const second = await processBatch([...batch(), ...batch()], { context: createEnrichmentContext(), rules });

    // Assess: each batch counts its own, not the container's total.
    expect(first.summary).toMatchObject({ evaluationErrors: 1, written: 1, alerts: { total: 0 } });
    expect(second.summary.evaluationErrors).toBe(2);
    const total = emptySummary();
    mergeSummary(total, first.summary);
    mergeSummary(total, second.summary);
    expect(total.evaluationErrors).toBe(3);
  });
});
