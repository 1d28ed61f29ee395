/**
 * The resources the CDK stack creates, on the local emulators: the stream, the three tables, the bucket, the alert
 * topic with a queue subscribed to it (dev prints what arrives there), the hold queue; and the functions'
 * environment pointing at them.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ENV, type Env } from '../../lambda/config.js';
import { TABLE_KEYS } from '../../src/pipeline/names.js';
import type { Emulators } from './emulators.js';

export const LOCAL_NAMES = {
  /** The name `hookstream send --stream` uses by default in the docs. */
  stream: 'hookstream',
  resolutionTable: 'hookstream-resolutions',
  watermarkTable: 'hookstream-watermarks',
  dedupeTable: 'hookstream-alert-dedupe',
  bucket: 'hookstream-output',
  topic: 'hookstream-alerts',
  alertQueue: 'hookstream-alerts-inbox',
  holdQueue: 'hookstream-hold',
} as const;

export interface LocalStack {
  streamName: string;
  streamArn: string;
  shardIds: string[];
  bucket: string;
  topicArn: string;
  alertQueueUrl: string;
  holdQueueUrl: string;
  holdQueueArn: string;
  /** The functions' environment (ENV names of lambda/config.ts); `settings` adds or overrides variables. */
  env(settings: Record<string, string>): Env;
}

export async function createLocalStack(emulators: Emulators, shards: number): Promise<LocalStack> {
  const { clients } = emulators;
  await Promise.all([
    emulators.createStream(LOCAL_NAMES.stream, shards),
    emulators.createTable(LOCAL_NAMES.resolutionTable, TABLE_KEYS.state),
    emulators.createTable(LOCAL_NAMES.watermarkTable, { partitionKey: 'consumer', sortKey: 'shard' }),
    emulators.createTable(LOCAL_NAMES.dedupeTable, { partitionKey: 'dedupe_key' }),
    emulators.createBucket(LOCAL_NAMES.bucket),
  ]);
  const topicArn = await emulators.createTopic(LOCAL_NAMES.topic);
  const alertQueueUrl = await emulators.createQueue(LOCAL_NAMES.alertQueue, { subscribeToTopicArn: topicArn });
  const holdQueueUrl = await emulators.createQueue(LOCAL_NAMES.holdQueue);
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: holdQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const holdQueueArn = Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${LOCAL_NAMES.holdQueue}`;
  const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: LOCAL_NAMES.stream }));
  const streamArn =
    summary.StreamDescriptionSummary?.StreamARN ??
    `arn:aws:kinesis:us-east-1:000000000000:stream/${LOCAL_NAMES.stream}`;
  const listed = await clients.kinesis.send(new ListShardsCommand({ StreamName: LOCAL_NAMES.stream }));
  const shardIds = (listed.Shards ?? []).flatMap((shard) => (shard.ShardId ? [shard.ShardId] : []));
  return {
    streamName: LOCAL_NAMES.stream,
    streamArn,
    shardIds,
    bucket: LOCAL_NAMES.bucket,
    topicArn,
    alertQueueUrl,
    holdQueueUrl,
    holdQueueArn,
    env: (settings) => ({
      [ENV.resolutionTable]: LOCAL_NAMES.resolutionTable,
      [ENV.watermarkTable]: LOCAL_NAMES.watermarkTable,
      [ENV.dedupeTable]: LOCAL_NAMES.dedupeTable,
      [ENV.outputBucket]: LOCAL_NAMES.bucket,
      [ENV.alertTopicArn]: topicArn,
      [ENV.holdQueueUrl]: holdQueueUrl,
      // The stream's name, not its ARN: kinesalite predates StreamARN parameters (KinesisCatchUp accepts either).
      [ENV.streamArn]: LOCAL_NAMES.stream,
      ...settings,
    }),
  };
}
