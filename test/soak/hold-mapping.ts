/**
 * A simulated SQS event source mapping of the enrich-hold function on the hold queue: ReceiveMessage, the handler,
 * DeleteMessage for what succeeded, failed messages visible again at once, a message received more than
 * `maxReceives` times moved aside (the queue's dead-letter redrive; counted, it must stay 0). Plus the faults the
 * soak injects here: an invocation killed after part of its writes (its messages come back after a short
 * visibility timeout, to a fresh container), and SQS's at-least-once delivery: a message that was processed and
 * deleted delivered once more, later (same message id and body), so that its two copies meet the DNS consumer at
 * different points and can split their connections differently.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../cli/dev/lambda-events.js';
import { decodeHeld } from '../../src/pipeline/held-codec.js';
import { toOutputRecord } from '../../src/pipeline/output-record.js';
import { type LambdaHarness, NAMES } from '../helpers/lambda-harness.js';
import { randomInt } from '../helpers/lambda-prng.js';
import { eventIdOfRow } from '../helpers/lambda-records.js';
import type { FunctionRuntime } from './function-runtime.js';
import type { Redeliveries } from './redeliveries.js';

/** What the SQS event source mapping puts in eventSourceARN (the handler does not read it). */
const HOLD_QUEUE_ARN = `arn:aws:sqs:us-east-1:000000000000:${NAMES.holdQueue}`;

export interface HoldMappingOptions {
  harness: LambdaHarness;
  runtime: FunctionRuntime<SQSEvent>;
  random: () => number;
  /** Messages per receive, 1-10 (SQS's limit per ReceiveMessage). */
  batchSize: () => number;
  /** Receives of one message before the redrive moves it to the dead-letter queue (HOLD_MAX_RECEIVES). */
  maxReceives: number;
  chances: {
    /** An invocation is killed once 1-3 of its writes went out. */
    kill: number;
    /** A message processed and deleted is delivered once more, 0.2-3 s later. */
    duplicate: number;
  };
  redeliveries: Redeliveries;
}

export interface HoldStats {
  invocations: number;
  answeredWithFailures: number;
  functionErrors: number;
  timeouts: number;
  /** Messages delivered twice on purpose. */
  duplicates: number;
  /** Messages moved aside after too many receives: their connections are lost. */
  deadLettered: number;
  /** Held connections delivered to the handler, copies included. */
  deliveries: number;
  /** Distinct held connections seen, by event identity (eventIdOfRow). */
  distinct: Set<string>;
}

export class HoldMapping {
  readonly stats: HoldStats = {
    invocations: 0,
    answeredWithFailures: 0,
    functionErrors: 0,
    timeouts: 0,
    duplicates: 0,
    deadLettered: 0,
    deliveries: 0,
    distinct: new Set(),
  };
  /** Bodies moved aside, to tell the report which connections they held. */
  readonly deadLetters: string[] = [];

  constructor(readonly options: HoldMappingOptions) {}

  /** One receive and one invocation (if anything was visible); returns the messages received. */
  async poll(): Promise<number> {
    const { harness, random, runtime, chances } = this.options;
    const { sqs } = harness.clients;
    const queueUrl = harness.holdQueueUrl;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: this.options.batchSize(),
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return 0;
    const live: Message[] = [];
    const tooOften: Message[] = [];
    for (const m of Messages) {
      if (Number(m.Attributes?.ApproximateReceiveCount ?? 1) > this.options.maxReceives) tooOften.push(m);
      else live.push(m);
    }
    if (tooOften.length > 0) {
      this.stats.deadLettered += tooOften.length;
      for (const m of tooOften) this.deadLetters.push(m.Body ?? '');
      await this.#delete(tooOften);
    }
    if (live.length === 0) return Messages.length;
    const records = live.map((m) => toSqsRecord(m, HOLD_QUEUE_ARN));
    this.#count(records);
    const kill = random() < chances.kill ? randomInt(random, 1, 3) : undefined;
    const outcome = await runtime.invoke({ Records: records }, kill);
    this.stats.invocations++;
    if (outcome.kind !== 'answered') {
      if (outcome.kind === 'error') this.stats.functionErrors++;
      else this.stats.timeouts++;
      // The messages come back once their visibility timeout has passed: on AWS six times the function's timeout,
      // here just past the timed-out invocation's deadline (so its lease on a message has expired).
      const after = outcome.kind === 'timeout' ? Math.ceil((outcome.deadline - Date.now()) / 1000) : 0;
      for (const m of live) await this.#visibleIn(m, Math.max(0, after) + randomInt(random, 0, 1));
      return Messages.length;
    }
    const failed = new Set(outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier));
    if (failed.size > 0) this.stats.answeredWithFailures++;
    const done = live.filter((m) => !failed.has(m.MessageId as string));
    if (done.length > 0) await this.#delete(done);
    for (const m of live.filter((m) => failed.has(m.MessageId as string))) await this.#visibleIn(m, 0);
    for (const record of records.filter((r) => !failed.has(r.messageId))) {
      if (random() >= chances.duplicate) continue;
      this.stats.duplicates++;
      const copy: SQSRecord = {
        ...record,
        attributes: {
          ...record.attributes,
          ApproximateReceiveCount: String(Number(record.attributes.ApproximateReceiveCount) + 1),
        },
      };
      this.options.redeliveries.add('hold message copy', Date.now() + randomInt(random, 200, 3_000), () =>
        this.#deliverCopy(copy),
      );
    }
    return Messages.length;
  }

  /** Messages in the queue: visible, delayed or in flight (exact on fauxqs). */
  async pending(): Promise<number> {
    const { Attributes = {} } = await this.options.harness.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.harness.holdQueueUrl,
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

  /** The second copy of a message already processed and deleted; false: it failed, and SQS owes it again. */
  async #deliverCopy(copy: SQSRecord): Promise<boolean> {
    this.#count([copy]);
    const outcome = await this.options.runtime.invoke({ Records: [copy] });
    this.stats.invocations++;
    if (outcome.kind === 'answered' && outcome.response.batchItemFailures.length === 0) return true;
    if (outcome.kind === 'answered') this.stats.answeredWithFailures++;
    else if (outcome.kind === 'error') this.stats.functionErrors++;
    else this.stats.timeouts++;
    return false;
  }

  #count(records: readonly SQSRecord[]): void {
    for (const record of records) {
      const decoded = decodeHeld(record.body);
      if (!decoded.ok) continue;
      this.stats.deliveries += decoded.items.length;
      for (const item of decoded.items) this.stats.distinct.add(eventIdOfRow(toOutputRecord(item.event)));
    }
  }

  async #delete(messages: readonly Message[]): Promise<void> {
    await this.options.harness.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.harness.holdQueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }

  async #visibleIn(message: Message, seconds: number): Promise<void> {
    await this.options.harness.clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.options.harness.holdQueueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
