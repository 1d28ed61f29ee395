/**
 * BatchGetItem over any number of keys: chunks of 100 (the API limit), UnprocessedKeys retried with backoff.
 */

import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RetryableDependencyError } from './errors.js';
import { backoffDelay, mapWithConcurrency, type ResolvedRetryOptions, retryOnTransient } from './retry.js';

export const BATCH_GET_LIMIT = 100;

export interface BatchGetRequest {
  client: DynamoDBClient;
  tableName: string;
  /** Distinct keys: DynamoDB rejects a request holding the same key twice. */
  keys: readonly Record<string, AttributeValue>[];
  consistentRead: boolean;
  projection?: { expression: string; names: Record<string, string> };
  retry: ResolvedRetryOptions;
  /** Called once per request sent (for request counting). */
  onRequest: (operation: string) => void;
  /** Chunks in flight at once. Default 4. */
  concurrency?: number;
}

/** Every stored item among `keys`, in no particular order. */
export async function batchGetAll(request: BatchGetRequest): Promise<Record<string, AttributeValue>[]> {
  const chunks: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < request.keys.length; i += BATCH_GET_LIMIT) {
    chunks.push(request.keys.slice(i, i + BATCH_GET_LIMIT));
  }
  const results = await mapWithConcurrency(chunks, request.concurrency ?? 4, (chunk) => getChunk(request, chunk));
  return results.flat();
}

async function getChunk(
  request: BatchGetRequest,
  chunk: Record<string, AttributeValue>[],
): Promise<Record<string, AttributeValue>[]> {
  const { client, tableName, retry } = request;
  const items: Record<string, AttributeValue>[] = [];
  let pending = chunk;
  // Each round retries only the keys DynamoDB left unprocessed (throttled or over the 16 MB response limit).
  for (let round = 0; ; round++) {
    const response = await retryOnTransient('dynamodb:BatchGetItem', retry, () => {
      request.onRequest('BatchGetItem');
      return client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: request.consistentRead,
              ProjectionExpression: request.projection?.expression,
              ExpressionAttributeNames: request.projection?.names,
            },
          },
        }),
      );
    });
    items.push(...(response.Responses?.[tableName] ?? []));
    const unprocessed = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    if (unprocessed.length === 0) return items;
    if (round + 1 >= retry.maxAttempts) {
      throw new RetryableDependencyError(
        'dynamodb:BatchGetItem',
        `${unprocessed.length} keys still unprocessed after ${retry.maxAttempts} attempts`,
      );
    }
    pending = unprocessed;
    await retry.sleep(backoffDelay(retry, round));
  }
}
