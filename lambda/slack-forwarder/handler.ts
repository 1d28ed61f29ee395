/**
 * Slack forwarder: SQS (subscribed to the alert topic) -> Slack incoming webhook, one post per message, in order.
 * Failed records are reported as batch item failures and come back after the visibility timeout.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { installLazySourceMaps } from '../lazy-source-maps.js';
import { dependencies, logger } from './dependencies.js';
import { forwardRecord } from './forward-record.js';

// Stack traces mapped to the sources, the map read only when a stack is first formatted (not at every cold start).
installLazySourceMaps(import.meta.url);

const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    await forwardRecord(record, dependencies);
  } catch (error) {
    logger.warn('slack post failed', { messageId: record.messageId, error: error as Error });
    throw error;
  }
}

// Sequential: a Slack webhook accepts about one message per second, parallel posts only earn 429s.
const lambdaHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, { context, processInParallel: false });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
