import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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
  metrics.addMetric('RecordsIn', count, recordsIn);
  metrics.addMetric('EventsOut', count, summary.written);
  metrics.addMetric('Rejected', count, summary.rejected);
  metrics.addMetric('Filtered', count, summary.filtered);
  metrics.addMetric('AnswersWritten', count, summary.dnsAnswers);
  metrics.addMetric('ConnectionsEnriched', count, summary.connections.enriched);
  metrics.addMetric('ConnectionsUnresolved', count, summary.connections.unresolved);
  metrics.addMetric('ConnectionsHeld', count, summary.held);
  metrics.addMetric('HoldExpired', count, summary.holdExpired);
  metrics.addMetric('AlertsSent', count, summary.alerts.sent);
  metrics.addMetric('AlertsSuppressed', count, summary.alerts.suppressed);
  // Exactly-once bookkeeping and input limits: non-zero values say that Lambda retried or a host sent odd input.
  metrics.addMetric('RecordsAlreadyCommitted', count, summary.retries.committedSkipped);
  metrics.addMetric('StaleObjectsDeleted', count, summary.retries.staleObjectsDeleted);
  // A rule that threw while evaluating (a defect; the rule missed that event): alarm-worthy, never expected.
  metrics.addMetric('RuleEvaluationErrors', count, summary.evaluationErrors);
  metrics.addMetric(
    'InputTrimmed',
    count,
    Object.values(summary.trimmed).reduce((a, b) => a + b, 0),
  );
  // Events by type: `channel event-id` (a few dozen values: Sysmon's IDs, DNS-Client, Security...).
  for (const [type, n] of Object.entries(summary.byEvent)) {
    metrics.singleMetric().addDimension('type', type).addMetric('EventsByType', count, n);
  }
  for (const [source, n] of Object.entries(summary.connections.bySource)) {
    metrics.singleMetric().addDimension('source', source).addMetric('ConnectionsEnrichedBySource', count, n);
  }
  for (const [level, n] of Object.entries(summary.alerts.byLevel)) {
    metrics.singleMetric().addDimension('level', level).addMetric('MatchesByLevel', count, n);
  }
}
