/**
 * A simulated SQS event source mapping of the enrich-hold function on the hold queue: ReceiveMessage, the handler,
 * DeleteMessage for what succeeded; a message that failed (reported, thrown, or timed out) comes back once its
 * visibility timeout has passed, which on AWS is six times the function's timeout: here just past the failed
 * invocation's deadline, so that the lease the attempt took has expired, as it has on AWS. A message received more
 * than `maxReceives` times is moved aside (the queue's dead-letter redrive; counted: its connections are lost).
 *
 * Faults injected here: an invocation killed after part of its writes (the next one runs in a fresh container),
 * and SQS's at-least-once delivery of a message that was processed: a copy (same message id and body) handed to a
 * second container at the same moment, or delivered again later, so that the two copies meet the DNS consumer at
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
import type { FunctionRuntime, Outcome } from './function-runtime.js';
import type { Redeliveries, RedeliveryResult } from './redeliveries.js';

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
    /** An invocation is killed once 1-4 of its writes went out. */
    kill: number;
    /** A message received is also handed, at the same moment, to a second container. */
    concurrentCopy: number;
    /** A message processed and deleted is delivered once more, 0.2-3 s later. */
    lateCopy: number;
  };
  redeliveries: Redeliveries;
}

export interface HoldStats {
  invocations: number;
  answeredWithFailures: number;
  functionErrors: number;
  timeouts: number;
  /** Messages handed to two containers at once. */
  concurrentCopies: number;
  /** Messages delivered once more after they were processed. */
  lateCopies: number;
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
    concurrentCopies: 0,
    lateCopies: 0,
    deadLettered: 0,
    deliveries: 0,
    distinct: new Set(),
  };

  constructor(readonly options: HoldMappingOptions) {}

  /** One receive and one invocation (if anything was visible); returns the messages received. */
  async poll(): Promise<number> {
    const { harness, random, runtime, chances } = this.options;
    const { Messages = [] } = await harness.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: harness.holdQueueUrl,
        MaxNumberOfMessages: this.options.batchSize(),
        WaitTimeSeconds: 0,
        VisibilityTimeout: 900,
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
      await this.#delete(tooOften);
    }
    if (live.length === 0) return Messages.length;
    const records = live.map((m) => toSqsRecord(m, HOLD_QUEUE_ARN));
    const copied = records.filter(() => random() < chances.concurrentCopy);
    const killAfterWrites = random() < chances.kill ? randomInt(random, 1, 4) : undefined;
    this.#count(records);
    const original = runtime.invoke({ Records: records }, { killAfterWrites });
    if (copied.length > 0) {
      // The copies run alongside, on another container; what they leave undone comes back as SQS would.
      this.stats.concurrentCopies += copied.length;
      this.#count(copied);
      const copies = runtime.invoke({ Records: copied.map(secondCopy) }, { sibling: true });
      this.stats.invocations++;
      const outcome = await copies;
      this.#note(outcome);
      for (const record of this.#failedOf(outcome, copied)) {
        this.options.redeliveries.add('hold message copy', retryTime(outcome, random), () => this.#deliverCopy(record));
      }
    }
    const outcome = await original;
    this.stats.invocations++;
    this.#note(outcome);
    const failed = new Set(this.#failedOf(outcome, records).map((record) => record.messageId));
    const done = live.filter((m) => !failed.has(m.MessageId as string));
    if (done.length > 0) await this.#delete(done);
    const after = Math.max(0, Math.ceil((retryTime(outcome, random) - Date.now()) / 1000));
    for (const m of live.filter((m) => failed.has(m.MessageId as string))) await this.#visibleIn(m, after);
    for (const record of records.filter((r) => !failed.has(r.messageId))) {
      if (random() >= chances.lateCopy) continue;
      this.stats.lateCopies++;
      const copy = secondCopy(record);
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

  /** A copy of a message delivered on its own; failed, it is owed again after the attempt's deadline. */
  async #deliverCopy(copy: SQSRecord): Promise<RedeliveryResult> {
    this.#count([copy]);
    const outcome = await this.options.runtime.invoke({ Records: [copy] });
    this.stats.invocations++;
    this.#note(outcome);
    if (this.#failedOf(outcome, [copy]).length === 0) return { done: true };
    return { done: false, retryAt: retryTime(outcome, this.options.random) };
  }

  /** The records an outcome leaves for a retry: the reported ones, or all after an error or a timeout. */
  #failedOf(outcome: Outcome, records: readonly SQSRecord[]): SQSRecord[] {
    if (outcome.kind !== 'answered') return [...records];
    const failed = new Set(outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier));
    return records.filter((record) => failed.has(record.messageId));
  }

  #note(outcome: Outcome): void {
    if (outcome.kind === 'error') this.stats.functionErrors++;
    else if (outcome.kind === 'timeout') this.stats.timeouts++;
    else if (outcome.response.batchItemFailures.length > 0) this.stats.answeredWithFailures++;
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

/** The same message as SQS hands it out a second time: same id and body, one more receive. */
function secondCopy(record: SQSRecord): SQSRecord {
  const count = Number(record.attributes.ApproximateReceiveCount);
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count + 1) } };
}

/** When a failed message may come back: after the attempt's deadline (its lease), plus up to a second. */
function retryTime(outcome: Outcome, random: () => number): number {
  return Math.max(Date.now(), outcome.deadline) + randomInt(random, 0, 1_000);
}
