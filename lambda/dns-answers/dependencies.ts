/** The dns-answers function's composition root: config -> client -> adapters, once per cold start. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DnsAnswersService } from '../../src/pipeline/dns-answers-service.js';
import { DynamoDbResolutionStore } from '../adapters/dynamodb-resolution-store.js';
import { DynamoDbWatermarkStore } from '../adapters/dynamodb-watermark-store.js';
import { dnsAnswersConfig, type Env } from '../config.js';

/** Throws MissingConfigurationError on a bad environment. */
export async function createDnsAnswersService(
  env: Env,
  client: DynamoDBClient = new DynamoDBClient({}),
  clocks: { wall: () => number; store: () => number } = { wall: Date.now, store: Date.now },
): Promise<DnsAnswersService> {
  const config = dnsAnswersConfig(env);
  return new DnsAnswersService({
    store: new DynamoDbResolutionStore({
      client,
      tableName: config.resolutionTable,
      retentionMs: config.retentionMs,
      maxNamesPerKey: config.maxNamesPerKey,
      clock: clocks.store,
    }),
    watermarks: new DynamoDbWatermarkStore({ client, tableName: config.watermarkTable, clock: clocks.wall }),
  });
}
