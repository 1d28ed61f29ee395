/**
 * The correlation store (src/detection/correlation/correlation-store.ts) over DynamoDB: one item per correlation
 * and group in the enrich functions' de-dup table (key `dedupe_key` = `correlation|<correlation>|<group hash>`,
 * TTL attribute `ttl`), read strongly consistent with GetItem and saved with a PutItem conditional on its version,
 * so that batches of different shards updating one group at once never lose a contribution (the loser reloads and
 * applies its contributions again; they are idempotent).
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CorrelationStore, GroupState, StoredGroup } from '../../src/detection/correlation/index.js';
import { CORRELATION_KEY_PREFIX, DEDUPE_TABLE_KEY, TTL_ATTRIBUTE } from '../../src/pipeline/names.js';
import { conditionalCheckFailure } from './errors.js';
import {
  mapWithConcurrency,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface DynamoDbCorrelationStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retry?: RetryOptions;
  /** Wall clock, epoch ms: an item past its `ttl` is absent even before DynamoDB deletes it (up to days later). */
  clock?: () => number;
  /** GetItem requests in flight at once. Default 16. */
  concurrency?: number;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

/** The stored state is not what this code writes: our own bug or a foreign item; never guessed at. */
export class CorrelationStateUnreadableError extends Error {
  override readonly name = 'CorrelationStateUnreadableError';
}

function isGroupState(value: unknown): value is GroupState {
  const s = value as Partial<GroupState> | null;
  return (
    s !== null &&
    typeof s === 'object' &&
    Array.isArray(s.contributions) &&
    s.contributions.every(
      (c) => typeof c?.id === 'string' && typeof c.time === 'number' && typeof c.rule === 'number',
    ) &&
    Array.isArray(s.fired) &&
    Array.isArray(s.spans) &&
    s.spans.every((span) => Array.isArray(span) && span.length === 2 && span.every((t) => typeof t === 'number')) &&
    (s.newest === undefined || typeof s.newest === 'number')
  );
}

export class DynamoDbCorrelationStore implements CorrelationStore {
  readonly #options: DynamoDbCorrelationStoreOptions;
  readonly #retry: ResolvedRetryOptions;
  readonly #clock: () => number;

  constructor(options: DynamoDbCorrelationStoreOptions) {
    this.#options = options;
    this.#retry = resolveRetryOptions(options.retry);
    this.#clock = options.clock ?? Date.now;
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredGroup>> {
    const { client, tableName } = this.#options;
    const now = this.#clock();
    const found = await mapWithConcurrency(keys, this.#options.concurrency ?? 16, async (key) => {
      const response = await retryOnTransient('dynamodb:GetItem', this.#retry, () => {
        this.#options.onRequest?.('GetItem');
        return client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [DEDUPE_TABLE_KEY]: { S: `${CORRELATION_KEY_PREFIX}${key}` } },
            ConsistentRead: true,
          }),
        );
      });
      const item = response.Item;
      if (item === undefined) return undefined;
      if (Number(item[TTL_ATTRIBUTE]?.N ?? 0) * 1000 <= now) return undefined;
      let state: unknown;
      try {
        state = JSON.parse(item.state?.S ?? '');
      } catch {
        state = undefined;
      }
      if (!isGroupState(state)) throw new CorrelationStateUnreadableError(`correlation state ${key} is unreadable`);
      return { state, version: Number(item.version?.N ?? 0) };
    });
    const out = new Map<string, StoredGroup>();
    for (const [i, key] of keys.entries()) {
      const group = found[i];
      if (group !== undefined) out.set(key, group);
    }
    return out;
  }

  async save(key: string, state: GroupState, expected: number, expiresAt: number): Promise<boolean> {
    const { client, tableName } = this.#options;
    const item: Record<string, AttributeValue> = {
      [DEDUPE_TABLE_KEY]: { S: `${CORRELATION_KEY_PREFIX}${key}` },
      version: { N: String(expected + 1) },
      state: { S: JSON.stringify(state) },
      [TTL_ATTRIBUTE]: { N: String(Math.ceil(expiresAt / 1000)) },
    };
    // An expired item still in the table counts as absent (load said so): its version is overwritten, not matched.
    const condition = expected === 0 ? 'attribute_not_exists(#key) OR #ttl <= :now' : '#version = :expected';
    try {
      await retryOnTransient('dynamodb:PutItem', this.#retry, () => {
        this.#options.onRequest?.('PutItem');
        return client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeNames:
              expected === 0 ? { '#key': DEDUPE_TABLE_KEY, '#ttl': TTL_ATTRIBUTE } : { '#version': 'version' },
            ExpressionAttributeValues:
              expected === 0
                ? { ':now': { N: String(Math.floor(this.#clock() / 1000)) } }
                : { ':expected': { N: String(expected) } },
          }),
        );
      });
    } catch (error) {
      if (conditionalCheckFailure(error)) return false;
      throw error;
    }
    return true;
  }
}
