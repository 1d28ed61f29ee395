/** The enrich functions' composition root: config -> clients -> adapters -> compiled rules, once per cold start. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHooks, planHooks } from '../../src/hooks/index.js';
import { CommitLog } from '../../src/pipeline/commit-log.js';
import { DNS_ANSWERS_CONSUMER } from '../../src/pipeline/dns-answers-service.js';
import { EnrichService } from '../../src/pipeline/enrich-service.js';
import { CORRELATION_TOLERANCE_MS } from '../../src/pipeline/process-batch.js';
import { DynamoDbAlertDeduplicator } from '../adapters/dynamodb-alert-deduplicator.js';
import { DynamoDbCommitStore } from '../adapters/dynamodb-commit-store.js';
import { DynamoDbCorrelationStore } from '../adapters/dynamodb-correlation-store.js';
import { DynamoDbStateStore } from '../adapters/dynamodb-state-store.js';
import { DynamoDbWatermarkStore } from '../adapters/dynamodb-watermark-store.js';
import { KinesisCatchUp } from '../adapters/kinesis-catch-up.js';
import { S3ObjectWriter } from '../adapters/s3-object-writer.js';
import { SnsAlertPublisher } from '../adapters/sns-alert-publisher.js';
import { SqsHoldQueue } from '../adapters/sqs-hold-queue.js';
import { type Env, enrichConfig } from '../config.js';
import { loadIocContainers } from '../ioc-containers.js';
import { loadRules } from '../rules.js';

export interface EnrichClients {
  dynamodb: DynamoDBClient;
  kinesis: KinesisClient;
  s3: S3Client;
  sns: SNSClient;
  sqs: SQSClient;
}

/** The SDK clients of the real environment (region and credentials from the Lambda runtime). */
export function defaultClients(): EnrichClients {
  return {
    dynamodb: new DynamoDBClient({}),
    kinesis: new KinesisClient({}),
    s3: new S3Client({}),
    sns: new SNSClient({}),
    sqs: new SQSClient({}),
  };
}

/** The performance mark {@link createEnrichService} sets when its rule set is loaded and compiled. */
export const RULES_READY_MARK = 'hookstream:enrich-rules-ready';

/**
 * Clocks, injectable for tests: `wall` for arrival times, holds, the cache and de-duplication windows; `store` for
 * the state table's expiry check (a test replaying a 2020 recording sets it to 2020: the `ttl` of an answer is
 * its event time + retention).
 */
export interface Clocks {
  wall: () => number;
  store: () => number;
}

/**
 * Builds everything once. Throws MissingConfigurationError or RuleCompilationError: the function fails loudly
 * instead of processing records it cannot handle. `given`: the SDK clients (tests point them at the emulators);
 * default {@link defaultClients}, made after the rule set is ready.
 */
export async function createEnrichService(
  env: Env,
  given?: EnrichClients,
  clocks: Clocks = { wall: Date.now, store: Date.now },
): Promise<EnrichService> {
  const now = clocks.wall;
  const config = enrichConfig(env);
  // The rule set first, then the SDK clients (unless the IOC containers need S3 before the rules): the rules are the
  // cold start's longest step, and nothing before them needs the clients.
  let made = given;
  const sdk = (): EnrichClients => {
    made ??= defaultClients();
    return made;
  };
  const containers = config.containers === undefined ? undefined : await loadIocContainers(config, sdk().s3, now);
  const rules = await loadRules(config.rulesDir, env.LAMBDA_TASK_ROOT ?? process.cwd(), containers?.set);
  // For bench/cold/enrich-start.ts: when, since the process started, the rule set was ready.
  performance.mark(RULES_READY_MARK);
  const clients = sdk();
  const enrichment = {
    retentionMs: config.retentionMs,
    lookAheadMs: config.lookAheadMs,
    mode: config.enrichMode,
    ...(config.networkLabels ? { networkLabels: { table: config.networkLabels } } : {}),
  };
  // Read only after the catch-up oracle said every answer that counts is written: strongly consistent, uncached.
  const store = new DynamoDbStateStore({
    client: clients.dynamodb,
    tableName: config.resolutionTable,
    clock: clocks.store,
    consistentRead: true,
  });
  const watermarks = new DynamoDbWatermarkStore({
    client: clients.dynamodb,
    tableName: config.watermarkTable,
    clock: now,
  });
  return new EnrichService({
    hooks: planHooks(createHooks(enrichment)),
    enrichment,
    store,
    rules,
    ...(containers ? { refreshContainers: containers.refresh } : {}),
    // In the de-dup table (docs/detection.md, "Correlation rules"). A held connection reaches detection up to the
    // maximum hold after the events around it: it must still count, so the tolerance covers the hold as well.
    correlations: {
      store: new DynamoDbCorrelationStore({ client: clients.dynamodb, tableName: config.dedupeTable, clock: now }),
      toleranceMs: CORRELATION_TOLERANCE_MS + config.maxHoldMs,
    },
    writer: new S3ObjectWriter({ client: clients.s3, bucket: config.outputBucket }),
    publisher: new SnsAlertPublisher({ client: clients.sns, topicArn: config.alertTopicArn }),
    deduper: new DynamoDbAlertDeduplicator({
      client: clients.dynamodb,
      tableName: config.dedupeTable,
      windowMs: config.dedupeWindowMs,
    }),
    holds: new SqsHoldQueue({ client: clients.sqs, queueUrl: config.holdQueueUrl }),
    commits: new CommitLog(
      new DynamoDbCommitStore({
        dynamodb: clients.dynamodb,
        tableName: config.dedupeTable,
        s3: clients.s3,
        bucket: config.outputBucket,
      }),
    ),
    catchUp: new KinesisCatchUp({
      kinesis: clients.kinesis,
      stream: config.streamArn,
      watermarks,
      consumer: DNS_ANSWERS_CONSUMER,
      now,
    }),
    now,
    holdWindowMs: config.holdWindowMs,
    maxHoldMs: config.maxHoldMs,
    dedupeFields: config.dedupeFields,
  });
}
