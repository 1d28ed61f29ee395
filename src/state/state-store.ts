/**
 * The state-store port every stateful hook shares (docs/enrichment.md, "Hook state"): one table, one key prefix
 * per state, a TTL in event time, reads that ignore expired items. How a put merges with what is stored lives in
 * the state's {@link StateSchema}, in the core, and every store applies it: the memory store (src/state) and the
 * DynamoDB store (lambda/adapters) cannot drift.
 */

/**
 * How one kind of hook state is merged, expired and serialised. Defined once, in the core, by the hook that owns
 * the state; hooks that read the same state pass the same schema (a schema is identified by its `prefix`).
 */
export interface StateSchema<Value> {
  /**
   * The key prefix of this state in the shared table, unique among the registered hooks (letters, digits, `-`).
   * A stored item's key is `<prefix>|<key>`.
   */
  readonly prefix: string;
  /**
   * Merges `incoming` into `stored` (undefined: nothing stored, or only an expired item). Pure: never mutates its
   * arguments. Must be deterministic, idempotent (merging the same value again gives an equal value) and
   * insensitive to the order values arrive in, as far as its caps allow, so that a retried batch, or the same items
   * cut into other batches, writes the same state.
   */
  merge(stored: Value | undefined, incoming: Value): Value;
  /** Event time, epoch ms, at which the value expires (its TTL): e.g. its newest event time + the retention. */
  expiresAt(value: Value): number;
  /**
   * The longest a value lives past the store's clock at its last write, when the store has a clock: its TTL is
   * `min(expiresAt, now + maxLifetimeMs)`. A value whose events are dated in the future (a host clock set ahead,
   * or forged) would otherwise never expire from DynamoDB; one of ordinary events is under it anyway. Absent: no
   * cap.
   */
  readonly maxLifetimeMs?: number;
  /** Equal values (a put that changes nothing writes nothing). */
  equals(a: Value, b: Value): boolean;
  /** A JSON-serialisable form, for stores that serialise (DynamoDB). */
  encode(value: Value): unknown;
  /** The value back from {@link encode}'s form; undefined for an unreadable item (it is then ignored). */
  decode(encoded: unknown): Value | undefined;
}

/** One value to merge into the state under `key` (the hook's key, without the prefix). */
export interface StateItem<Value> {
  key: string;
  value: Value;
}

/** A key whose item the store refused for good (an item it will never accept), with the reason. */
export interface RefusedKey {
  key: string;
  reason: string;
}

/**
 * The state-store port. Implementations: MemoryStateStore (src/state), DynamoDbStateStore (lambda/adapters).
 * Hooks never call it: the pipeline reads the keys a batch needs before its picks, and writes what the persisting
 * hooks picked after them.
 */
export interface StateStore {
  /**
   * Merges every item into what is stored under its key (several items of one key are merged together first).
   * Keys refused for good are returned, never thrown; a retryable failure throws (a {@link PartialWriteError} when
   * some keys were written and others not).
   */
  put<Value>(schema: StateSchema<Value>, items: readonly StateItem<Value>[]): Promise<{ refused: RefusedKey[] }>;
  /** The unexpired value of each key; keys with none are absent from the map. */
  get<Value>(schema: StateSchema<Value>, keys: readonly string[]): Promise<ReadonlyMap<string, Value>>;
}

/** The stored key of a hook key. */
export function storedKey(prefix: string, key: string): string {
  return `${prefix}|${key}`;
}

/** A value has expired when its TTL (event time) is at or before the store's clock. */
export function isExpired(expiresAt: number, now: number): boolean {
  return expiresAt <= now;
}

/**
 * A put that wrote some keys and not others, for a retryable reason: the caller keeps the progress of the records
 * whose keys were all written and retries from the first one that was not. `failedKeys` are hook keys (no prefix).
 */
export class PartialWriteError extends Error {
  override readonly name = 'PartialWriteError';
  constructor(
    readonly failedKeys: readonly string[],
    cause: unknown,
  ) {
    super(`${failedKeys.length} state keys not written; retry`, { cause });
  }
}
