/**
 * The dns-answers function on the Kinesis stream: what the persisting hooks pick (the DNS answers among it) into the
 * state table, then the watermark.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { DnsAnswersService } from '../../src/pipeline/dns-answers-service.js';
import { createBatchHandler } from '../batch-handler.js';
import { recordPositions, toInputRecords } from '../kinesis-input.js';
import { installLazySourceMaps } from '../lazy-source-maps.js';
import { createTelemetry } from '../telemetry.js';
import { createDnsAnswersService } from './dependencies.js';

// Stack traces mapped to the sources, the map read only when a stack is first formatted (not at every cold start).
installLazySourceMaps(import.meta.url);

/** Tests pass a service pointed at the emulators. */
export function createHandler(make: () => Promise<DnsAnswersService>) {
  return createBatchHandler<DnsAnswersService, KinesisStreamEvent>({
    telemetry: createTelemetry('dns-answers'),
    make,
    run: (service, event) => service.processRecords(toInputRecords(event.Records), recordPositions(event.Records)),
  });
}

export const handler = createHandler(() => createDnsAnswersService(process.env));
