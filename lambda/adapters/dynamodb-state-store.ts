/**
 * The state-store port over DynamoDB: one table for every hook's state, one item per stored key
 * (`<prefix>|<key>`), the value as JSON, merged by the state's own schema (src/state). Algorithm, schema and request
 * counts: docs/aws-adapters.md, "State store".
 */

import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '../../src/pipeline/names.js';
import {
  isExpired,
  PartialWriteError,
  type RefusedKey,
  type StateItem,
  type StateSchema,
  type StateStore,
  storedKey,
} from '../../src/state/state-store.js';
import { batchGetAll } from './dynamodb-batch-get.js';
import { conditionalCheckFailure, describeError, isPermanentItemRefusal, RetryableDependencyError } from './errors.js';
import {
  mapWithConcurrency,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface DynamoDbStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Wall clock, epoch ms, compared with each item's TTL (event time) to ignore expired items. Default Date.now. */
  clock?: () => number;
  /** Backoff for throttling, 5xx and unprocessed keys. Defaults: see RetryOptions. */
  retry?: RetryOptions;
  /** Read-merge-write rounds per key when concurrent writers keep winning the version race. Default 5. */
  maxConflictAttempts?: number;
  /** Strongly consistent reads in get(). Default false (half the read cost; put() always reads consistently). */
  consistentRead?: boolean;
  /** Keys written in parallel by put(). Default 8. */
  writeConcurrency?: number;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

/** The key attribute (`pk`), and the others; `ttl` and `value` are reserved words: expressions use placeholders. */
const KEY = TABLE_KEYS.state.partitionKey;
const NAMES = { '#pk': KEY, '#value': 'value', '#ttl': 'ttl', '#version': 'version' };

/** DynamoDB's partition key limit, UTF-8 bytes. */
const MAX_KEY_BYTES = 2048;

interface StoredItem<Value> {
  /** Undefined when the item does not decode (it is then overwritten as if empty). */
  value: Value | undefined;
  /** Epoch seconds. */
  ttl: number;
  version: number | undefined;
}

export class DynamoDbStateStore implements StateStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #clock: () => number;
  readonly #retry: ResolvedRetryOptions;
  readonly #maxConflictAttempts: number;
  readonly #consistentRead: boolean;
  readonly #writeConcurrency: number;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: DynamoDbStateStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? Date.now;
    this.#retry = resolveRetryOptions(options.retry);
    this.#maxConflictAttempts = options.maxConflictAttempts ?? 5;
    this.#consistentRead = options.consistentRead ?? false;
    this.#writeConcurrency = options.writeConcurrency ?? 8;
    this.#onRequest = options.onRequest;
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  async put<Value>(schema: StateSchema<Value>, items: readonly StateItem<Value>[]): Promise<{ refused: RefusedKey[] }> {
    // One write per key: DynamoDB rejects a BatchGetItem holding one key twice, and two writes would race.
    const byKey = new Map<string, Value[]>();
    for (const { key, value } of items) {
      const values = byKey.get(key);
      if (values === undefined) byKey.set(key, [value]);
      else values.push(value);
    }
    // A key DynamoDB can never hold would make it refuse the whole BatchGetItem below: refused here, alone.
    const refused: RefusedKey[] = [];
    for (const key of byKey.keys()) {
      if (!isStorableKey(schema.prefix, key)) {
        refused.push({ key, reason: 'key over the DynamoDB key size limit' });
        byKey.delete(key);
      }
    }
    if (byKey.size === 0) return { refused };
    const found = await batchGetAll({
      client: this.#client,
      tableName: this.#tableName,
      keys: [...byKey.keys()].map((key) => itemKey(schema.prefix, key)),
      // The version read here guards the conditional put; a stale read only costs a conflict round.
      consistentRead: true,
      retry: this.#retry,
      onRequest: (operation) => this.#count(operation),
    });
    const stored = new Map<string, StoredItem<Value>>();
    for (const item of found) {
      const pk = item[KEY]?.S;
      if (pk !== undefined) stored.set(pk, parseItem(schema, item));
    }
    const failed: string[] = [];
    let firstFailure: unknown;
    await mapWithConcurrency([...byKey.entries()], this.#writeConcurrency, async ([key, values]) => {
      try {
        await this.#writeKey(schema, key, values, stored.get(storedKey(schema.prefix, key)));
      } catch (error) {
        // An item DynamoDB will never take (over the item size limit): that key is refused, the other keys of the
        // batch are written. The core's limits make this unreachable; it is the last line of defence.
        if (isPermanentItemRefusal(error)) refused.push({ key, reason: describeError(error) });
        else {
          failed.push(key);
          firstFailure ??= error;
        }
      }
    });
    // Every other key was written: say which were not, so the caller can keep the progress before them.
    if (failed.length > 0) throw new PartialWriteError(failed, firstFailure);
    return { refused };
  }

  async get<Value>(schema: StateSchema<Value>, keys: readonly string[]): Promise<ReadonlyMap<string, Value>> {
    // A key DynamoDB cannot hold has no item: asking for it would fail the whole request.
    const distinct = [...new Set(keys)].filter((key) => isStorableKey(schema.prefix, key));
    const result = new Map<string, Value>();
    if (distinct.length === 0) return result;
    const items = await batchGetAll({
      client: this.#client,
      tableName: this.#tableName,
      keys: distinct.map((key) => itemKey(schema.prefix, key)),
      consistentRead: this.#consistentRead,
      projection: { expression: '#pk, #value, #ttl', names: { '#pk': KEY, '#value': 'value', '#ttl': 'ttl' } },
      retry: this.#retry,
      onRequest: (operation) => this.#count(operation),
    });
    const now = this.#clock();
    const start = schema.prefix.length + 1;
    for (const item of items) {
      const pk = item[KEY]?.S;
      if (pk === undefined) continue;
      const parsed = parseItem(schema, item);
      // DynamoDB deletes expired items up to days late, so expiry is enforced here.
      if (parsed.value === undefined || isExpired(parsed.ttl * 1000, now)) continue;
      result.set(pk.slice(start), parsed.value);
    }
    return result;
  }

  /** Read-merge-conditional-put for one key, re-reading after a lost version race. */
  async #writeKey<Value>(
    schema: StateSchema<Value>,
    key: string,
    values: readonly Value[],
    initial: StoredItem<Value> | undefined,
  ): Promise<void> {
    let stored = initial;
    for (let attempt = 1; ; attempt++) {
      const now = this.#clock();
      const live = stored !== undefined && !isExpired(stored.ttl * 1000, now) ? stored.value : undefined;
      // In put order, one value at a time: what the memory store does, so both stores hold the same state.
      let merged = live;
      for (const value of values) merged = schema.merge(merged, value);
      if (merged === undefined) return;
      // Capped at the clock plus the schema's longest lifetime: a value dated in the future expires all the same.
      const lifetime = schema.maxLifetimeMs === undefined ? Number.POSITIVE_INFINITY : now + schema.maxLifetimeMs;
      const ttl = Math.ceil(Math.min(schema.expiresAt(merged), lifetime) / 1000);
      // Already past its TTL by the wall clock: readers would ignore the item, so don't pay for the write.
      if (isExpired(ttl * 1000, now)) return;
      // A retried batch (or items already known) changes nothing: skip the write.
      if (live !== undefined && stored?.ttl === ttl && schema.equals(merged, live)) return;
      try {
        await this.#putItem(schema, key, merged, ttl, stored);
        return;
      } catch (error) {
        const conflict = conditionalCheckFailure(error);
        if (!conflict) throw error;
        if (attempt >= this.#maxConflictAttempts) {
          throw new RetryableDependencyError(
            'dynamodb:PutItem',
            `lost the version race for ${storedKey(schema.prefix, key)} ${attempt} times`,
            { cause: error },
          );
        }
        stored = conflict.item ? parseItem(schema, conflict.item) : await this.#getItem(schema, key);
      }
    }
  }

  async #putItem<Value>(
    schema: StateSchema<Value>,
    key: string,
    value: Value,
    ttl: number,
    stored: StoredItem<Value> | undefined,
  ): Promise<void> {
    const version = (stored?.version ?? 0) + 1;
    let condition: string;
    const values: Record<string, AttributeValue> = {};
    if (stored === undefined) {
      condition = 'attribute_not_exists(#pk)';
    } else if (stored.version === undefined) {
      condition = 'attribute_not_exists(#version)';
    } else {
      condition = '#version = :expected';
      values[':expected'] = { N: String(stored.version) };
    }
    await retryOnTransient('dynamodb:PutItem', this.#retry, () => {
      this.#count('PutItem');
      return this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...itemKey(schema.prefix, key),
            value: { S: JSON.stringify(schema.encode(value)) },
            ttl: { N: String(ttl) },
            version: { N: String(version) },
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#pk') ? { '#pk': NAMES['#pk'] } : { '#version': 'version' },
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          // Saves the re-read after a lost race where supported (DynamoDB yes; dynalite ignores it).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    });
  }

  async #getItem<Value>(schema: StateSchema<Value>, key: string): Promise<StoredItem<Value> | undefined> {
    const response = await retryOnTransient('dynamodb:GetItem', this.#retry, () => {
      this.#count('GetItem');
      return this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: itemKey(schema.prefix, key), ConsistentRead: true }),
      );
    });
    return response.Item ? parseItem(schema, response.Item) : undefined;
  }

  #count(operation: string): void {
    this.#requestCount++;
    this.#onRequest?.(operation);
  }
}

function isStorableKey(prefix: string, key: string): boolean {
  return Buffer.byteLength(storedKey(prefix, key)) <= MAX_KEY_BYTES;
}

function itemKey(prefix: string, key: string): Record<string, AttributeValue> {
  return { [KEY]: { S: storedKey(prefix, key) } };
}

/** Tolerant: a value that does not parse reads as nothing rather than failing the batch on one bad item. */
function parseItem<Value>(schema: StateSchema<Value>, item: Record<string, AttributeValue>): StoredItem<Value> {
  let value: Value | undefined;
  const text = item.value?.S;
  if (text !== undefined) {
    try {
      value = schema.decode(JSON.parse(text));
    } catch {
      value = undefined;
    }
  }
  const version = item.version?.N;
  return { value, ttl: Number(item.ttl?.N ?? 0), version: version === undefined ? undefined : Number(version) };
}
