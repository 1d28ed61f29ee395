/**
 * The alert deduplicator port over DynamoDB: one item per dedupe key holding the current window, claimed and
 * counted with conditional UpdateItem so that concurrent invocations and retried batches agree.
 * Semantics and their limits: docs/aws-adapters.md.
 */

import { type AttributeValue, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AlertDeduplicator, AlertNotification, DedupeDecision } from '../../src/pipeline/ports.js';
import { conditionalCheckFailure, RetryableDependencyError } from './errors.js';
import {
  mapWithConcurrency,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface DynamoDbAlertDeduplicatorOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Equal dedupe keys notify once per window, ms. Default 1 h. */
  windowMs?: number;
  /** Kept after the window ends before DynamoDB TTL may delete the item, ms. Default 1 h. */
  ttlSlackMs?: number;
  /**
   * Suppressed occurrence ids remembered per window so a retried batch does not count them twice. Beyond this,
   * suppressions are still counted but a retry may count them again. Default 50.
   */
  maxTrackedOccurrences?: number;
  /** Backoff for throttling and 5xx. Defaults: see RetryOptions. */
  retry?: RetryOptions;
  /** Dedupe keys handled in parallel. Default 8. */
  concurrency?: number;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

const HOUR_MS = 60 * 60 * 1000;
/** Rounds of read-and-retry when the window changes under us; after that the suppression goes uncounted. */
const MAX_ROUNDS = 3;
/** Occurrence ids per counting update: keeps the condition expression far below its 4 KB limit. */
const COUNT_CHUNK = 25;

const NAMES = {
  '#key': 'dedupe_key',
  '#ws': 'window_start',
  '#owner': 'owner',
  '#sent': 'sent',
  '#count': 'count',
  '#counted': 'counted',
  '#ttl': 'ttl',
};

/** The window as stored. */
interface WindowState {
  windowStart: number;
  owner: string;
  sent: boolean;
  counted: ReadonlySet<string>;
}

export class DynamoDbAlertDeduplicator implements AlertDeduplicator {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #windowMs: number;
  readonly #ttlSlackMs: number;
  readonly #maxTracked: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #concurrency: number;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: DynamoDbAlertDeduplicatorOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#windowMs = options.windowMs ?? HOUR_MS;
    this.#ttlSlackMs = options.ttlSlackMs ?? HOUR_MS;
    this.#maxTracked = options.maxTrackedOccurrences ?? 50;
    this.#retry = resolveRetryOptions(options.retry);
    this.#concurrency = options.concurrency ?? 8;
    this.#onRequest = options.onRequest;
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  async claim(notifications: readonly AlertNotification[], now: number): Promise<DedupeDecision[]> {
    const decisions: DedupeDecision[] = notifications.map(() => 'suppress');
    // Per dedupe key, the distinct occurrence ids in call order, each with the positions holding it.
    const groups = new Map<string, Map<string, number[]>>();
    notifications.forEach((n, index) => {
      let occurrences = groups.get(n.dedupeKey);
      if (!occurrences) {
        occurrences = new Map();
        groups.set(n.dedupeKey, occurrences);
      }
      const positions = occurrences.get(n.occurrenceId);
      if (positions) positions.push(index);
      else occurrences.set(n.occurrenceId, [index]);
    });
    await mapWithConcurrency([...groups.entries()], this.#concurrency, async ([key, occurrences]) => {
      const notified = await this.#claimKey(key, [...occurrences.keys()], now);
      // A notified occurrence appearing twice in the call notifies at its first position only.
      if (notified !== undefined) decisions[occurrences.get(notified)![0]!] = 'notify';
    });
    return decisions;
  }

  async markSent(notifications: readonly AlertNotification[]): Promise<void> {
    const distinct = new Map<string, AlertNotification>();
    for (const n of notifications) distinct.set(`${n.dedupeKey}\u0000${n.occurrenceId}`, n);
    await mapWithConcurrency([...distinct.values()], this.#concurrency, async (n) => {
      try {
        await this.#update('markSent', {
          Key: { dedupe_key: { S: n.dedupeKey } },
          UpdateExpression: 'SET #sent = :true',
          ConditionExpression: '#owner = :occurrence',
          ExpressionAttributeNames: { '#sent': NAMES['#sent'], '#owner': NAMES['#owner'] },
          ExpressionAttributeValues: { ':true': { BOOL: true }, ':occurrence': { S: n.occurrenceId } },
        });
      } catch (error) {
        // Another occurrence owns the window now (ours expired): there is nothing of ours left to mark.
        if (!conditionalCheckFailure(error)) throw error;
      }
    });
  }

  /** Decides one dedupe key; returns the occurrence id that notifies, if any. */
  async #claimKey(key: string, occurrenceIds: readonly string[], now: number): Promise<string | undefined> {
    const first = occurrenceIds[0]!;
    for (let round = 1; ; round++) {
      const state = await this.#openWindow(key, first, now);
      // Only the window's owner notifies, and only until it is marked sent (a retry before markSent re-notifies).
      const notified = state.sent ? undefined : occurrenceIds.find((id) => id === state.owner);
      const toCount = occurrenceIds.filter((id) => id !== state.owner && !state.counted.has(id));
      if (toCount.length === 0) return notified;
      const counted = await this.#countSuppressed(key, state, toCount);
      // The window was replaced while we counted: decide again against the new one.
      if (counted || round >= MAX_ROUNDS) return notified;
    }
  }

  /**
   * Opens a new window owned by `occurrenceId` if none is open; otherwise returns the open one.
   * One conditional write decides between concurrent claimants: exactly one sees its own id as owner.
   */
  async #openWindow(key: string, occurrenceId: string, now: number): Promise<WindowState> {
    for (let round = 1; ; round++) {
      const windowEnd = now + this.#windowMs;
      try {
        await this.#update('claim', {
          Key: { dedupe_key: { S: key } },
          UpdateExpression:
            'SET #ws = :now, #owner = :occurrence, #sent = :false, #count = :zero, #ttl = :ttl REMOVE #counted',
          ConditionExpression: 'attribute_not_exists(#key) OR #ws <= :expiredBefore',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':occurrence': { S: occurrenceId },
            ':false': { BOOL: false },
            ':zero': { N: '0' },
            ':ttl': { N: String(Math.ceil((windowEnd + this.#ttlSlackMs) / 1000)) },
            ':expiredBefore': { N: String(now - this.#windowMs) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return { windowStart: now, owner: occurrenceId, sent: false, counted: new Set() };
      } catch (error) {
        const conflict = conditionalCheckFailure(error);
        if (!conflict) throw error;
        const item = conflict.item ?? (await this.#getItem(key));
        if (item !== undefined) return parseState(item);
        // Deleted (TTL) between the write and the read, repeatedly: give up and let the batch retry.
        if (round >= MAX_ROUNDS) {
          throw new RetryableDependencyError('dynamodb:UpdateItem(claim)', `window for ${key} vanished ${round} times`);
        }
      }
    }
  }

  /**
   * Adds the suppressed occurrences to the window's count, each at most once (tracked in `counted`).
   * Returns false when the window was replaced meanwhile.
   */
  async #countSuppressed(key: string, initial: WindowState, occurrenceIds: readonly string[]): Promise<boolean> {
    let state = initial;
    let pending = occurrenceIds.filter((id) => !state.counted.has(id));
    while (pending.length > 0) {
      const room = Math.max(0, this.#maxTracked - state.counted.size);
      const tracked = pending.slice(0, Math.min(room, COUNT_CHUNK));
      // The tracked set is full: count without remembering (a retried batch may count these again).
      const batch = tracked.length > 0 ? tracked : pending;
      const conditions = ['#ws = :ws', ...tracked.map((_, i) => `NOT contains(#counted, :o${i})`)];
      const values: Record<string, AttributeValue> = {
        ':ws': { N: String(state.windowStart) },
        ':n': { N: String(batch.length) },
      };
      tracked.forEach((id, i) => {
        values[`:o${i}`] = { S: id };
      });
      if (tracked.length > 0) values[':set'] = { SS: [...tracked] };
      try {
        await this.#update('count', {
          Key: { dedupe_key: { S: key } },
          UpdateExpression: tracked.length > 0 ? 'ADD #count :n, #counted :set' : 'ADD #count :n',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames:
            tracked.length > 0
              ? { '#ws': NAMES['#ws'], '#count': NAMES['#count'], '#counted': NAMES['#counted'] }
              : { '#ws': NAMES['#ws'], '#count': NAMES['#count'] },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        const done = new Set(batch);
        pending = pending.filter((id) => !done.has(id));
        state = { ...state, counted: new Set([...state.counted, ...tracked]) };
      } catch (error) {
        const conflict = conditionalCheckFailure(error);
        if (!conflict) throw error;
        const item = conflict.item ?? (await this.#getItem(key));
        if (item === undefined) return false;
        const current = parseState(item);
        if (current.windowStart !== state.windowStart) return false;
        // Someone (a concurrent retry of the same batch) counted some of ours already.
        state = current;
        pending = pending.filter((id) => !state.counted.has(id));
      }
    }
    return true;
  }

  async #getItem(key: string): Promise<Record<string, AttributeValue> | undefined> {
    const response = await retryOnTransient('dynamodb:GetItem', this.#retry, () => {
      this.#count('GetItem');
      return this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: { dedupe_key: { S: key } }, ConsistentRead: true }),
      );
    });
    return response.Item;
  }

  async #update(
    purpose: string,
    input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName'>,
  ): Promise<void> {
    await retryOnTransient(`dynamodb:UpdateItem(${purpose})`, this.#retry, () => {
      this.#count('UpdateItem');
      return this.#client.send(new UpdateItemCommand({ ...input, TableName: this.#tableName }));
    });
  }

  #count(operation: string): void {
    this.#requestCount++;
    this.#onRequest?.(operation);
  }
}

function parseState(item: Record<string, AttributeValue>): WindowState {
  return {
    windowStart: Number(item.window_start?.N ?? 0),
    owner: item.owner?.S ?? '',
    sent: item.sent?.BOOL ?? false,
    counted: new Set(item.counted?.SS ?? []),
  };
}
