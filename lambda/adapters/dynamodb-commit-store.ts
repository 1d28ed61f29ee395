/**
 * The commit store (src/pipeline/commit-log.ts) over DynamoDB and S3: one item per unit in the enrich function's
 * idempotency table (the alert de-dup table, key `dedupe_key` = `commit|<unit>`, TTL attribute `ttl`), saved with a
 * conditional PutItem on its version; an open attempt's manifest (object keys, held ids, hold-message bodies: up
 * to megabytes) lives in S3 under `_state/attempts/`, under a name of its own (unit, version, random id) so that a
 * save never overwrites a manifest a record points to.
 */

import { randomUUID } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type AttemptManifest,
  type CommitStore,
  ConcurrentAttemptError,
  type UnitRecord,
} from '../../src/pipeline/commit-log.js';
import { COMMIT_KEY_PREFIX, DEDUPE_TABLE_KEY, STATE_PREFIX, TTL_ATTRIBUTE } from '../../src/pipeline/names.js';
import { conditionalCheckFailure } from './errors.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions, retryOnTransient } from './retry.js';

export interface DynamoDbCommitStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  s3: S3Client;
  bucket: string;
  retry?: RetryOptions;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

/**
 * `stream/shardId-000000000001` -> an S3-safe path segment, then the version and a random part: two attempts that
 * read the same version and both save must not overwrite each other's manifest (only one PutItem wins, and the
 * record must keep pointing at the winner's).
 */
function manifestKey(unit: string, version: number): string {
  return `${STATE_PREFIX}/attempts/${encodeURIComponent(unit)}/${String(version).padStart(10, '0')}-${randomUUID()}.json`;
}

function isManifest(value: unknown): value is AttemptManifest {
  const m = value as Partial<AttemptManifest> | null;
  return (
    m !== null &&
    Array.isArray(m.objects) &&
    m.objects.every((k) => typeof k === 'string') &&
    Array.isArray(m.holdBodies) &&
    m.holdBodies.every((b) => typeof b === 'string') &&
    Array.isArray(m.held) &&
    m.held.every((h) => typeof h?.id === 'string' && (h.sequence === undefined || typeof h.sequence === 'string'))
  );
}

/** The stored manifest cannot be read: our own state is corrupt or missing, so the attempt must not guess. */
export class CommitStateUnreadableError extends Error {
  override readonly name = 'CommitStateUnreadableError';
}

export class DynamoDbCommitStore implements CommitStore {
  readonly #options: DynamoDbCommitStoreOptions;
  readonly #retry: ResolvedRetryOptions;

  constructor(options: DynamoDbCommitStoreOptions) {
    this.#options = options;
    this.#retry = resolveRetryOptions(options.retry);
  }

  async load(unit: string): Promise<{ record: UnitRecord; version: number } | undefined> {
    const { dynamodb, tableName } = this.#options;
    const response = await retryOnTransient('dynamodb:GetItem', this.#retry, () => {
      this.#options.onRequest?.('GetItem');
      return dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { [DEDUPE_TABLE_KEY]: { S: `${COMMIT_KEY_PREFIX}${unit}` } },
          ConsistentRead: true,
        }),
      );
    });
    const item = response.Item;
    if (item === undefined) return undefined;
    const version = Number(item.version?.N ?? 0);
    const record: UnitRecord = {
      done: item.done?.BOOL === true,
      leaseUntil: Number(item.lease_until?.N ?? 0),
      expiresAt: Number(item[TTL_ATTRIBUTE]?.N ?? 0) * 1000,
    };
    if (item.committed?.S !== undefined) record.committed = item.committed.S;
    const key = item.manifest_key?.S;
    if (key !== undefined) record.open = await this.#readManifest(key);
    return { record, version };
  }

  async save(unit: string, record: UnitRecord, expected: number): Promise<number> {
    const { dynamodb, tableName } = this.#options;
    const version = expected + 1;
    const item: Record<string, AttributeValue> = {
      [DEDUPE_TABLE_KEY]: { S: `${COMMIT_KEY_PREFIX}${unit}` },
      version: { N: String(version) },
      done: { BOOL: record.done },
      lease_until: { N: String(record.leaseUntil) },
      [TTL_ATTRIBUTE]: { N: String(Math.ceil(record.expiresAt / 1000)) },
    };
    if (record.committed !== undefined) item.committed = { S: record.committed };
    if (record.open !== undefined) {
      const key = manifestKey(unit, version);
      await this.#writeManifest(key, record.open);
      item.manifest_key = { S: key };
    }
    const condition = expected === 0 ? 'attribute_not_exists(#key)' : '#version = :expected';
    try {
      await retryOnTransient('dynamodb:PutItem', this.#retry, () => {
        this.#options.onRequest?.('PutItem');
        return dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeNames: expected === 0 ? { '#key': DEDUPE_TABLE_KEY } : { '#version': 'version' },
            ExpressionAttributeValues: expected === 0 ? undefined : { ':expected': { N: String(expected) } },
          }),
        );
      });
    } catch (error) {
      if (conditionalCheckFailure(error)) throw new ConcurrentAttemptError(unit);
      throw error;
    }
    return version;
  }

  async #writeManifest(key: string, manifest: AttemptManifest): Promise<void> {
    const { s3, bucket } = this.#options;
    const body = Buffer.from(JSON.stringify(manifest));
    await retryOnTransient('s3:PutObject', this.#retry, () => {
      this.#options.onRequest?.('PutObject');
      return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    });
  }

  async #readManifest(key: string): Promise<AttemptManifest> {
    const { s3, bucket } = this.#options;
    const text = await retryOnTransient('s3:GetObject', this.#retry, async () => {
      this.#options.onRequest?.('GetObject');
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await response.Body?.transformToString('utf-8')) ?? '';
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CommitStateUnreadableError(`${key} is not JSON`);
    }
    if (!isManifest(parsed)) throw new CommitStateUnreadableError(`${key} is not an attempt manifest`);
    return parsed;
  }
}
