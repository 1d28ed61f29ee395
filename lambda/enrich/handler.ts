/** The enrich function on the Kinesis stream: decode, enrich, hold late connections, detect, write, alert. */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { emptySummary } from '../../src/pipeline/summary.js';
import { createBatchHandler, deadlineOf } from '../batch-handler.js';
import { shardOf, toInputRecords } from '../kinesis-input.js';
import { installLazySourceMaps } from '../lazy-source-maps.js';
import { createTelemetry } from '../telemetry.js';
import { createEnrichService } from './dependencies.js';

// Stack traces mapped to the sources, the map read only when a stack is first formatted (not at every cold start).
installLazySourceMaps(import.meta.url);

/** Tests pass a service pointed at the emulators. */
export function createHandler(make: () => Promise<EnrichService>) {
  return createBatchHandler<EnrichService, KinesisStreamEvent>({
    telemetry: createTelemetry('enrich'),
    make,
    run: async (service, event, context) => {
      const first = event.Records[0];
      if (first === undefined) return { summary: emptySummary() };
      const summary = await service.processRecords(toInputRecords(event.Records), {
        shard: shardOf(first),
        leaseUntil: deadlineOf(context),
      });
      return { summary };
    },
  });
}

export const handler = createHandler(() => createEnrichService(process.env));
