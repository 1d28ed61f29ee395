/** The enrich code on the hold queue: held connections re-checked for late answers, then written. */
import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { decodeHeld } from '../../src/pipeline/held-codec.js';
import { emptySummary, mergeSummary } from '../../src/pipeline/summary.js';
import { createBatchHandler, deadlineOf } from '../batch-handler.js';
import { installLazySourceMaps } from '../lazy-source-maps.js';
import { createTelemetry } from '../telemetry.js';
import { createEnrichService } from './dependencies.js';

// Stack traces mapped to the sources, the map read only when a stack is first formatted (not at every cold start).
installLazySourceMaps(import.meta.url);

/**
 * Output and unit name from one message's content: a message delivered twice, or a body sent again by a retried
 * stream batch, is the same unit, finished once (src/pipeline/commit-log.ts).
 */
export function heldBatchName(body: string): string {
  return `held-${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

export function createHoldHandler(make: () => Promise<EnrichService>) {
  const telemetry = createTelemetry('enrich-hold');
  return createBatchHandler<EnrichService, SQSEvent>({
    telemetry,
    make,
    // Each message on its own: its own unit and object names, and its own failure (one message left for a retry
    // never holds back the others).
    run: async (service, event, context) => {
      const summary = emptySummary();
      const failedMessages: number[] = [];
      for (const [index, message] of event.Records.entries()) {
        const decoded = decodeHeld(message.body);
        if (!decoded.ok) {
          // Only our own code writes these messages: a malformed one is a bug, logged and dropped, never retried.
          telemetry.logger.error('hold message dropped', { reason: decoded.reason, messageId: message.messageId });
          continue;
        }
        try {
          const name = heldBatchName(message.body);
          const leaseUntil = deadlineOf(context);
          mergeSummary(summary, await service.recheck(decoded.items, { name, leaseUntil, body: message.body }));
        } catch (error) {
          telemetry.logger.warn('hold message left for a retry', {
            messageId: message.messageId,
            error: error as Error,
          });
          failedMessages.push(index);
        }
      }
      return { summary, failedMessages };
    },
  });
}

export const handler = createHoldHandler(() => createEnrichService(process.env));
