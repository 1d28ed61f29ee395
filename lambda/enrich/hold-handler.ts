/** The enrich code on the hold queue: held connections re-checked for late answers, then written. */
import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { decodeHeld } from '../../src/pipeline/held-codec.js';
import type { HeldConnection } from '../../src/pipeline/ports.js';
import { createBatchHandler } from '../batch-handler.js';
import { createTelemetry } from '../telemetry.js';
import { createEnrichService } from './dependencies.js';

/** Output name from the messages' content: a re-delivered or re-sent message overwrites its own objects. */
export function heldBatchName(bodies: readonly string[]): string {
  const hash = createHash('sha256');
  for (const body of [...bodies].sort()) hash.update(body).update('\n');
  return `held-${hash.digest('hex').slice(0, 32)}`;
}

export function createHoldHandler(make: () => Promise<EnrichService>) {
  const telemetry = createTelemetry('enrich-hold');
  return createBatchHandler<EnrichService, SQSEvent>({
    source: 'sqs',
    telemetry,
    make,
    run: (service, event) => {
      const items: HeldConnection[] = [];
      for (const message of event.Records) {
        const decoded = decodeHeld(message.body);
        // Only our own code writes these messages: a malformed one is a bug, logged and dropped, never retried.
        if (decoded.ok) items.push(...decoded.items);
        else telemetry.logger.error('hold message dropped', { reason: decoded.reason, messageId: message.messageId });
      }
      return service.recheck(items, heldBatchName(event.Records.map((message) => message.body)));
    },
  });
}

export const handler = createHoldHandler(() => createEnrichService(process.env));
