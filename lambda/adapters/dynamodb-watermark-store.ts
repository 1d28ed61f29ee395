/**
 * The watermark store port over DynamoDB: a table keyed by `consumer` (S) + `shard` (S), one item per shard,
 * advanced with a conditional UpdateItem so it never moves backwards. Schema: docs/aws-adapters.md.
 */

import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { padSequenceNumber, type WatermarkPosition, type WatermarkStore } from '../../src/pipeline/watermark.js';
import { conditionalCheckFailure } from './errors.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions, retryOnTransient } from './retry.js';

export interface DynamoDbWatermarkStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Wall clock for `updated_at` (lets readers spot shards that stopped advancing, e.g. closed by resharding). */
  clock?: () => number;
  /** Strongly consistent reads. Default true: a stale watermark would declare answers late too early or too late. */
  consistentRead?: boolean;
  /** Items per Query page. Default: no limit (DynamoDB's 1 MB pages). */
  pageSize?: number;
  /** Backoff for throttling and 5xx. Defaults: see RetryOptions. */
  retry?: RetryOptions;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

export class DynamoDbWatermarkStore implements WatermarkStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #clock: () => number;
  readonly #consistentRead: boolean;
  readonly #pageSize: number | undefined;
  readonly #retry: ResolvedRetryOptions;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: DynamoDbWatermarkStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? Date.now;
    this.#consistentRead = options.consistentRead ?? true;
    this.#pageSize = options.pageSize;
    this.#retry = resolveRetryOptions(options.retry);
    this.#onRequest = options.onRequest;
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  async advance(consumer: string, shardId: string, arrivalMs: number, sequenceNumber?: string): Promise<void> {
    const names: Record<string, string> = { '#arrival': 'arrival_ms', '#updated': 'updated_at' };
    const values: Record<string, AttributeValue> = {
      ':arrival': { N: String(arrivalMs) },
      ':now': { N: String(this.#clock()) },
    };
    let update = 'SET #arrival = :arrival, #updated = :now';
    let condition = 'attribute_not_exists(#arrival) OR #arrival < :arrival';
    if (sequenceNumber !== undefined) {
      names['#seq'] = 'sequence_number';
      values[':seq'] = { S: padSequenceNumber(sequenceNumber) };
      update += ', #seq = :seq';
      // Equal arrival times (several records in one ms): the sequence number decides.
      condition += ' OR (#arrival = :arrival AND (attribute_not_exists(#seq) OR #seq < :seq))';
    } else {
      update += ' REMOVE #seq';
      names['#seq'] = 'sequence_number';
    }
    try {
      await retryOnTransient('dynamodb:UpdateItem(watermark)', this.#retry, () => {
        this.#count('UpdateItem');
        return this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: { consumer: { S: consumer }, shard: { S: shardId } },
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      });
    } catch (error) {
      // Already at or beyond this position (a concurrent or retried invocation got there first): nothing to do.
      if (!conditionalCheckFailure(error)) throw error;
    }
  }

  async read(consumer: string): Promise<Map<string, number>> {
    const positions = await this.readPositions(consumer);
    return new Map([...positions].map(([shard, p]) => [shard, p.arrivalMs]));
  }

  async readPositions(consumer: string): Promise<Map<string, WatermarkPosition>> {
    const result = new Map<string, WatermarkPosition>();
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const exclusiveStartKey = startKey;
      const page = await retryOnTransient('dynamodb:Query(watermark)', this.#retry, () => {
        this.#count('Query');
        return this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: '#consumer = :consumer',
            ExpressionAttributeNames: {
              '#consumer': 'consumer',
              '#shard': 'shard',
              '#arrival': 'arrival_ms',
              '#seq': 'sequence_number',
            },
            ExpressionAttributeValues: { ':consumer': { S: consumer } },
            ProjectionExpression: '#shard, #arrival, #seq',
            ConsistentRead: this.#consistentRead,
            ExclusiveStartKey: exclusiveStartKey,
            Limit: this.#pageSize,
          }),
        );
      });
      for (const item of page.Items ?? []) {
        const shard = item.shard?.S;
        const arrivalMs = Number(item.arrival_ms?.N);
        if (shard === undefined || !Number.isFinite(arrivalMs)) continue;
        const padded = item.sequence_number?.S;
        // Stored zero-padded for ordering; handed back as Kinesis writes it.
        result.set(shard, padded === undefined ? { arrivalMs } : { arrivalMs, sequenceNumber: unpad(padded) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return result;
  }

  #count(operation: string): void {
    this.#requestCount++;
    this.#onRequest?.(operation);
  }
}

function unpad(padded: string): string {
  return padded.replace(/^0+(?=\d)/, '');
}
