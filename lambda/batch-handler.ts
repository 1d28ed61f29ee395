import { EventType } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import type { Summary } from '../src/pipeline/summary.js';
import { emitSummary, type Telemetry } from './telemetry.js';
import { processWholeBatch } from './whole-batch.js';

export interface BatchHandlerOptions<Service, Event extends KinesisStreamEvent | SQSEvent> {
  source: Event extends SQSEvent ? 'sqs' : 'kinesis';
  telemetry: Telemetry;
  /** Builds the service once per container, on first use; a rejection (bad config, bad rule) fails every invocation. */
  make: () => Promise<Service>;
  run: (service: Service, event: Event) => Promise<Summary>;
}

/**
 * The shape every function shares: middy with Powertools logger and metrics, the service made once, the batch run
 * whole with a partial batch response, the summary emitted as metrics.
 */
export function createBatchHandler<Service, Event extends KinesisStreamEvent | SQSEvent>(
  options: BatchHandlerOptions<Service, Event>,
): MiddyfiedHandler<Event, PartialItemFailureResponse> {
  const { logger, metrics } = options.telemetry;
  const eventType = options.source === 'sqs' ? EventType.SQS : EventType.KinesisDataStreams;
  let service: Promise<Service> | undefined;
  return middy(async (event: Event, context: Context) => {
    service ??= options.make();
    const ready = await service;
    return processWholeBatch(
      eventType,
      event,
      context,
      async () => {
        const summary = await options.run(ready, event);
        emitSummary(metrics, summary, event.Records.length);
        logger.info('batch processed', { summary });
      },
      (error) => logger.error('batch failed; it will be retried', error as Error),
    );
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
