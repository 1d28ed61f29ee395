/**
 * The hold queue port over SQS: held connections go back to the enrich code after a delivery delay.
 * Each message carries many connections (up to ~200 KB of JSON); SendMessageBatch sends up to 10 messages per
 * request; entries SQS reports as Failed are retried with backoff, then the call throws.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeHeld } from '../../src/pipeline/held-codec.js';
import type { HeldConnection, HoldQueue } from '../../src/pipeline/ports.js';
import { RetryableDependencyError } from './errors.js';
import {
  backoffDelay,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface SqsHoldQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /** Bytes of JSON per message, under SQS's 256 KiB limit with room for attributes. Default 200 000. */
  maxMessageBytes?: number;
  retry?: RetryOptions;
}

/** SQS's longest delivery delay. A longer wait is made of several holds. */
const MAX_DELAY_SECONDS = 900;
const SEND_BATCH_LIMIT = 10;

export class SqsHoldQueue implements HoldQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #maxBytes: number;
  readonly #retry: ResolvedRetryOptions;

  constructor(options: SqsHoldQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#maxBytes = options.maxMessageBytes ?? 200_000;
    this.#retry = resolveRetryOptions(options.retry);
  }

  async hold(items: readonly HeldConnection[], delayMs: number): Promise<void> {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    const bodies = this.#messages(items);
    for (let i = 0; i < bodies.length; i += SEND_BATCH_LIMIT) {
      const entries = bodies
        .slice(i, i + SEND_BATCH_LIMIT)
        .map(
          (body, j): SendMessageBatchRequestEntry => ({ Id: String(i + j), MessageBody: body, DelaySeconds: delay }),
        );
      await this.#send(entries);
    }
  }

  /** Splits the items into message bodies under the size limit (one item is never split). */
  #messages(items: readonly HeldConnection[]): string[] {
    const bodies: string[] = [];
    let current: HeldConnection[] = [];
    let size = 0;
    for (const item of items) {
      const itemSize = Buffer.byteLength(JSON.stringify(item));
      if (current.length > 0 && size + itemSize > this.#maxBytes) {
        bodies.push(encodeHeld(current));
        current = [];
        size = 0;
      }
      current.push(item);
      size += itemSize + 1;
    }
    if (current.length > 0) bodies.push(encodeHeld(current));
    return bodies;
  }

  async #send(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const output = await retryOnTransient('sqs:SendMessageBatch', this.#retry, () =>
        this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending })),
      );
      const failed = new Set((output.Failed ?? []).map((failure) => failure.Id));
      const senderFault = (output.Failed ?? []).find((failure) => failure.SenderFault);
      if (senderFault !== undefined) {
        // A sender fault (e.g. a message too large) cannot succeed on retry: a bug, not a dependency failure.
        throw new Error(`sqs:SendMessageBatch rejected an entry: ${senderFault.Code} ${senderFault.Message ?? ''}`);
      }
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length === 0) return;
      if (attempt + 1 >= this.#retry.maxAttempts) {
        throw new RetryableDependencyError('sqs:SendMessageBatch', `${pending.length} entries still failing`);
      }
      await this.#retry.sleep(backoffDelay(this.#retry, attempt));
    }
  }
}
