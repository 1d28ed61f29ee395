/**
 * What Lambda hands a function, built locally: the invocation context and the event records of a Kinesis or SQS
 * event source mapping (the shapes the handlers read; see docs/lambda.md).
 */
import { randomUUID } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Message } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamRecord, SQSRecord } from 'aws-lambda';

/** A partial batch response, as the handlers built by createHandler / createHoldHandler answer. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** A handler as the local event source mappings invoke it; the middy handlers are assignable to it. */
export type LambdaHandler<E> = (event: E, context: Context) => Promise<BatchResponse>;

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** A minimal Lambda context (what Powertools' logger and batch processor read). */
export function lambdaContext(functionName: string, timeoutMs = 900_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A GetRecords record as the Kinesis event source mapping delivers it (eventID `shard:sequence`, base64 data). */
export function toKinesisRecord(record: KinesisRecord, shardId: string, streamArn: string): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/hookstream-dev`,
    awsRegion: REGION,
    eventSourceARN: streamArn,
  };
}

/** A received SQS message as the SQS event source mapping delivers it. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}
