/**
 * The two Lambda functions end to end against the local emulators (test/helpers/emulators.ts): the stream, tables,
 * bucket, topic and queues the CDK stack creates, a simulated Kinesis event source mapping per function and shard,
 * a hold-queue poller, and readers for what the functions wrote.
 *
 * What the simulated event source mapping does (as Lambda's does with ReportBatchItemFailures on): it reads a shard
 * from its checkpoint (GetShardIterator AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON at first) up to the batch size,
 * invokes the handler with a KinesisStreamEvent, and on batchItemFailures moves its checkpoint to just before the
 * lowest failed sequence number (the next step retries from there, with at least as many records); otherwise past
 * the batch. A thrown handler error
 * (a function error) leaves the checkpoint where it was and is rethrown.
 */

import { gunzipSync } from 'node:zlib';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { lambdaContext, toKinesisRecord, toSqsRecord } from '../../cli/dev/lambda-events.js';
import { createLocalStack, LOCAL_NAMES } from '../../cli/dev/local-stack.js';
import type { Env } from '../../lambda/config.js';
import { decodeHeld } from '../../src/pipeline/held-codec.js';
import { STATE_PREFIX } from '../../src/pipeline/names.js';
import { type EmulatorClients, type Emulators, startEmulators } from './emulators.js';

/** The Lambda event shapes are the ones `hookstream dev` delivers (cli/dev/lambda-events.ts). */
export { lambdaContext };

/** What a handler built by createHandler / createHoldHandler answers (Powertools' partial batch response). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** A handler as the harness invokes it. The middy handlers are assignable to this. */
export type LambdaHandler<E> = (event: E, context: Context) => Promise<BatchResponse>;

export interface HarnessOptions {
  /** Shards of the stream. Default 3. */
  shards?: number;
  /**
   * Silence Powertools' per-invocation logs and EMF metrics (thousands of invocations would flood the test output).
   * Default true; HOOKSTREAM_TEST_LOGS=1 turns them back on.
   */
  quiet?: boolean;
}

/** The resource names: those `hookstream dev` creates (cli/dev/local-stack.ts). */
export const NAMES = LOCAL_NAMES;

/** Where a record landed. */
export interface PutResult {
  shardId: string;
  sequenceNumber: string;
}

/** One S3 object as read back. */
export interface StoredObject {
  key: string;
  body: Buffer;
  etag: string;
}

/** One step of a simulated event source mapping. */
export interface StepResult {
  /** Records in the batch; 0: nothing was waiting (the handler was not invoked). */
  records: number;
  /** Records reported as batch item failures. */
  failed: number;
}

/** A simulated event source mapping of one function on one shard. */
export interface ShardConsumer {
  readonly shardId: string;
  /** The last sequence number checkpointed, undefined before the first success. */
  readonly checkpoint: string | undefined;
  /** Invocations made, retries included. */
  readonly invocations: number;
  /** Reads up to `batchSize` records from the checkpoint and invokes the handler once (if any record waits). */
  step(batchSize: number): Promise<StepResult>;
}

export interface HoldPoller {
  /** Receives up to `batchSize` visible messages, invokes the hold handler, deletes those that succeeded. */
  poll(batchSize?: number): Promise<StepResult>;
  /** Messages in the queue, visible or delayed or in flight (SQS's approximate counts, exact on fauxqs). */
  pending(): Promise<number>;
  readonly invocations: number;
  /** Held connections delivered to the hold handler, re-deliveries included. */
  readonly deliveries: number;
  /** Distinct held connections seen (by origin, i.e. shard/sequence number). */
  readonly distinct: ReadonlySet<string>;
}

/** An SNS notification as the subscribed queue receives it (raw delivery off: the SNS JSON envelope). */
export interface ReceivedAlert {
  subject: string | undefined;
  message: string;
  attributes: Record<string, string>;
}

