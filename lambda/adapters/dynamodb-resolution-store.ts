/**
 * The resolution store port over DynamoDB: one item per (host, IP) holding that pair's recent names.
 * Algorithm, schema and request counts: docs/aws-adapters.md.
 */

import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type {
  AnswerSource,
  DnsAnswer,
  HostIp,
  RefusedKey,
  Resolution,
  ResolutionStore,
} from '../../src/dns/resolution.js';
import { resolutionKey } from '../../src/dns/resolution.js';
import { batchGetAll } from './dynamodb-batch-get.js';
import {
  conditionalCheckFailure,
  describeError,
  isPermanentItemRefusal,
  PartialWriteError,
  RetryableDependencyError,
} from './errors.js';
import {
  mapWithConcurrency,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface DynamoDbResolutionStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a resolution stays usable after its answer's event time, ms. Default 24 h. */
  retentionMs?: number;
  /** Entries kept per (host, IP), newest first. Default 16. */
  maxNamesPerKey?: number;
  /** Wall clock, epoch ms; only used to ignore expired items. Default Date.now. */
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

const DAY_MS = 24 * 60 * 60 * 1000;
const SOURCES: ReadonlySet<string> = new Set<AnswerSource>(['sysmon-22', 'dns-client-3008']);

/** Attribute names; `ttl` and others are DynamoDB reserved words, so every expression goes through placeholders. */
const NAMES = {
  '#host': 'host',
  '#ip': 'ip',
  '#names': 'names',
  '#latest': 'latest',
  '#ttl': 'ttl',
  '#version': 'version',
};

interface StoredItem {
  names: Resolution[];
  /** Epoch seconds. */
  ttl: number;
  version: number | undefined;
}

interface KeyGroup {
  host: string;
  ip: string;
  entries: Resolution[];
}

export class DynamoDbResolutionStore implements ResolutionStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #retentionMs: number;
  readonly #maxNames: number;
  readonly #clock: () => number;
  readonly #retry: ResolvedRetryOptions;
  readonly #maxConflictAttempts: number;
  readonly #consistentRead: boolean;
  readonly #writeConcurrency: number;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: DynamoDbResolutionStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionMs = options.retentionMs ?? DAY_MS;
    this.#maxNames = options.maxNamesPerKey ?? 16;
    this.#clock = options.clock ?? Date.now;
    this.#retry = resolveRetryOptions(options.retry);
    this.#maxConflictAttempts = options.maxConflictAttempts ?? 5;
    this.#consistentRead = options.consistentRead ?? false;
    this.#writeConcurrency = options.writeConcurrency ?? 8;
    this.#onRequest = options.onRequest;
    if (this.#maxNames < 1) throw new RangeError('maxNamesPerKey must be >= 1');
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  async put(answers: readonly DnsAnswer[]): Promise<{ refused: RefusedKey[] }> {
    const groups = new Map<string, KeyGroup>();
    for (const answer of answers) {
      const key = resolutionKey(answer.host, answer.ip);
      let group = groups.get(key);
      if (!group) {
        group = { host: answer.host, ip: answer.ip, entries: [] };
        groups.set(key, group);
      }
      group.entries.push(toResolution(answer));
    }
    // A key DynamoDB can never hold would make it refuse the whole BatchGetItem below: refused here, alone.
    const refused: RefusedKey[] = [];
    for (const [key, group] of groups) {
      if (!isStorableKey(group.host, group.ip)) {
        refused.push({ key, reason: 'key over the DynamoDB key size limits' });
        groups.delete(key);
      }
    }
    if (groups.size === 0) return { refused };
    const items = await batchGetAll({
      client: this.#client,
      tableName: this.#tableName,
      keys: [...groups.values()].map((g) => itemKey(g.host, g.ip)),
      // The version read here guards the conditional put; a stale read only costs a conflict round.
      consistentRead: true,
      retry: this.#retry,
      onRequest: (operation) => this.#count(operation),
    });
    const stored = new Map<string, StoredItem>();
    for (const item of items) {
      const host = item.host?.S;
      const ip = item.ip?.S;
      if (host !== undefined && ip !== undefined) stored.set(resolutionKey(host, ip), parseItem(item));
    }
    const failed: string[] = [];
    let firstFailure: unknown;
    await mapWithConcurrency([...groups.entries()], this.#writeConcurrency, async ([key, group]) => {
      try {
        await this.#writeKey(group, stored.get(key));
      } catch (error) {
        // An item DynamoDB will never take (key or item over a limit): that key's answers are refused, the other
        // keys of the batch are written. The core's limits make this unreachable; it is the last line of defence.
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

  async get(keys: readonly HostIp[]): Promise<ReadonlyMap<string, readonly Resolution[]>> {
    const distinct = new Map<string, HostIp>();
    // A key DynamoDB cannot hold has no item: asking for it would fail the whole request.
    for (const k of keys) if (isStorableKey(k.host, k.ip)) distinct.set(resolutionKey(k.host, k.ip), k);
    const result = new Map<string, Resolution[]>();
    if (distinct.size === 0) return result;
    const items = await batchGetAll({
      client: this.#client,
      tableName: this.#tableName,
      keys: [...distinct.values()].map((k) => itemKey(k.host, k.ip)),
      consistentRead: this.#consistentRead,
      projection: { expression: '#host, #ip, #names, #ttl', names: pick(NAMES, '#host', '#ip', '#names', '#ttl') },
      retry: this.#retry,
      onRequest: (operation) => this.#count(operation),
    });
    const now = this.#clock();
    for (const item of items) {
      const host = item.host?.S;
      const ip = item.ip?.S;
      if (host === undefined || ip === undefined) continue;
      const parsed = parseItem(item);
      // DynamoDB deletes expired items up to days late, so expiry is enforced here.
      if (isExpired(parsed.ttl, now)) continue;
      const names = mergeResolutions([], parsed.names, this.#maxNames);
      if (names.length > 0) result.set(resolutionKey(host, ip), names);
    }
    return result;
  }

  /** Read-merge-conditional-put for one key, re-reading after a lost version race. */
  async #writeKey(group: KeyGroup, initial: StoredItem | undefined): Promise<void> {
    let stored = initial;
    for (let attempt = 1; ; attempt++) {
      const now = this.#clock();
      const live = stored !== undefined && !isExpired(stored.ttl, now) ? stored.names : [];
      const merged = mergeResolutions(live, group.entries, this.#maxNames);
      const newest = merged[0];
      if (newest === undefined) return;
      const ttl = Math.ceil((newest.time + this.#retentionMs) / 1000);
      // Already past retention by the wall clock: readers would ignore the item, so don't pay for the write.
      if (isExpired(ttl, now)) return;
      // A retried batch (or answers already known) changes nothing: skip the write.
      if (stored !== undefined && live === stored.names && sameResolutions(merged, stored.names)) return;
      try {
        await this.#putItem(group, merged, ttl, stored);
        return;
      } catch (error) {
        const conflict = conditionalCheckFailure(error);
        if (!conflict) throw error;
        if (attempt >= this.#maxConflictAttempts) {
          throw new RetryableDependencyError(
            'dynamodb:PutItem',
            `lost the version race for ${resolutionKey(group.host, group.ip)} ${attempt} times`,
            { cause: error },
          );
        }
        stored = conflict.item ? parseItem(conflict.item) : await this.#getItem(group);
      }
    }
  }

  async #putItem(group: KeyGroup, names: Resolution[], ttl: number, stored: StoredItem | undefined): Promise<void> {
    const version = (stored?.version ?? 0) + 1;
    let condition: string;
    const values: Record<string, AttributeValue> = {};
    if (stored === undefined) {
      condition = 'attribute_not_exists(#host)';
    } else if (stored.version === undefined) {
      condition = 'attribute_not_exists(#version)';
    } else {
      condition = '#version = :expected';
      values[':expected'] = { N: String(stored.version) };
    }
    const newest = names[0]!;
    await retryOnTransient('dynamodb:PutItem', this.#retry, () => {
      this.#count('PutItem');
      return this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...itemKey(group.host, group.ip),
            names: { L: names.map(toAttribute) },
            latest: { N: String(newest.time) },
            ttl: { N: String(ttl) },
            version: { N: String(version) },
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#host') ? pick(NAMES, '#host') : pick(NAMES, '#version'),
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          // Saves the re-read after a lost race where supported (DynamoDB yes; dynalite ignores it).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    });
  }

  async #getItem(group: KeyGroup): Promise<StoredItem | undefined> {
    const response = await retryOnTransient('dynamodb:GetItem', this.#retry, () => {
      this.#count('GetItem');
      return this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: itemKey(group.host, group.ip), ConsistentRead: true }),
      );
    });
    return response.Item ? parseItem(response.Item) : undefined;
  }

  #count(operation: string): void {
    this.#requestCount++;
    this.#onRequest?.(operation);
  }
}

/**
 * Merges incoming resolutions into existing ones, by the rules of the in-memory store (src/dns): one entry per
 * (name, ProcessGuid, or ProcessId without a ProcessGuid); the newer answer's time, CNAMEs, source and ProcessId win
 * (an exact time tie goes to the lexically smaller CNAME chain, so the result does not depend on arrival order) and
 * `firstTime` keeps the oldest time seen; newest first, at most `maxNames` (on a time tie at the bound, the lower name
 * goes first). No retention horizon: see the body.
 */
export function mergeResolutions(
  existing: readonly Resolution[],
  incoming: readonly Resolution[],
  maxNames: number,
): Resolution[] {
  const byIdentity = new Map<string, Resolution>();
  for (const entry of [...existing, ...incoming]) {
    const id = identity(entry);
    const held = byIdentity.get(id);
    if (held === undefined) {
      byIdentity.set(id, canonical(entry, entry.firstTime ?? entry.time));
      continue;
    }
    const firstTime = Math.min(held.firstTime ?? held.time, entry.firstTime ?? entry.time);
    const wins = entry.time > held.time || (entry.time === held.time && entry.cnames.join(';') < held.cnames.join(';'));
    byIdentity.set(id, canonical(wins ? entry : held, firstTime));
  }
  const sorted = [...byIdentity.values()].sort(
    (a, b) => b.time - a.time || compare(a.name, b.name) || compare(identity(a), identity(b)),
  );
  // No horizon relative to the newest entry: retention is enforced per lookup, relative to each connection's time
  // (as the in-memory store does). A horizon here dropped the answers that held connections of an older recording
  // still needed once a newer one was sent (hookstream dev over OTRF: 12 of 143 named connections left unnamed).
  return sorted.slice(0, maxNames);
}

/** A copy with a fixed key order, so that equal entries serialise equally (see sameResolutions). */
function canonical(r: Resolution, firstTime: number): Resolution {
  const out: Resolution = { name: r.name, cnames: [...r.cnames], time: r.time, firstTime, source: r.source };
  if (r.processGuid !== undefined) out.processGuid = r.processGuid;
  if (r.processId !== undefined) out.processId = r.processId;
  return out;
}

function identity(r: Resolution): string {
  const process = r.processGuid ?? (r.processId !== undefined ? `pid:${r.processId}` : '');
  return `${r.name}\u0000${process}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameResolutions(a: readonly Resolution[], b: readonly Resolution[]): boolean {
  return a.length === b.length && a.every((r, i) => JSON.stringify(r) === JSON.stringify(b[i]));
}

function isExpired(ttlSeconds: number, nowMs: number): boolean {
  return ttlSeconds * 1000 <= nowMs;
}

/** DynamoDB key limits: a partition key of at most 2,048 bytes, a sort key of at most 1,024 (UTF-8). */
function isStorableKey(host: string, ip: string): boolean {
  return Buffer.byteLength(host) <= 2048 && Buffer.byteLength(ip) <= 1024;
}

function itemKey(host: string, ip: string): Record<string, AttributeValue> {
  return { host: { S: host }, ip: { S: ip } };
}

function pick(names: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, names[k] as string]));
}

function toResolution(a: DnsAnswer): Resolution {
  const r: Resolution = { name: a.name, cnames: [...a.cnames], time: a.time, firstTime: a.time, source: a.source };
  if (a.processGuid !== undefined) r.processGuid = a.processGuid;
  if (a.processId !== undefined) r.processId = a.processId;
  return r;
}

function toAttribute(r: Resolution): AttributeValue {
  const m: Record<string, AttributeValue> = {
    name: { S: r.name },
    cnames: { L: r.cnames.map((c) => ({ S: c })) },
    time: { N: String(r.time) },
    source: { S: r.source },
  };
  if (r.firstTime !== undefined) m.firstTime = { N: String(r.firstTime) };
  if (r.processGuid !== undefined) m.processGuid = { S: r.processGuid };
  if (r.processId !== undefined) m.processId = { N: String(r.processId) };
  return { M: m };
}

/** Tolerant: entries that do not parse are dropped rather than failing the batch on one bad item. */
function parseItem(item: Record<string, AttributeValue>): StoredItem {
  const names: Resolution[] = [];
  for (const value of item.names?.L ?? []) {
    const r = fromAttribute(value);
    if (r) names.push(r);
  }
  const version = item.version?.N;
  return { names, ttl: Number(item.ttl?.N ?? 0), version: version === undefined ? undefined : Number(version) };
}

function fromAttribute(value: AttributeValue): Resolution | undefined {
  const m = value.M;
  const name = m?.name?.S;
  const time = Number(m?.time?.N);
  const source = m?.source?.S;
  if (!m || name === undefined || !Number.isFinite(time) || source === undefined || !SOURCES.has(source)) {
    return undefined;
  }
  const r: Resolution = {
    name,
    cnames: (m.cnames?.L ?? []).flatMap((c) => (c.S === undefined ? [] : [c.S])),
    time,
    source: source as AnswerSource,
  };
  const firstTime = Number(m.firstTime?.N);
  if (m.firstTime?.N !== undefined && Number.isFinite(firstTime)) r.firstTime = firstTime;
  if (m.processGuid?.S !== undefined) r.processGuid = m.processGuid.S;
  if (m.processId?.N !== undefined) r.processId = Number(m.processId.N);
  return canonical(r, r.firstTime ?? r.time);
}
