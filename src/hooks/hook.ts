/**
 * The event-hook framework (after WHIDS): an ordered list of hooks, each picking state from the events it selects
 * and/or poking fields into the events it selects. A hook owns its state (a {@link StateSchema}: merge, TTL, keys
 * under its own prefix in the one state table) and its counters. Hooks are synchronous and pure over their
 * context; the I/O happens at batch boundaries in the pipeline: the keys the hooks declare are read from the
 * state store once per batch before the picks, and what the persisting hooks put is written after them.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import type { StateSchema } from '../state/state-store.js';

/** Which events a hook reads. */
export interface EventSelector {
  channel: string;
  eventIds: readonly number[];
}

/** The batch's view of one state (all hooks sharing a schema share the view). */
export interface StateView<Value> {
  /** What the store held for the batch's keys, merged with what this batch picked so far; never mutate it. */
  get(key: string): Value | undefined;
  /**
   * Merges `value` under `key` (the schema's merge) in the view; when the calling hook declares `persists`, the
   * item is also queued, and the pipeline writes it to the store after the picks.
   */
  put(key: string, value: Value): void;
}

/** What a hook sees when it runs. */
export interface HookContext<Value = unknown, Counter extends string = string> {
  /** The hook's own counters (zero at the start of the context); they reach the summary as hooks.<name>.<counter>. */
  readonly counters: Record<Counter, number>;
  /** The view of the hook's state (a hook without `state` gets an empty view that keeps nothing). */
  readonly state: StateView<Value>;
}

/** The state a hook reads and writes. */
export interface HookState<Value> {
  readonly schema: StateSchema<Value>;
  /**
   * The keys this hook needs for an event it selects (picks or pokes): the pipeline reads them from the store once
   * per batch, before any pick. Undefined or empty: none.
   */
  keysOf?(event: CanonicalEvent): readonly string[] | undefined;
  /** What this hook puts while picking is written to the store (the dns-answers function does only this). */
  readonly persists: boolean;
  /**
   * With `persists`: the enrich functions write it too, after their hooks ran and before the batch commits, so the
   * next batch of the shard reads it without waiting for the dns-answers function (exact when the partition key is
   * the host: a host's events then reach one shard, in order). The merge is idempotent: both functions writing the
   * same items is safe. Default false (the resolutions are written by the dns-answers function only).
   */
  readonly persistWhenEnriching?: boolean;
}

/**
 * A hook. `pick` runs over every event it `picks`, for the whole batch, before any `poke`; `poke` runs over every
 * event it `pokes` after that, so a poke sees everything the batch holds (an answer logged just after its
 * connection). Neither may throw on any event the normaliser produced.
 */
export interface Hook<Value = unknown, Counter extends string = string> {
  /** Unique; the counters are reported under it. */
  readonly name: string;
  readonly picks: readonly EventSelector[];
  readonly pokes: readonly EventSelector[];
  /** Every counter the hook may bump (reported, as 0 too, in the summary). */
  readonly counters: readonly Counter[];
  readonly state?: HookState<Value>;
  pick?(event: CanonicalEvent, context: HookContext<Value, Counter>): void;
  poke?(event: CanonicalEvent, context: HookContext<Value, Counter>): void;
}

/** Any hook, whatever its state and counters (what registries and plans hold). */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds hooks of every state type; each hook is typed.
export type AnyHook = Hook<any, string>;
