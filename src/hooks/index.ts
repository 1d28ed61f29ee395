/**
 * The hook registry: every hook by name, and the default ordered list the pipeline runs.
 */
import { createDnsAnswersHook } from './dns-answers.js';
import type { EnrichmentContext, EnrichmentOptions } from './enrichment-context.js';
import type { Hook } from './hook.js';
import { createNetconnHostnameHook } from './netconn-hostname.js';

export type { EnrichmentContext, EnrichmentOptions, HookCounters, HostnameMode } from './enrichment-context.js';
export { createEnrichmentContext, newHookCounters, resolveEnrichmentOptions } from './enrichment-context.js';
export type { EventSelector, Hook, HookStage } from './hook.js';
export type { HostnameSource } from './netconn-hostname.js';
export { type HookPlan, planHooks, runHooks } from './run-hooks.js';

/** Hook factories by hook name, in the order they run. */
export const HOOK_FACTORIES = {
  'dns-answers': (_options: EnrichmentOptions) => createDnsAnswersHook(),
  'netconn-hostname': (options: EnrichmentOptions) => createNetconnHostnameHook(options),
} as const satisfies Record<string, (options: EnrichmentOptions) => Hook<EnrichmentContext>>;

export type HookName = keyof typeof HOOK_FACTORIES;

/** Every registered hook name, in run order. */
export const HOOK_NAMES = Object.keys(HOOK_FACTORIES) as HookName[];

/** The enrichment hooks in run order (default: all of them), configured by `options`. */
export function createHooks(
  options: EnrichmentOptions = {},
  names: readonly HookName[] = HOOK_NAMES,
): Hook<EnrichmentContext>[] {
  return names.map((name) => HOOK_FACTORIES[name](options));
}
