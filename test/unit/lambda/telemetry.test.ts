/** The batch summary as metrics: the evaluation errors are published (RuleEvaluationErrors), zero or not. */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { emitSummary, METRICS_NAMESPACE } from '../../../lambda/telemetry.js';
import { emptySummary } from '../../../src/pipeline/summary.js';

describe('emitSummary', () => {
  it.each([0, 3])('publishes RuleEvaluationErrors = %i', (errors) => {
    // Prepare
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'test' });
    const summary = { ...emptySummary(), evaluationErrors: errors };

    // Act
    emitSummary(metrics, summary, 1);
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;

    // Assess
    expect(emf.RuleEvaluationErrors).toBe(errors);
  });
});

describe('emitSummary: hook counters', () => {
  it('publishes every counter of every hook as hooks.<name>.<counter>', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'test' });
    const summary = { ...emptySummary(), hooks: { 'dns-answers': { answers: 7 }, 'my-hook': { seen: 0 } } };

    emitSummary(metrics, summary, 1);
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;

    expect(emf['hooks.dns-answers.answers']).toBe(7);
    expect(emf['hooks.my-hook.seen']).toBe(0);
  });
});
