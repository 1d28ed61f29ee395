import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import type { Summary } from '../src/pipeline/summary.js';
import { emitSummary, type Telemetry } from './telemetry.js';

/** What a batch run did: its counters, and the records (by index in the event) that must be retried. */
export interface BatchResult {
  summary: Summary;
  /**
   * Kinesis: the index of the first record not fully processed (Lambda retries from there; everything before it
   * is checkpointed), or undefined when all were. SQS: see `failedMessages`.
   */
  failedFrom?: number;
  /** SQS: the indexes of the messages to retry (each message is its own unit). */
  failedMessages?: number[];
}

export interface BatchHandlerOptions<Service, Event extends KinesisStreamEvent | SQSEvent> {
  telemetry: Telemetry;
  /** Builds the service once per container, on first use; a rejection (bad config, bad rule) fails every invocation. */
  make: () => Promise<Service>;
  /** Throws only retryable errors: then every record of the event is reported failed. */
  run: (service: Service, event: Event, context: Context) => Promise<BatchResult>;
}

function identifiers(event: KinesisStreamEvent | SQSEvent): string[] {
  return event.Records.map((record) =>
    'kinesis' in record ? record.kinesis.sequenceNumber : (record as SQSEvent['Records'][number]).messageId,
  );
}

/**
 * The shape every stream and queue function shares: middy with Powertools logger and metrics, the service made
 * once, and a partial batch response built from what the run reports. A thrown error (a dependency still failing
 * after the adapters' retries, a concurrent attempt) reports every record failed: Lambda retries from the first,
 * and the exactly-once bookkeeping makes the retry write nothing twice. A permanent refusal of one record never
 * reaches here: the services reject that record and go on.
 */
export function createBatchHandler<Service, Event extends KinesisStreamEvent | SQSEvent>(
  options: BatchHandlerOptions<Service, Event>,
): MiddyfiedHandler<Event, PartialItemFailureResponse> {
  const { logger, metrics } = options.telemetry;
  let service: Promise<Service> | undefined;
  return middy(async (event: Event, context: Context): Promise<PartialItemFailureResponse> => {
    service ??= options.make();
    const ready = await service;
    const ids = identifiers(event);
    let result: BatchResult;
    try {
      result = await options.run(ready, event, context);
    } catch (error) {
      logger.error('batch failed; it will be retried', error as Error);
      metrics.addMetric('BatchesRetried', MetricUnit.Count, 1);
      return { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    emitSummary(metrics, result.summary, event.Records.length);
    logger.info('batch processed', { summary: result.summary });
    const failed =
      result.failedMessages ??
      (result.failedFrom === undefined ? [] : ids.map((_, i) => i).filter((i) => i >= (result.failedFrom as number)));
    if (failed.length > 0) logger.warn('records left for a retry', { failed: failed.length });
    return { batchItemFailures: failed.map((i) => ({ itemIdentifier: ids[i] as string })) };
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** Until when this invocation may still run, epoch ms (a test's minimal Context may lack the method). */
export function deadlineOf(context: Context, now: number = Date.now()): number {
  const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 0;
  // With no deadline known, a lease of 15 minutes (Lambda's maximum timeout) is the safe side.
  return now + (remaining > 0 ? remaining : 15 * 60_000);
}
