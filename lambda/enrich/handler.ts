/** The enrich function on the Kinesis stream: decode, enrich, hold late connections, detect, write, alert. */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { createBatchHandler } from '../batch-handler.js';
import { batchName, toInputRecords } from '../kinesis-input.js';
import { createTelemetry } from '../telemetry.js';
import { createEnrichService } from './dependencies.js';

/** Tests pass a service pointed at the emulators. */
export function createHandler(make: () => Promise<EnrichService>) {
  return createBatchHandler<EnrichService, KinesisStreamEvent>({
    source: 'kinesis',
    telemetry: createTelemetry('enrich'),
    make,
    run: (service, event) => service.processRecords(toInputRecords(event.Records), batchName(event.Records)),
  });
}

export const handler = createHandler(() => createEnrichService(process.env));
