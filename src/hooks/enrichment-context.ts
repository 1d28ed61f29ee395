/**
 * The context the hooks share over a batch (or over a whole replay): each hook's counters, the batch's view of
 * every state, and the items the persisting hooks queued for the store.
 */
import { DEFAULT_MAX_ENTRIES_PER_KEY, DEFAULT_RETENTION_MS } from '../dns/resolution-state.js';
import { DEFAULT_MAX_KEYS_PER_STATE, MemoryStateStore } from '../state/memory-state-store.js';
import type { StateItem, StateSchema } from '../state/state-store.js';
import type { AnyHook, HookContext, StateView } from './hook.js';
import type { NetworkLabelOptions } from './network-label.js';

/** How connections are named. */
export type HostnameMode = 'replace' | 'fill-empty';

/** Options of the registered hooks and of the batch's state views. */
export interface EnrichmentOptions {
  /** How far back an answer can name a connection, in event time; also its TTL. Default 24 h (86 400 000 ms). */
  retentionMs?: number;
  /** How far after a connection an answer still names it (Sysmon can log the answer late). Default 5 000 ms. */
  lookAheadMs?: number;
  /**
   * `replace` (default): the resolved name replaces Sysmon's `DestinationHostname` (a reverse-DNS name at best).
   * `fill-empty`: only a `-` or empty `DestinationHostname` is filled.
   */
  mode?: HostnameMode;
  /** Entries kept per (host, IP) in the resolution state. Default 16. */
  maxEntriesPerKey?: number;
  /** Keys kept per state in the batch's (or replay's) memory view. Default 200 000. */
  maxKeys?: number;
  /** The network-label hook's CIDR tables (docs/hooks.md). Default absent: that hook does not run. */
  networkLabels?: NetworkLabelOptions;
}

export const DEFAULT_LOOK_AHEAD_MS = 5000;

/** The enrichment options with every default filled in. */
export type ResolvedEnrichmentOptions = Required<Omit<EnrichmentOptions, 'networkLabels'>>;

/** Fills the defaults of {@link EnrichmentOptions}. */
export function resolveEnrichmentOptions(options: EnrichmentOptions = {}): ResolvedEnrichmentOptions {
  return {
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    lookAheadMs: options.lookAheadMs ?? DEFAULT_LOOK_AHEAD_MS,
    mode: options.mode ?? 'replace',
    maxEntriesPerKey: options.maxEntriesPerKey ?? DEFAULT_MAX_ENTRIES_PER_KEY,
    maxKeys: options.maxKeys ?? DEFAULT_MAX_KEYS_PER_STATE,
  };
}

/** Counters of every hook that ran, by hook name then counter name. */
export type HookCounters = Record<string, Record<string, number>>;

/** Items queued for the store, of one state. */
export interface PendingState {
  schema: StateSchema<unknown>;
  items: StateItem<unknown>[];
}

/** The hooks' shared context. Create one per batch (the Lambda functions) or one per run (replay). */
export interface EnrichmentContext {
  /** Counters by hook name (a hook's entry appears, zeroed, when it first runs or is planned). */
  readonly counters: HookCounters;
  /** The batch's view of every state (what was loaded from the store and what was picked). */
  readonly local: MemoryStateStore;
  /** The context one hook runs with (made once per hook and context). */
  of(hook: AnyHook): HookContext;
  /** The items the persisting hooks queued since the last call, by state, in the order they were put. */
  takePending(): PendingState[];
  /** Items queued and not yet taken. */
  readonly pendingCount: number;
}

/** A view that keeps nothing: the state of a hook that declares none. */
const NO_STATE: StateView<unknown> = { get: () => undefined, put: () => undefined };

/** How a context treats what the persisting hooks put. */
export interface ContextOptions {
  /**
   * Queue what the persisting hooks put, for {@link EnrichmentContext.takePending} (the dns-answers function), or
   * only for the hooks the predicate picks (the enrich functions: `persistWhenEnriching`). Default false: the items only merge into the view (replay and the enrich function write no state; a replay
   * context lives for the whole run, so a queue would grow with it).
   */
  collect?: boolean | ((hook: AnyHook) => boolean);
}

/** A fresh context: empty views bounded by the options, no counters yet. */
export function createEnrichmentContext(
  options: EnrichmentOptions = {},
  { collect = false }: ContextOptions = {},
): EnrichmentContext {
  const { maxKeys } = resolveEnrichmentOptions(options);
  const local = new MemoryStateStore({ maxKeysPerState: maxKeys });
  const counters: HookCounters = {};
  const contexts = new Map<AnyHook, HookContext>();
  let pending = new Map<string, PendingState>();
  let pendingCount = 0;
  return {
    counters,
    local,
    get pendingCount() {
      return pendingCount;
    },
    of(hook) {
      let context = contexts.get(hook);
      if (context !== undefined) return context;
      let own = counters[hook.name];
      if (own === undefined) {
        own = {};
        counters[hook.name] = own;
      }
      for (const name of hook.counters) own[name] ??= 0;
      const state = hook.state;
      let view: StateView<unknown> = NO_STATE;
      if (state !== undefined) {
        const schema = state.schema as StateSchema<unknown>;
        view = {
          get: (key) => local.read(schema, key),
          put:
            state.persists && (typeof collect === 'function' ? collect(hook) : collect)
              ? (key, value) => {
                  local.merge(schema, key, value);
                  let queued = pending.get(schema.prefix);
                  if (queued === undefined) {
                    queued = { schema, items: [] };
                    pending.set(schema.prefix, queued);
                  }
                  queued.items.push({ key, value });
                  pendingCount++;
                }
              : (key, value) => {
                  local.merge(schema, key, value);
                },
        };
      }
      context = { counters: own, state: view };
      contexts.set(hook, context);
      return context;
    },
    takePending() {
      const taken = [...pending.values()];
      pending = new Map();
      pendingCount = 0;
      return taken;
    },
  };
}
