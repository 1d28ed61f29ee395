/**
 * Local AWS emulators, in-process on 127.0.0.1: dynalite (DynamoDB), kinesalite (Kinesis), s3rver (S3) and
 * fauxqs (SNS, SQS; optionally S3). Tests start them once per file (through test/helpers/emulators.ts, a
 * re-export); `hookstream dev` runs them with a fixed Kinesis port.
 *
 * The emulator packages are loaded on demand (dynamic import): they are devDependencies, and the bundled CLI
 * keeps them external, so a static import would break every command where they are not installed.
 *
 * S3 defaults to s3rver because it keeps object metadata (Content-Encoding) that fauxqs drops; s3rver corrupts
 * streamed (aws-chunked) uploads, so send Buffers, which the adapters do. `s3Backend: 'fauxqs'` saves a server.
 */

import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createTempFolder, type TempFolder } from './temp-folders.js';

/** `sns-sqs` is one fauxqs server. */
export type EmulatedService = 'dynamodb' | 'kinesis' | 's3' | 'sns-sqs';

export interface EmulatorOptions {
  /** Which services to start. Default: all. */
  services?: readonly EmulatedService[];
  /** Which server emulates S3. Default 's3rver'; 'fauxqs' serves it from the SNS/SQS server. */
  s3Backend?: 's3rver' | 'fauxqs';
  /** Where s3rver keeps objects. Default: a new temporary folder (cli/dev/temp-folders.ts), removed by stop(). */
  s3Directory?: string;
  /** Fixed ports (e.g. for `hookstream dev`). Default 0: the OS picks a free one. */
  ports?: Partial<Record<EmulatedService, number>>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
}

/** Endpoints of the started services; absent for services not started. */
export interface EmulatorEndpoints {
  dynamodb?: string;
  kinesis?: string;
  s3?: string;
  /** SNS and SQS share one fauxqs server. */
  snsSqs?: string;
}

export interface EmulatorClients {
  dynamodb: DynamoDBClient;
  kinesis: KinesisClient;
  s3: S3Client;
  sns: SNSClient;
  sqs: SQSClient;
}

/** A partition key, plus an optional sort key; both strings. */
export interface TableKey {
  partitionKey: string;
  sortKey?: string;
}

export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** Clients for the started services; using one whose server was not started throws. */
  clients: EmulatorClients;
  /** ms from call to all servers listening. */
  startupMs: number;
  createTable(name: string, key: TableKey): Promise<void>;
  createStream(name: string, shardCount?: number): Promise<void>;
  createBucket(name: string): Promise<void>;
  /** Returns the topic ARN. */
  createTopic(name: string): Promise<string>;
  /** Creates a queue, optionally subscribed (raw delivery off) to a topic; returns its URL. */
  createQueue(name: string, options?: { subscribeToTopicArn?: string }): Promise<string>;
  /** Receives (and deletes) until `count` messages arrived or `timeoutMs` passed. */
  drainQueue(queueUrl: string, count: number, timeoutMs?: number): Promise<Message[]>;
  stop(): Promise<void>;
}

