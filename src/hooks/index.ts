/**
 * The hook registry: every hook by name, and the default ordered list the pipeline runs.
 * A new hook is one file and one line in HOOK_FACTORIES (docs/enrichment.md, "Hook state").
 */
import { createDnsAnswersHook } from './dns-answers.js';
import type { EnrichmentOptions } from './enrichment-context.js';
import type { AnyHook } from './hook.js';
import { createNetconnHostnameHook } from './netconn-hostname.js';
import { createNetworkLabelHook } from './network-label.js';
import { createProcessTrackingHook } from './process-tracking.js';

export type {
  EnrichmentContext,
  EnrichmentOptions,
  HookCounters,
  HostnameMode,
  PendingState,
} from './enrichment-context.js';
export { createEnrichmentContext, resolveEnrichmentOptions } from './enrichment-context.js';
export type { AnyHook, EventSelector, Hook, HookContext, HookState, StateView } from './hook.js';
export type { HostnameSource } from './netconn-hostname.js';
export {
  DuplicateHookError,
  type HookPlan,
  loadState,
  type PersistOutcome,
  persistingHooks,
  persistPending,
  planHooks,
  runHooks,
  runPicks,
  runPokes,
  stateKeys,
} from './run-hooks.js';

/** Hook factories by hook name, in the order they run (within each stage). One line per hook. */
export const HOOK_FACTORIES = {
  // First: its pick gives DNS-Client 3008 events their ProcessGuid before dns-answers picks their answers.
  'process-tracking': (options: EnrichmentOptions) => createProcessTrackingHook(options),
  'dns-answers': (options: EnrichmentOptions) => createDnsAnswersHook(options),
  'netconn-hostname': (options: EnrichmentOptions) => createNetconnHostnameHook(options),
  'network-label': (options: EnrichmentOptions) => createNetworkLabelHook(options),
} as const satisfies Record<string, (options: EnrichmentOptions) => AnyHook>;

export type HookName = keyof typeof HOOK_FACTORIES;

/** Every registered hook name, in run order. */
export const HOOK_NAMES = Object.keys(HOOK_FACTORIES) as HookName[];

/** The hooks in run order (default: all of them), configured by `options`. */
export function createHooks(options: EnrichmentOptions = {}, names: readonly HookName[] = HOOK_NAMES): AnyHook[] {
  return names.map((name) => HOOK_FACTORIES[name](options));
}
