/**
 * decode + normalise + hooks over a generated mix of 1M events (30% connections, 20% DNS answers), beside the
 * same run's baseline: JSON.parse + JSON.stringify of the same records.
 */
import { createEnrichmentContext, createHooks, planHooks } from '../src/hooks/index.js';
import type { InputRecord } from '../src/pipeline/decode-batch.js';
import { processBatch } from '../src/pipeline/process-batch.js';
import { ENRICHMENT_MIX, generateRecords } from './generate-mix.js';
import { type Figure, formatRate, measureBaseline } from './measure.js';

export async function benchEnrichment(total: number, chunk = 1_000): Promise<Figure[]> {
  const plan = planHooks(createHooks());
  const context = createEnrichmentContext();
  let baselineMs = 0;
  let pipelineMs = 0;
  let enriched = 0;
  let connections = 0;
  let peakRss = 0;
  for (let index = 0; index < total; index += chunk) {
    const records = generateRecords(Math.min(chunk, total - index), ENRICHMENT_MIX, 1, index);
    const inputs: InputRecord[] = records.map((data, i) => ({ origin: `bench/${index + i}`, data, arrival: 0 }));
    baselineMs += measureBaseline(records);
    const start = performance.now();
    const batch = await processBatch(inputs, { hooks: plan, context });
    pipelineMs += performance.now() - start;
    enriched += batch.summary.connections.enriched;
    connections += batch.summary.connections.total;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const baselineRate = (total / baselineMs) * 1000;
  const pipelineRate = (total / pipelineMs) * 1000;
  return [
    { name: 'baseline: JSON.parse + JSON.stringify', value: formatRate(baselineRate) },
    { name: 'decode + normalise + hooks', value: formatRate(pipelineRate) },
    { name: 'ratio to baseline', value: (pipelineRate / baselineRate).toFixed(2) },
    { name: 'connections enriched', value: `${enriched} of ${connections}` },
    { name: 'peak RSS', value: `${(peakRss / 2 ** 20).toFixed(0)} MiB` },
  ];
}