/** Dummy credentials: the emulators accept anything, and this keeps the SDK away from real ones. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
/** s3rver checks signatures against this fixed pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const started = Date.now();
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const services = new Set(options.services ?? ['dynamodb', 'kinesis', 's3', 'sns-sqs']);
  const s3Backend = options.s3Backend ?? 's3rver';
  const stops: Array<() => Promise<void>> = [];
  const endpoints: EmulatorEndpoints = {};
  // Every package loaded before any server starts: a missing one then leaves nothing listening.
  const { default: dynalite } = await loadEmulator(() => import('dynalite'), 'dynalite');
  const { default: kinesalite } = await loadEmulator(() => import('kinesalite'), 'kinesalite');
  const { default: S3rver } = await loadEmulator(() => import('s3rver'), 's3rver');
  const { startFauxqs } = await loadEmulator(() => import('fauxqs'), 'fauxqs');

  const pending: Promise<void>[] = [];
  try {
    if (services.has('dynamodb')) {
      const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      pending.push(
        listen(server, options.ports?.dynamodb ?? 0, host).then((url) => {
          endpoints.dynamodb = url;
          stops.push(() => close(server));
        }),
      );
    }
    if (services.has('kinesis')) {
      const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
      pending.push(
        listen(server, options.ports?.kinesis ?? 0, host).then((url) => {
          endpoints.kinesis = url;
          stops.push(() => close(server));
        }),
      );
    }
    if (services.has('s3') && s3Backend === 's3rver') {
      pending.push(
        startS3rver(S3rver, options.ports?.s3 ?? 0, host, options.s3Directory).then(({ url, stop }) => {
          endpoints.s3 = url;
          stops.push(stop);
        }),
      );
    }
    const fauxqsS3 = services.has('s3') && s3Backend === 'fauxqs';
    if (services.has('sns-sqs') || fauxqsS3) {
      const port = options.ports?.['sns-sqs'] ?? (fauxqsS3 ? options.ports?.s3 : undefined) ?? 0;
      pending.push(
        startFauxqs({ port, logger: false, defaultRegion: region }).then((server) => {
          const url = `http://${host}:${server.port}`;
          if (services.has('sns-sqs')) endpoints.snsSqs = url;
          if (fauxqsS3) endpoints.s3 = url;
          stops.push(() => server.stop());
        }),
      );
    }
    await Promise.all(pending);
  } catch (error) {
    // One server failed (e.g. its port is taken): let the others finish starting, then close them all, or their
    // open sockets keep the process alive.
    await Promise.allSettled(pending);
    await Promise.allSettled(stops.map((s) => s()));
    throw error;
  }

  const clients = createClients(endpoints, region, s3Backend);
  const startupMs = Date.now() - started;

  return {
    endpoints,
    clients,
    startupMs,
    createTable: (name, key) => createTable(clients.dynamodb, name, key),
    createStream: (name, shardCount = 1) => createStream(clients.kinesis, name, shardCount),
    async createBucket(name) {
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async createTopic(name) {
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
      if (!TopicArn) throw new Error(`CreateTopic ${name} returned no ARN`);
      return TopicArn;
    },
    async createQueue(name, queueOptions) {
      const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
      if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
      if (queueOptions?.subscribeToTopicArn) {
        const attributes = await clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        await clients.sns.send(
          new SubscribeCommand({
            TopicArn: queueOptions.subscribeToTopicArn,
            Protocol: 'sqs',
            Endpoint: attributes.Attributes?.QueueArn,
          }),
        );
      }
      return QueueUrl;
    },
    drainQueue: (queueUrl, count, timeoutMs = 5000) => drainQueue(clients.sqs, queueUrl, count, timeoutMs),
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await Promise.all(stops.map((s) => s()));
    },
  };
}

function createClients(endpoints: EmulatorEndpoints, region: string, s3Backend: 's3rver' | 'fauxqs'): EmulatorClients {
  const common = { region, credentials: EMULATOR_CREDENTIALS };
  const missing = 'http://127.0.0.1:1'; // a service not started: requests fail fast instead of reaching AWS
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb ?? missing }),
    // kinesalite speaks HTTP/1.1 only; the client's default handler would try HTTP/2 for some operations.
    kinesis: new KinesisClient({
      ...common,
      endpoint: endpoints.kinesis ?? missing,
      requestHandler: new NodeHttpHandler(),
    }),
    // Path style: virtual-hosted bucket names under 127.0.0.1 do not resolve.
    s3: new S3Client({
      region,
      credentials: s3Backend === 's3rver' ? S3RVER_CREDENTIALS : EMULATOR_CREDENTIALS,
      endpoint: endpoints.s3 ?? missing,
      forcePathStyle: true,
    }),
    sns: new SNSClient({ ...common, endpoint: endpoints.snsSqs ?? missing }),
    // fauxqs queue URLs name the host sqs.<region>.localhost, which need not resolve: keep the client's endpoint.
    sqs: new SQSClient({ ...common, endpoint: endpoints.snsSqs ?? missing, useQueueUrlAsEndpoint: false }),
  };
}

async function createTable(client: DynamoDBClient, name: string, key: TableKey): Promise<void> {
  const keySchema: KeySchemaElement[] = [{ AttributeName: key.partitionKey, KeyType: 'HASH' }];
  const definitions: AttributeDefinition[] = [{ AttributeName: key.partitionKey, AttributeType: 'S' }];
  if (key.sortKey) {
    keySchema.push({ AttributeName: key.sortKey, KeyType: 'RANGE' });
    definitions.push({ AttributeName: key.sortKey, AttributeType: 'S' });
  }
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: keySchema,
      AttributeDefinitions: definitions,
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await until(async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    return Table?.TableStatus === 'ACTIVE';
  }, `table ${name} ACTIVE`);
}

async function createStream(client: KinesisClient, name: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  await until(async () => {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, `stream ${name} ACTIVE`);
}

async function drainQueue(client: SQSClient, queueUrl: string, count: number, timeoutMs: number): Promise<Message[]> {
  const deadline = Date.now() + timeoutMs;
  const messages: Message[] = [];
  while (messages.length < count && Date.now() < deadline) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) continue;
    messages.push(...Messages);
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startS3rver(
  S3rver: typeof import('s3rver').default,
  port: number,
  host: string,
  directory: string | undefined,
): Promise<{ url: string; stop: () => Promise<void> }> {
  let dir = directory;
  let temporary: TempFolder | undefined;
  if (dir === undefined) {
    // An owned temporary folder: if this process is killed, the next `hookstream dev` removes it.
    temporary = await createTempFolder('s3');
    // A subfolder: s3rver takes every entry of its root for a bucket, the owner file included.
    dir = join(temporary.path, 'data');
    await mkdir(dir);
  }
  const server = new S3rver({ port, address: host, silent: true, directory: dir, vhostBuckets: false });
  try {
    const address = await server.run();
    return {
      url: `http://${host}:${address.port}`,
      async stop() {
        await server.close();
        await temporary?.remove();
      },
    };
  } catch (error) {
    await temporary?.remove();
    throw error;
  }
}

/** An emulator package, or an error that says how to get it (they are devDependencies). */
async function loadEmulator<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new Error(
      `the local emulator package "${name}" is not installed (a devDependency: run npm install in the project)`,
      {
        cause: error,
      },
    );
  }
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${host}:${address.port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
