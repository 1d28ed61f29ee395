/**
 * Runs hooks over a batch: every pick over every event first, then every poke; and the batch-boundary I/O of their
 * state: the declared keys read from the store before the picks, the persisting hooks' items written after them.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import type { RefusedKey, StateSchema, StateStore } from '../state/state-store.js';
import type { EnrichmentContext, PendingState } from './enrichment-context.js';
import type { AnyHook } from './hook.js';

interface Selected {
  pick: AnyHook[];
  poke: AnyHook[];
  /** Hooks with `state.keysOf` that select the event (picks or pokes), each once. */
  keyed: AnyHook[];
}

/** Hooks indexed by channel then event ID, so an event costs two Map lookups whatever the number of hooks. */
export interface HookPlan {
  readonly hooks: readonly AnyHook[];
  readonly byChannel: ReadonlyMap<string, ReadonlyMap<number, Selected>>;
}

/** Two hooks of one plan may share a state only through equal prefixes; two hooks may not share a name. */
export class DuplicateHookError extends Error {
  override readonly name = 'DuplicateHookError';
}

/** True when the hook runs on some event: a pick or poke function with at least one selected event ID. */
function selectsSomething(hook: AnyHook): boolean {
  const selects = (selectors: AnyHook['picks']) => selectors.some((selector) => selector.eventIds.length > 0);
  return (hook.pick !== undefined && selects(hook.picks)) || (hook.poke !== undefined && selects(hook.pokes));
}

/**
 * Indexes hooks by what they select, keeping their list order within each stage. Build once, run per batch.
 * A hook that selects nothing (one configured off, as network-label without a table) is left out of the plan, so
 * the summary does not report an empty counter set for it.
 */
export function planHooks(hooks: readonly AnyHook[]): HookPlan {
  const names = new Set<string>();
  for (const hook of hooks) {
    if (names.has(hook.name)) throw new DuplicateHookError(`two hooks are named ${hook.name}`);
    names.add(hook.name);
  }
  const byChannel = new Map<string, Map<number, Selected>>();
  const add = (hook: AnyHook, selectors: AnyHook['picks'], list: 'pick' | 'poke') => {
    for (const selector of selectors) {
      let byEventId = byChannel.get(selector.channel);
      if (byEventId === undefined) {
        byEventId = new Map();
        byChannel.set(selector.channel, byEventId);
      }
      for (const eventId of selector.eventIds) {
        let selected = byEventId.get(eventId);
        if (selected === undefined) {
          selected = { pick: [], poke: [], keyed: [] };
          byEventId.set(eventId, selected);
        }
        // A hook selecting the same (channel, event ID) twice still runs once per event.
        if (!selected[list].includes(hook)) selected[list].push(hook);
        if (hook.state?.keysOf !== undefined && !selected.keyed.includes(hook)) selected.keyed.push(hook);
      }
    }
  };
  const planned = hooks.filter(selectsSomething);
  for (const hook of planned) {
    if (hook.pick !== undefined) add(hook, hook.picks, 'pick');
    if (hook.poke !== undefined) add(hook, hook.pokes, 'poke');
  }
  return { hooks: planned, byChannel };
}

/** Only the hooks that persist what they pick (what the dns-answers function runs). */
export function persistingHooks(hooks: readonly AnyHook[]): AnyHook[] {
  return hooks.filter((hook) => hook.state?.persists === true && hook.pick !== undefined);
}

/**
 * True when the enrich functions write some hook's state (a hook that persists with `persistWhenEnriching`): the
 * stack then grants them the state table's write actions as well as its reads.
 */
export function enrichWritesState(hooks: readonly AnyHook[]): boolean {
  return hooks.some((hook) => hook.state?.persists === true && hook.state.persistWhenEnriching === true);
}

function toPlan(hooks: readonly AnyHook[] | HookPlan): HookPlan {
  return Array.isArray(hooks) ? planHooks(hooks) : (hooks as HookPlan);
}

/** Zeroed counters for every hook of the plan, so the summary reports each, even one that never ran. */
function prepare(plan: HookPlan, context: EnrichmentContext): void {
  for (const hook of plan.hooks) context.of(hook);
}

