import { BatchProcessor, type EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda';

/**
 * Runs `work` once for the whole batch and answers with Powertools' partial batch response. The core processes a
 * batch as a whole (every answer of the batch is picked before any connection is poked), so every record shares
 * its outcome: malformed records never fail (they go to `rejected/` inside `work`); a dependency error fails every
 * record, and Lambda retries the batch from its first record, which overwrites the same objects.
 */
export async function processWholeBatch(
  eventType: typeof EventType.KinesisDataStreams | typeof EventType.SQS,
  event: KinesisStreamEvent | SQSEvent,
  context: Context,
  work: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<PartialItemFailureResponse> {
  let outcome: Promise<void> | undefined;
  return processPartialResponse(
    event,
    async () => {
      outcome ??= work().catch((error: unknown) => {
        onError(error);
        throw error;
      });
      await outcome;
    },
    new BatchProcessor(eventType),
    { context, throwOnFullBatchFailure: false },
  );
}
