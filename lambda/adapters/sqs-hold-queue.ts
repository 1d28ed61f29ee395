/**
 * The hold queue port over SQS: hold messages go back to the enrich code after a delivery delay. The core makes
 * the bodies (src/pipeline/held-codec.ts: each within LIMITS.holdMessageBytes, characters SQS accepts); here they
 * are packed into SendMessageBatch requests of at most 10 entries AND LIMITS.sendMessageBatchBytes in all (SQS
 * refuses a batch over 256 KiB as a whole). Entries SQS reports as Failed are retried with backoff; an entry
 * refused as the sender's fault is returned as refused, never thrown, so that it cannot fail its batch.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LIMITS } from '../../src/limits.js';
import type { HoldQueue } from '../../src/pipeline/ports.js';
import { utf8Length } from '../../src/pipeline/service-text.js';
import { describeError, isPermanentItemRefusal, RetryableDependencyError } from './errors.js';
import { packRequests } from './pack-requests.js';
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
  /** Bytes of all bodies in one SendMessageBatch. Default LIMITS.sendMessageBatchBytes. */
  maxBatchBytes?: number;
  retry?: RetryOptions;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

/** SQS's longest delivery delay. A longer wait is made of several holds. */
const MAX_DELAY_SECONDS = 900;
const SEND_BATCH_LIMIT = 10;

export class SqsHoldQueue implements HoldQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #maxBatchBytes: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #onRequest: ((operation: string) => void) | undefined;

  constructor(options: SqsHoldQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#maxBatchBytes = options.maxBatchBytes ?? LIMITS.sendMessageBatchBytes;
    this.#retry = resolveRetryOptions(options.retry);
    this.#onRequest = options.onRequest;
  }

  async send(bodies: readonly string[], delayMs: number): Promise<{ refused: { index: number; reason: string }[] }> {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    const refused: { index: number; reason: string }[] = [];
    // Ids are indexes into `bodies`: unique in the request, and they name refused entries.
    const entries = bodies.map(
      (body, i): SendMessageBatchRequestEntry => ({
        Id: String(i),
        MessageBody: body,
        DelaySeconds: delay,
      }),
    );
    const sizeOf = (entry: SendMessageBatchRequestEntry) => utf8Length(entry.MessageBody ?? '');
    for (const request of packRequests(entries, sizeOf, SEND_BATCH_LIMIT, this.#maxBatchBytes)) {
      await this.#send(request, refused);
    }
    return { refused };
  }

  async #send(entries: SendMessageBatchRequestEntry[], refused: { index: number; reason: string }[]): Promise<void> {
    let pending = entries;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let output: SendMessageBatchCommandOutput;
      try {
        output = await retryOnTransient('sqs:SendMessageBatch', this.#retry, () => {
          this.#onRequest?.('SendMessageBatch');
          return this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending }));
        });
      } catch (error) {
        // A request of one body refused as a whole (too long): that body is refused, not the batch. Bodies are
        // packed within the limits, so a request of several is never refused this way.
        const only = pending.length === 1 ? pending[0] : undefined;
        if (only === undefined || !isPermanentItemRefusal(error)) throw error;
        refused.push({ index: Number(only.Id), reason: describeError(error) });
        return;
      }
      const failures = output.Failed ?? [];
      for (const failure of failures.filter((f) => f.SenderFault)) {
        refused.push({ index: Number(failure.Id), reason: `${failure.Code} ${failure.Message ?? ''}`.trim() });
      }
      const failed = new Set(failures.filter((f) => !f.SenderFault).map((failure) => failure.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length === 0) return;
      if (attempt + 1 >= this.#retry.maxAttempts) {
        throw new RetryableDependencyError('sqs:SendMessageBatch', `${pending.length} entries still failing`);
      }
      await this.#retry.sleep(backoffDelay(this.#retry, attempt));
    }
  }
}