export interface LambdaHarness {
  emulators: Emulators;
  clients: EmulatorClients;
  streamArn: string;
  shardIds: string[];
  topicArn: string;
  alertQueueUrl: string;
  holdQueueUrl: string;
  /** The functions' environment (ENV names of lambda/config.ts), all resources set; `overrides` win. */
  env(overrides?: Record<string, string | undefined>): Env;
  /** PutRecords in requests of at most 500 records (and under 5 MB); entries Kinesis reports failed are resent. */
  putRecords(
    datas: readonly Uint8Array[],
    partitionKey: 'random' | ((index: number) => string),
    random?: () => number,
  ): Promise<PutResult[]>;
  /** A simulated event source mapping of `handler` on one shard. */
  consumer(functionName: string, shardId: string, handler: LambdaHandler<KinesisStreamEvent>): ShardConsumer;
  /** The KinesisStreamEvent Lambda would build from up to `limit` records of a shard after `after` (or from its start). */
  readEvent(shardId: string, limit: number, after?: string): Promise<KinesisStreamEvent>;
  /** One simulated event source mapping per shard. */
  consumers(functionName: string, handler: LambdaHandler<KinesisStreamEvent>): ShardConsumer[];
  holdPoller(handler: LambdaHandler<SQSEvent>): HoldPoller;
  /** Every object under `prefix`, with its bytes and ETag, sorted by key. */
  readObjects(prefix: string): Promise<StoredObject[]>;
  /** The gunzipped JSON lines of every object under `prefix`. */
  readJsonLines(prefix: string): Promise<{ key: string; rows: Record<string, unknown>[] }[]>;
  /** Receives (and deletes) alert notifications until `count` arrived or no message came for `idleMs`. */
  receiveAlerts(count?: number, idleMs?: number): Promise<ReceivedAlert[]>;
  /** Every item of a table (Scan, paginated). */
  scanTable(tableName: string): Promise<Record<string, AttributeValue>[]>;
  stop(): Promise<void>;
}

const PUT_RECORDS_LIMIT = 500;
/** The hold handler's simulated function timeout (AWS: 120 s, and SQS retries after six times that). */
const HOLD_TIMEOUT_MS = 5_000;
const PUT_RECORDS_BYTES = 4_500_000;

