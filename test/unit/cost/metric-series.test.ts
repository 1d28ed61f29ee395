/**
 * WORKLOAD.customMetrics against the metric series the functions really emit: each function's largest summary
 * (every counter of the hooks it plans, every assumed event type, both hostname sources, every Sigma level) goes
 * through lambda/telemetry's emitSummary with Powertools, and the distinct (service, metric, dimensions) in the EMF
 * output are counted. A new metric, dimension value or hook counter fails this until the cost figure follows.
 */

import { Metrics } from '@aws-lambda-powertools/metrics';
import { jest } from '@jest/globals';
import { emitSummary, METRICS_NAMESPACE } from '../../../lambda/telemetry.js';
import { WORKLOAD } from '../../../src/cost/index.js';
import { LEVELS } from '../../../src/detection/types.js';
import { SYSMON_FIELDS } from '../../../src/events/schemas.js';
import type { AnyHook } from '../../../src/hooks/hook.js';
import { createHooks, persistingHooks, planHooks } from '../../../src/hooks/index.js';
import type { HostnameSource } from '../../../src/hooks/netconn-hostname.js';
import { emptySummary, type Summary } from '../../../src/pipeline/summary.js';

const SOURCES: readonly HostnameSource[] = ['dns-process', 'dns-host'];
/** The cost model's assumption: a fleet shipping Sysmon (every ID the schemas know) and DNS-Client 3008. */
const EVENT_TYPES = [...[...SYSMON_FIELDS.keys()].map((id) => `sysmon ${id}`), 'dns-client 3008'];

function hookCounters(hooks: readonly AnyHook[]): Summary['hooks'] {
  return Object.fromEntries(
    planHooks(hooks).hooks.map((hook) => [hook.name, Object.fromEntries(hook.counters.map((c) => [c, 0]))]),
  );
}

function summaryOf(hooks: readonly AnyHook[], types: readonly string[], enriches: boolean): Summary {
  const summary = emptySummary();
  summary.hooks = hookCounters(hooks);
  for (const type of types) summary.byEvent[type] = 1;
  if (enriches) {
    for (const source of SOURCES) summary.connections.bySource[source] = 1;
    for (const level of LEVELS) summary.alerts.byLevel[level] = 1;
  }
  return summary;
}

/** Distinct series in EMF lines: metric name with its dimension names and values. */
function seriesIn(lines: readonly string[]): Set<string> {
  const series = new Set<string>();
  for (const line of lines) {
    const doc = JSON.parse(line) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        const key = dimensions.map((name) => `${name}=${String(doc[name])}`).join(',');
        for (const metric of directive.Metrics) series.add(`${metric.Name}|${key}`);
      }
    }
  }
  return series;
}

function emitted(service: string, summary: Summary): Set<string> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
    emitSummary(metrics, summary, 1);
    // lambda/batch-handler.ts adds this one when a batch fails (a series once it has been emitted once).
    metrics.addMetric('BatchesRetried', 'Count', 1);
    metrics.publishStoredMetrics();
  } finally {
    write.mockRestore();
  }
  return seriesIn(lines);
}

describe('WORKLOAD.customMetrics', () => {
  it('equals the series the three functions emit with the default hooks', () => {
    // Prepare: what each function plans and sees (lambda/*/dependencies.ts, src/pipeline/*-service.ts)
    const hooks = createHooks();
    const functions = [
      // Persists what the persisting hooks pick; decodes every event (the event source filter is off by default).
      { service: 'dns-answers', summary: summaryOf(persistingHooks(hooks), EVENT_TYPES, false) },
      { service: 'enrich', summary: summaryOf(hooks, EVENT_TYPES, true) },
      // Re-checks held connections: no decoding, so no EventsByType.
      { service: 'enrich-hold', summary: summaryOf(hooks, [], true) },
    ];

    // Act
    const counts = functions.map(({ service, summary }) => emitted(service, summary).size);

    // Assess: non-trivial inputs (hooks counters and types present), then the figure
    expect(Object.keys(functions[1]?.summary.hooks ?? {}).length).toBeGreaterThan(0);
    expect(EVENT_TYPES.length).toBeGreaterThan(1);
    expect(counts.every((n) => n > 16)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(WORKLOAD.customMetrics);
  });
});
