/**
 * A local SQS event source mapping of the hold handler: receive (long poll), invoke, delete the messages that
 * succeeded; a failed message becomes visible again after a short back-off (AWS: the visibility timeout, then the
 * dead-letter queue after 5 receives; neither is simulated). Held connections arrive once their delivery delay (the
 * hold window) has passed: fauxqs honours DelaySeconds.
 */

import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { FUNCTION_TIMEOUT_SECONDS } from '../../src/pipeline/names.js';
import { type LambdaHandler, lambdaContext, toSqsRecord } from './lambda-events.js';
import { pause } from './pause.js';
import type { PollerCounts } from './shard-poller.js';

export interface HoldPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: LambdaHandler<SQSEvent>;
  /** Told about each failed attempt (dev prints it on stderr). */
  onFailure: (message: string) => void;
}

const FUNCTION_NAME = 'enrich-hold';
const RETRY_AFTER_SECONDS = 5;

export class HoldPoller {
  readonly counts: PollerCounts = { records: 0, invocations: 0, failedInvocations: 0 };
  readonly #options: HoldPollerOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: HoldPollerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops polling after the batch in flight. With `drainForMs`, keeps going first until the queue is empty or that
   * long has passed (held connections become visible only after their delay).
   */
  async stop(drainForMs = 0): Promise<void> {
    const deadline = Date.now() + drainForMs;
    while (Date.now() < deadline && (await this.pending()) > 0) await delay(200);
    this.#stop.abort();
    await this.#running;
  }

  /** Messages in the queue: visible, delayed or in flight. */
  async pending(): Promise<number> {
    const { Attributes = {} } = await this.#options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#options.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesDelayed',
          'ApproximateNumberOfMessagesNotVisible',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      try {
        await this.#poll();
      } catch (error) {
        this.counts.failedInvocations++;
        this.#options.onFailure(`${FUNCTION_NAME}: ${error instanceof Error ? error.message : error}`);
        await pause(RETRY_AFTER_SECONDS * 1000, signal);
      }
    }
  }

  async #poll(): Promise<void> {
    const { sqs, queueUrl, queueArn, handler } = this.#options;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return;
    this.counts.invocations++;
    const event: SQSEvent = { Records: Messages.map((message) => toSqsRecord(message, queueArn)) };
    const response = await handler(event, lambdaContext(FUNCTION_NAME, FUNCTION_TIMEOUT_SECONDS.enrichHold * 1000));
    const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
    this.counts.records += done.length;
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    if (failed.size === 0) return;
    this.counts.failedInvocations++;
    this.#options.onFailure(`${FUNCTION_NAME}: ${failed.size} of ${Messages.length} messages failed; retried later`);
    for (const message of Messages.filter((m) => failed.has(m.MessageId ?? ''))) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: RETRY_AFTER_SECONDS,
        }),
      );
    }
  }
}