export async function startLambdaHarness(options: HarnessOptions = {}): Promise<LambdaHarness> {
  if (options.quiet ?? !process.env.HOOKSTREAM_TEST_LOGS) {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  }
  const emulators = await startEmulators();
  const { clients } = emulators;
  const stack = await createLocalStack(emulators, options.shards ?? 3);
  const { topicArn, alertQueueUrl, holdQueueUrl, holdQueueArn, streamArn, shardIds } = stack;
  const env = (overrides: Record<string, string | undefined> = {}): Env => ({ ...stack.env({}), ...overrides });

  async function putRecords(
    datas: readonly Uint8Array[],
    partitionKey: 'random' | ((index: number) => string),
    random: () => number = Math.random,
  ): Promise<PutResult[]> {
    const results = new Array<PutResult>(datas.length);
    const keyOf =
      partitionKey === 'random'
        ? () => Math.floor(random() * 2 ** 52).toString(36)
        : (index: number) => partitionKey(index);
    let start = 0;
    while (start < datas.length) {
      let end = start;
      let bytes = 0;
      while (end < datas.length && end - start < PUT_RECORDS_LIMIT) {
        const size = (datas[end] as Uint8Array).byteLength + 256;
        if (end > start && bytes + size > PUT_RECORDS_BYTES) break;
        bytes += size;
        end++;
      }
      let pending = Array.from({ length: end - start }, (_, i) => start + i);
      const keys = new Map(pending.map((index) => [index, keyOf(index)]));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 10) throw new Error(`PutRecords: ${pending.length} records still failing`);
        const entries: PutRecordsRequestEntry[] = pending.map((index) => ({
          Data: datas[index] as Uint8Array,
          PartitionKey: keys.get(index) as string,
        }));
        const output = await clients.kinesis.send(
          new PutRecordsCommand({ StreamName: NAMES.stream, Records: entries }),
        );
        const retry: number[] = [];
        (output.Records ?? []).forEach((entry, i) => {
          const index = pending[i] as number;
          if (entry.ShardId && entry.SequenceNumber) {
            results[index] = { shardId: entry.ShardId, sequenceNumber: entry.SequenceNumber };
          } else {
            retry.push(index);
          }
        });
        pending = retry;
      }
      start = end;
    }
    return results;
  }

  async function readEvent(shardId: string, limit: number, after?: string): Promise<KinesisStreamEvent> {
    const { ShardIterator } = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: NAMES.stream,
        ShardId: shardId,
        ...(after === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }),
      }),
    );
    const { Records = [] } = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: limit }));
    return { Records: Records.map((r) => toKinesisRecord(r, shardId, streamArn)) };
  }

  function consumer(functionName: string, shardId: string, handler: LambdaHandler<KinesisStreamEvent>): ShardConsumer {
    let checkpoint: string | undefined;
    let invocations = 0;
    let retryAtLeast = 0;
    return {
      shardId,
      get checkpoint() {
        return checkpoint;
      },
      get invocations() {
        return invocations;
      },
      async step(batchSize: number): Promise<StepResult> {
        // A failed batch is retried from its first failed record with at least as many records (as Lambda does
        // without BisectBatchOnFunctionError): a retry never covers less than the attempt it replaces.
        const event = await readEvent(shardId, Math.max(batchSize, retryAtLeast), checkpoint);
        const Records = event.Records;
        if (Records.length === 0) return { records: 0, failed: 0 };
        invocations++;
        const response = await handler(event, lambdaContext(functionName));
        const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        if (failed.size === 0) {
          checkpoint = Records[Records.length - 1]?.kinesis.sequenceNumber;
          retryAtLeast = 0;
        } else {
          // Lambda retries from the lowest failed sequence number: checkpoint just before it.
          const lowest = Records.findIndex((r) => failed.has(r.kinesis.sequenceNumber));
          if (lowest > 0) checkpoint = Records[lowest - 1]?.kinesis.sequenceNumber;
          retryAtLeast = Records.length - Math.max(0, lowest);
        }
        return { records: Records.length, failed: failed.size };
      },
    };
  }

  function holdPoller(handler: LambdaHandler<SQSEvent>): HoldPoller {
    let invocations = 0;
    let deliveries = 0;
    const distinct = new Set<string>();
    return {
      get invocations() {
        return invocations;
      },
      get deliveries() {
        return deliveries;
      },
      distinct,
      async poll(batchSize = 10): Promise<StepResult> {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: holdQueueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 60,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) return { records: 0, failed: 0 };
        invocations++;
        for (const m of Messages) {
          const decoded = decodeHeld(m.Body ?? '');
          if (!decoded.ok) continue;
          deliveries += decoded.items.length;
          for (const item of decoded.items) distinct.add(item.origin);
        }
        const event: SQSEvent = { Records: Messages.map((m) => toSqsRecord(m, holdQueueArn)) };
        // A short simulated timeout: an attempt that failed without releasing its lease blocks its message this long.
        const response = await handler(event, lambdaContext('enrich-hold', HOLD_TIMEOUT_MS));
        const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId as string));
        if (done.length > 0) {
          await clients.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: holdQueueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
        // A failed message comes back at once instead of after the visibility timeout: keeps the tests short.
        for (const m of Messages.filter((m) => failed.has(m.MessageId as string))) {
          await clients.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: holdQueueUrl,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          );
        }
        return { records: Messages.length, failed: failed.size };
      },
      async pending(): Promise<number> {
        const { Attributes = {} } = await clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: holdQueueUrl,
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
      },
    };
  }

  async function readObjects(prefix: string): Promise<StoredObject[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: NAMES.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      // Attempt manifests (the exactly-once bookkeeping) are no output: only a prefix naming them reads them.
      for (const object of page.Contents ?? []) {
        if (object.Key && (prefix.startsWith(STATE_PREFIX) || !object.Key.startsWith(`${STATE_PREFIX}/`))) {
          keys.push(object.Key);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    keys.sort();
    const objects: StoredObject[] = [];
    for (const key of keys) {
      const got = await clients.s3.send(new GetObjectCommand({ Bucket: NAMES.bucket, Key: key }));
      const body = Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
      objects.push({ key, body, etag: got.ETag ?? '' });
    }
    return objects;
  }

  async function readJsonLines(prefix: string): Promise<{ key: string; rows: Record<string, unknown>[] }[]> {
    return (await readObjects(prefix)).map(({ key, body }) => ({
      key,
      rows: gunzipSync(body)
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    }));
  }

  async function receiveAlerts(count = Number.POSITIVE_INFINITY, idleMs = 1500): Promise<ReceivedAlert[]> {
    const alerts: ReceivedAlert[] = [];
    let idleSince = Date.now();
    while (alerts.length < count && Date.now() - idleSince < idleMs) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: alertQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      idleSince = Date.now();
      for (const m of Messages) alerts.push(parseSnsEnvelope(m.Body ?? ''));
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: alertQueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return alerts;
  }

  async function scanTable(tableName: string): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await clients.dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  return {
    emulators,
    clients,
    streamArn,
    shardIds,
    topicArn,
    alertQueueUrl,
    holdQueueUrl,
    env,
    putRecords,
    readEvent,
    consumer,
    consumers: (functionName, handler) => shardIds.map((shardId) => consumer(functionName, shardId, handler)),
    holdPoller,
    readObjects,
    readJsonLines,
    receiveAlerts,
    scanTable,
    stop: () => emulators.stop(),
  };
}

/** The SNS JSON envelope (raw message delivery off, as the stack subscribes): Subject, Message, MessageAttributes. */
export function parseSnsEnvelope(body: string): ReceivedAlert {
  const envelope = JSON.parse(body) as {
    Subject?: string;
    Message: string;
    MessageAttributes?: Record<string, { Type: string; Value: string }>;
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.MessageAttributes ?? {})) attributes[name] = value.Value;
  return { subject: envelope.Subject, message: envelope.Message, attributes };
}
