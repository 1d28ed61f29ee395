/**
 * The state store in memory: the batch's view the hooks read synchronously, and the whole store in replay.
 */
import { isExpired, type RefusedKey, type StateItem, type StateSchema, type StateStore } from './state-store.js';

/** Bounds and clock of a {@link MemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /**
   * Keys kept per state (prefix); beyond it the key least recently written is dropped (O(1): Map insertion order,
   * a key moves to the end on every write). Default 200 000.
   */
  maxKeysPerState?: number;
  /**
   * The clock expiry is read against, epoch ms (compared with each value's TTL in event time). Default: nothing
   * expires, which is what replay needs (one replay can mix recordings made years apart, and retention is enforced
   * per lookup by the hooks, relative to each event's time).
   */
  clock?: () => number;
}

export const DEFAULT_MAX_KEYS_PER_STATE = 200_000;

const NEVER = () => Number.NEGATIVE_INFINITY;

/** {@link StateStore} in memory, plus the synchronous {@link read} / {@link merge} the batch views use. */
export class MemoryStateStore implements StateStore {
  readonly #states = new Map<string, Map<string, unknown>>();
  /** Per state, the cap on each key's expiry from its last write (StateSchema.maxLifetimeMs), when there is a clock. */
  readonly #caps = new Map<string, Map<string, number>>();
  readonly #maxKeys: number;
  readonly #clock: () => number;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#maxKeys = Math.max(1, options.maxKeysPerState ?? DEFAULT_MAX_KEYS_PER_STATE);
    this.#clock = options.clock ?? NEVER;
  }

  /** Number of keys held for a state. */
  size(prefix: string): number {
    return this.#states.get(prefix)?.size ?? 0;
  }

  /** The unexpired value under `key`, as stored (never mutate it). */
  read<Value>(schema: StateSchema<Value>, key: string): Value | undefined {
    const value = this.#states.get(schema.prefix)?.get(key) as Value | undefined;
    if (value === undefined) return undefined;
    const now = this.#clock();
    if (now === Number.NEGATIVE_INFINITY) return value;
    const cap = this.#caps.get(schema.prefix)?.get(key) ?? Number.POSITIVE_INFINITY;
    if (isExpired(Math.min(schema.expiresAt(value), cap), now)) return undefined;
    return value;
  }

  /** Merges `value` into what is held under `key` (an expired value counts as nothing); returns the result. */
  merge<Value>(schema: StateSchema<Value>, key: string, value: Value): Value {
    let state = this.#states.get(schema.prefix);
    if (state === undefined) {
      state = new Map();
      this.#states.set(schema.prefix, state);
    }
    const merged = schema.merge(this.read(schema, key), value);
    // Delete then set: the key moves to the end, so the key-count bound drops the least recently written one.
    state.delete(key);
    state.set(key, merged);
    const now = this.#clock();
    if (schema.maxLifetimeMs !== undefined && now !== Number.NEGATIVE_INFINITY) {
      let caps = this.#caps.get(schema.prefix);
      if (caps === undefined) {
        caps = new Map();
        this.#caps.set(schema.prefix, caps);
      }
      caps.set(key, now + schema.maxLifetimeMs);
    }
    if (state.size > this.#maxKeys) {
      const oldest = state.keys().next();
      if (!oldest.done) {
        state.delete(oldest.value);
        this.#caps.get(schema.prefix)?.delete(oldest.value);
      }
    }
    return merged;
  }

  async put<Value>(schema: StateSchema<Value>, items: readonly StateItem<Value>[]): Promise<{ refused: RefusedKey[] }> {
    for (const { key, value } of items) this.merge(schema, key, value);
    return { refused: [] };
  }

  async get<Value>(schema: StateSchema<Value>, keys: readonly string[]): Promise<ReadonlyMap<string, Value>> {
    const found = new Map<string, Value>();
    for (const key of keys) {
      const value = this.read(schema, key);
      // A copy: what a caller does with it never reaches the store.
      if (value !== undefined) found.set(key, structuredClone(value));
    }
    return found;
  }
}