/**
 * The pick stage: for each event in order (`events` sorted by event time), the pick hooks that select it, in list
 * order. Replay can run it over the whole input, then {@link runPokes} in a later pass, with the same context.
 */
export function runPicks(
  events: readonly CanonicalEvent[],
  hooks: readonly AnyHook[] | HookPlan,
  context: EnrichmentContext,
): void {
  const plan = toPlan(hooks);
  prepare(plan, context);
  for (const event of events) {
    const selected = plan.byChannel.get(event.channel)?.get(event.eventId);
    if (selected === undefined) continue;
    for (const hook of selected.pick) (hook.pick as NonNullable<AnyHook['pick']>)(event, context.of(hook));
  }
}

/** The poke stage: for each event in order, the poke hooks that select it, in list order. */
export function runPokes(
  events: readonly CanonicalEvent[],
  hooks: readonly AnyHook[] | HookPlan,
  context: EnrichmentContext,
): void {
  const plan = toPlan(hooks);
  prepare(plan, context);
  for (const event of events) {
    const selected = plan.byChannel.get(event.channel)?.get(event.eventId);
    if (selected === undefined || selected.poke.length === 0) continue;
    for (const hook of selected.poke) (hook.poke as NonNullable<AnyHook['poke']>)(event, context.of(hook));
  }
}

/**
 * Applies the hooks to a batch: {@link runPicks} then {@link runPokes}, so a poke sees everything the batch holds,
 * including an answer logged just after its connection. Hooks mutate events and the context; nothing is returned.
 * Pass a {@link planHooks} result to skip re-indexing.
 */
export function runHooks(
  events: readonly CanonicalEvent[],
  hooks: readonly AnyHook[] | HookPlan,
  context: EnrichmentContext,
): void {
  const plan = toPlan(hooks);
  runPicks(events, plan, context);
  runPokes(events, plan, context);
}

/** The keys the batch's hooks declare, by state (each key once, in first-seen order). */
export function stateKeys(
  events: readonly CanonicalEvent[],
  hooks: readonly AnyHook[] | HookPlan,
): Map<string, { schema: StateSchema<unknown>; keys: string[] }> {
  const plan = toPlan(hooks);
  const byPrefix = new Map<string, { schema: StateSchema<unknown>; keys: Set<string> }>();
  for (const event of events) {
    const selected = plan.byChannel.get(event.channel)?.get(event.eventId);
    if (selected === undefined) continue;
    for (const hook of selected.keyed) {
      const state = hook.state as NonNullable<AnyHook['state']>;
      const keys = state.keysOf?.(event);
      if (keys === undefined || keys.length === 0) continue;
      let entry = byPrefix.get(state.schema.prefix);
      if (entry === undefined) {
        entry = { schema: state.schema, keys: new Set() };
        byPrefix.set(state.schema.prefix, entry);
      }
      for (const key of keys) entry.keys.add(key);
    }
  }
  return new Map([...byPrefix].map(([prefix, { schema, keys }]) => [prefix, { schema, keys: [...keys] }]));
}

/**
 * Reads from the store the keys the batch's hooks declare and merges them into the batch's views. Throws only what
 * the store throws (retryable: the caller retries the batch).
 */
export async function loadState(
  events: readonly CanonicalEvent[],
  hooks: readonly AnyHook[] | HookPlan,
  context: EnrichmentContext,
  store: StateStore,
): Promise<void> {
  for (const { schema, keys } of stateKeys(events, hooks).values()) {
    const found = await store.get(schema, keys);
    // In key order, so the view does not depend on the order the store answered in.
    for (const key of keys) {
      const value = found.get(key);
      if (value !== undefined) context.local.merge(schema, key, value);
    }
  }
}

/** The outcome of writing one state's pending items. */
export interface PersistOutcome {
  pending: PendingState;
  refused: RefusedKey[];
}

/**
 * Writes the items the persisting hooks queued (and takes them from the context). Throws what the store throws,
 * a PartialWriteError naming the keys not written included.
 */
export async function persistPending(context: EnrichmentContext, store: StateStore): Promise<PersistOutcome[]> {
  const outcomes: PersistOutcome[] = [];
  for (const pending of context.takePending()) {
    const { refused } = await store.put(pending.schema, pending.items);
    outcomes.push({ pending, refused });
  }
  return outcomes;
}
