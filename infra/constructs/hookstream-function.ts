/**
 * A hookstream Lambda function: Node.js 22 on arm64, bundled locally by esbuild as ESM with a source map (read when
 * a stack trace is first formatted: lambda/lazy-source-maps.ts), X-Ray
 * tracing, its own log group with retention and its own role with no managed policies. Each `uses...` method sets
 * the environment variable the function's config reads (names from lambda/config.ts ENV) AND grants exactly the
 * actions that access needs, so configuration and permissions cannot drift apart.
 */
import { join } from 'node:path';
import { type CfnElement, type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

/** Namespace of the EMF metrics the functions publish (Powertools Metrics; lambda/telemetry.ts). */
export const METRICS_NAMESPACE = 'hookstream';

/**
 * The `service` dimension of each function's metrics: the names lambda/telemetry.ts `createTelemetry` is called
 * with, also set as POWERTOOLS_SERVICE_NAME. Not prefixed by the stack: two stacks in one account and region
 * would share these series (see docs/operations.md).
 */
export const SERVICE_NAMES = {
  dnsAnswers: 'dns-answers',
  enrich: 'enrich',
  enrichHold: 'enrich-hold',
  slackForwarder: 'slack-forwarder',
} as const;

export interface HookstreamFunctionProps {
  /** Repository root: entries, lock file and tsconfig are resolved from it. */
  projectRoot: string;
  /** Handler file relative to the project root; it must export `handler`. */
  entry: string;
  description: string;
  /** Powertools `service` (the `service` dimension of every metric the function emits). */
  serviceName: string;
  memorySize: number;
  timeout: Duration;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Extra bundling steps (the rules copy of the enrich functions). */
  commandHooks?: ICommandHooks;
}

/** DynamoDB actions by access kind; each list is what the adapters in lambda/adapters call. */
export const TABLE_ACTIONS = {
  /** DynamoDbStateStore.put (the hook state table): reads the stored item (GetItem, BatchGetItem), writes it conditionally. */
  resolutionWrite: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
  /** DynamoDbStateStore.get: batch reads of the state keys a batch's hooks declare. */
  resolutionRead: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
  /** DynamoDbWatermarkStore: UpdateItem of the own shard, Query of a consumer's shards. */
  watermark: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  /**
   * DynamoDbAlertDeduplicator: conditional UpdateItem claims, consistent GetItem; DynamoDbCommitStore (the
   * exactly-once records in the same table): consistent GetItem, conditional PutItem.
   */
  dedupe: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
} as const;

export class HookstreamFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HookstreamFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Own role without the AWSLambdaBasicExecutionRole managed policy (whose log actions apply to every log group).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    super(scope, id, {
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      loggingFormat: lambda.LoggingFormat.JSON,
      // No NODE_OPTIONS=--enable-source-maps: node would read and parse index.mjs.map while the bundle loads, every
      // cold start (about 40 ms of CPU and 8 MB). The handlers map their stack traces through the same map, read
      // when a stack is first formatted (lambda/lazy-source-maps.ts); an operator may still set the option.
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Stack traces need the mappings and file names only: without the sources' text the map is 1.9 MB, not 5.5,
        // for the first stack formatted (or every cold start, with --enable-source-maps) to read.
        sourcesContent: false,
        minify: true,
        // The SDK version the adapters were tested with, not whatever the runtime ships this month.
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into an ESM file still call require().
        banner:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        tsconfig: join(props.projectRoot, 'tsconfig.json'),
        commandHooks: props.commandHooks,
      },
    });
    logGroup.grantWrite(role);
    acknowledge(this, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is the runtime the project targets and tests on (package.json engines, esbuild target node22).',
      },
    ]);
  }

  /**
   * Acknowledges the IAM5 finding of an object grant below a key prefix: the object keys are created at run time
   * (partition and batch names), so the grant cannot name them, only their prefix.
   */
  acknowledgeObjectPrefix(bucket: s3.IBucket, pattern: string, why: string): void {
    const cfnBucket = bucket.node.defaultChild as CfnElement;
    const logicalId = Stack.of(this).resolve(cfnBucket.logicalId) as string;
    acknowledge(this.role!, [{ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${pattern}]`, reason: why }]);
  }

  /** Sets `variable` to the table name and grants `actions` on the table only. */
  usesTable(variable: string, table: dynamodb.ITable, actions: readonly string[]): this {
    this.addEnvironment(variable, table.tableName);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    return this;
  }

  /**
   * Sets `variable` to the stream ARN and grants what KinesisCatchUp calls (ListShards, GetShardIterator,
   * GetRecords) on it, plus decrypt when the stream uses a customer managed key. This is direct reading, on top of
   * (or, for enrich-hold, instead of) an event source mapping.
   */
  readsStream(variable: string, stream: kinesis.IStream): this {
    this.addEnvironment(variable, stream.streamArn);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        resources: [stream.streamArn],
      }),
    );
    if (stream.encryptionKey !== undefined) {
      this.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [stream.encryptionKey.keyArn] }),
      );
    }
    return this;
  }

  /**
   * Sets `variable` to the bucket name and grants PutObject and DeleteObject under the output prefixes (a retry
   * deletes the objects a failed attempt wrote and does not write again: docs/lambda.md, "Exactly once"), and
   * PutObject and GetObject under the bookkeeping prefix (attempt manifests). Nothing else: no listing, no reading
   * of output.
   */
  writesUnder(variable: string, bucket: s3.IBucket, prefixes: readonly string[], statePrefix: string): this {
    this.addEnvironment(variable, bucket.bucketName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}/*`)),
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [bucket.arnForObjects(`${statePrefix}/*`)],
      }),
    );
    for (const prefix of prefixes) {
      this.acknowledgeObjectPrefix(
        bucket,
        `${prefix}/*`,
        `PutObject and DeleteObject only under ${prefix}/: keys are dt=/hour= partitions and batch names chosen at run time; a retry deletes only the objects of its own failed attempt.`,
      );
    }
    this.acknowledgeObjectPrefix(
      bucket,
      `${statePrefix}/*`,
      `PutObject and GetObject only under ${statePrefix}/: attempt manifests named by unit and version at run time.`,
    );
    return this;
  }

  /**
   * IOC containers (lambda/ioc-containers.ts): sets the bucket and prefix variables and grants reading that prefix
   * only: ListBucket limited to it by the s3:prefix condition, GetObject on its objects.
   */
  readsContainers(bucketVariable: string, prefixVariable: string, bucket: s3.IBucket, prefix: string): this {
    const dir = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.addEnvironment(bucketVariable, bucket.bucketName);
    this.addEnvironment(prefixVariable, dir);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [dir, `${dir}*`] } },
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${dir}*`)] }),
    );
    this.acknowledgeObjectPrefix(
      bucket,
      `${dir}*`,
      `GetObject only under ${dir}: the IOC container files, one per container, named by whoever uploads them.`,
    );
    return this;
  }

  /** Sets `variable` to the topic ARN and grants Publish (PublishBatch uses it) plus the topic key's data-key use. */
  publishesTo(variable: string, topic: sns.ITopic, key: kms.IKey): this {
    this.addEnvironment(variable, topic.topicArn);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    );
    return this;
  }

  /** Sets `variable` to the queue URL and grants SendMessage (SendMessageBatch uses it). SSE-SQS needs no key. */
  sendsTo(variable: string, queue: sqs.IQueue): this {
    this.addEnvironment(variable, queue.queueUrl);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /** Sets `variable` to the secret ARN (never its value) and grants GetSecretValue on it. */
  readsSecret(variable: string, secret: secretsmanager.ISecret): this {
    this.addEnvironment(variable, secret.secretArn);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    return this;
  }
}

/** Removal policy for stateful resources from the `retainData` setting. */
export function dataRemovalPolicy(retain: boolean): RemovalPolicy {
  return retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
