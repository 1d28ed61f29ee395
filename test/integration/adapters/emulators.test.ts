import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

// Guards the helper itself: every emulator answers through the ready-made clients.
describe('startEmulators', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
    // Printed, not asserted (STYLE.md rule 8).
    console.info(`emulators started in ${emulators.startupMs} ms`);
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('serves DynamoDB', async () => {
    await emulators.createTable('smoke', { partitionKey: 'pk', sortKey: 'sk' });
    const { TableNames } = await emulators.clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toContain('smoke');
  });

  it('serves Kinesis', async () => {
    await emulators.createStream('smoke', 2);
    const response = await emulators.clients.kinesis.send(
      new PutRecordCommand({ StreamName: 'smoke', PartitionKey: 'p', Data: Buffer.from('x') }),
    );
    expect(response.ShardId).toMatch(/^shardId-/);
  });

  it('serves S3 (s3rver) with Buffer bodies and ListObjectsV2', async () => {
    await expectS3RoundTrip(emulators);
  });

  it('serves S3 from fauxqs when asked', async () => {
    const alone = await startEmulators({ services: ['s3'], s3Backend: 'fauxqs' });
    try {
      await expectS3RoundTrip(alone);
    } finally {
      await alone.stop();
    }
  });

  it('delivers SNS to a subscribed SQS queue', async () => {
    const topicArn = await emulators.createTopic('smoke');
    const queueUrl = await emulators.createQueue('smoke', { subscribeToTopicArn: topicArn });
    await emulators.clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));
    const messages = await emulators.drainQueue(queueUrl, 1);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!).Message).toBe('hello');
  });
});

async function expectS3RoundTrip(emulators: Emulators): Promise<void> {
  await emulators.createBucket('smoke');
  const body = Buffer.from([0, 1, 2, 255, 254]);
  await emulators.clients.s3.send(new PutObjectCommand({ Bucket: 'smoke', Key: 'a/b.bin', Body: body }));
  const got = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: 'smoke', Key: 'a/b.bin' }));
  expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
  const listed = await emulators.clients.s3.send(new ListObjectsV2Command({ Bucket: 'smoke', Prefix: 'a/' }));
  expect(listed.Contents?.map((c) => c.Key)).toEqual(['a/b.bin']);
}
