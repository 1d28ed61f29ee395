/** The enrich code on the hold queue: held connections re-checked for late answers, then written. */
import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { decodeHeld } from '../../src/pipeline/held-codec.js';
import { emptySummary, mergeSummary } from '../../src/pipeline/summary.js';
import { createBatchHandler } from '../batch-handler.js';
import { createTelemetry } from '../telemetry.js';
import { createEnrichService } from './dependencies.js';

/**
 * Output name from one message's content: a message delivered twice, or the same hold sent twice by a batch
 * delivered twice (identical bodies: see HeldConnection.firstHeldAt), overwrites its own objects.
 */
export function heldBatchName(body: string): string {
  return `held-${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

export function createHoldHandler(make: () => Promise<EnrichService>) {
  const telemetry = createTelemetry('enrich-hold');
  return createBatchHandler<EnrichService, SQSEvent>({
    source: 'sqs',
    telemetry,
    make,
    // Each message on its own, so its objects are named after it whatever else SQS delivered with it.
    run: async (service, event) => {
      const summary = emptySummary();
      for (const message of event.Records) {
        const decoded = decodeHeld(message.body);
        if (!decoded.ok) {
          // Only our own code writes these messages: a malformed one is a bug, logged and dropped, never retried.
          telemetry.logger.error('hold message dropped', { reason: decoded.reason, messageId: message.messageId });
          continue;
        }
        mergeSummary(summary, await service.recheck(decoded.items, heldBatchName(message.body)));
      }
      return summary;
    },
  });
}

export const handler = createHoldHandler(() => createEnrichService(process.env));
