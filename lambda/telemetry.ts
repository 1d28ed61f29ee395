import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { hookCounterMetric, METRIC_NAMES } from '../src/pipeline/names.js';
import type { Summary } from '../src/pipeline/summary.js';

/** The CloudWatch namespace of every metric (the infra alarms and dashboard read these names). */
export const METRICS_NAMESPACE = 'hookstream';

export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

export function createTelemetry(serviceName: string): Telemetry {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/** A batch's summary as EMF metrics: records in, events out (and by type), answers, enrichment, matches by level, alerts. */
export function emitSummary(metrics: Metrics, summary: Summary, recordsIn: number): void {
  const count = MetricUnit.Count;
  metrics.addMetric(METRIC_NAMES.recordsIn, count, recordsIn);
  metrics.addMetric(METRIC_NAMES.eventsOut, count, summary.written);
  metrics.addMetric(METRIC_NAMES.rejected, count, summary.rejected);
  metrics.addMetric(METRIC_NAMES.filtered, count, summary.filtered);
  metrics.addMetric(METRIC_NAMES.answersWritten, count, summary.dnsAnswers);
  metrics.addMetric(METRIC_NAMES.connectionsEnriched, count, summary.connections.enriched);
  metrics.addMetric(METRIC_NAMES.connectionsUnresolved, count, summary.connections.unresolved);
  metrics.addMetric(METRIC_NAMES.connectionsHeld, count, summary.held);
  metrics.addMetric(METRIC_NAMES.holdExpired, count, summary.holdExpired);
  metrics.addMetric(METRIC_NAMES.alertsSent, count, summary.alerts.sent);
  metrics.addMetric(METRIC_NAMES.alertsSuppressed, count, summary.alerts.suppressed);
  // Exactly-once bookkeeping and input limits: non-zero values say that Lambda retried or a host sent odd input.
  metrics.addMetric(METRIC_NAMES.recordsAlreadyCommitted, count, summary.retries.committedSkipped);
  metrics.addMetric(METRIC_NAMES.staleObjectsDeleted, count, summary.retries.staleObjectsDeleted);
  // A rule that threw while evaluating (a defect; the rule missed that event): alarm-worthy, never expected.
  metrics.addMetric(METRIC_NAMES.ruleEvaluationErrors, count, summary.evaluationErrors);
  metrics.addMetric(
    METRIC_NAMES.inputTrimmed,
    count,
    Object.values(summary.trimmed).reduce((a, b) => a + b, 0),
  );
  // Events by type: `channel event-id` (a few dozen values: Sysmon's IDs, DNS-Client, Security...).
  for (const [type, n] of Object.entries(summary.byEvent)) {
    metrics.singleMetric().addDimension('type', type).addMetric(METRIC_NAMES.eventsByType, count, n);
  }
  for (const [source, n] of Object.entries(summary.connections.bySource)) {
    metrics.singleMetric().addDimension('source', source).addMetric(METRIC_NAMES.connectionsEnrichedBySource, count, n);
  }
  // Every hook's counters, whatever the hook: hooks.<name>.<counter>.
  for (const [hook, counters] of Object.entries(summary.hooks)) {
    for (const [counter, n] of Object.entries(counters)) metrics.addMetric(hookCounterMetric(hook, counter), count, n);
  }
  for (const [level, n] of Object.entries(summary.alerts.byLevel)) {
    metrics.singleMetric().addDimension('level', level).addMetric(METRIC_NAMES.matchesByLevel, count, n);
  }
}
