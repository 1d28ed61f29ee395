/** The dns-answers function's composition root (it persists what the pick hooks pick): config -> client -> adapters, once per cold start. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHooks } from '../../src/hooks/index.js';
import { DnsAnswersService } from '../../src/pipeline/dns-answers-service.js';
import { DynamoDbStateStore } from '../adapters/dynamodb-state-store.js';
import { DynamoDbWatermarkStore } from '../adapters/dynamodb-watermark-store.js';
import { dnsAnswersConfig, type Env } from '../config.js';

/** Throws MissingConfigurationError on a bad environment. */
export async function createDnsAnswersService(
  env: Env,
  client: DynamoDBClient = new DynamoDBClient({}),
  clocks: { wall: () => number; store: () => number } = { wall: Date.now, store: Date.now },
): Promise<DnsAnswersService> {
  const config = dnsAnswersConfig(env);
  // The hooks' options: each persisting hook's state schema (merge, caps, TTL = event time + retention) comes from them.
  const enrichment = { retentionMs: config.retentionMs, maxEntriesPerKey: config.maxNamesPerKey };
  return new DnsAnswersService({
    hooks: createHooks(enrichment),
    enrichment,
    store: new DynamoDbStateStore({ client, tableName: config.resolutionTable, clock: clocks.store }),
    watermarks: new DynamoDbWatermarkStore({ client, tableName: config.watermarkTable, clock: clocks.wall }),
  });
}
