/**
 * Runs hooks over a batch: every pick hook over every event first, then every poke hook.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import type { Hook } from './hook.js';

interface Selected<Context> {
  pick: Hook<Context>[];
  poke: Hook<Context>[];
}

/** Hooks indexed by channel then event ID, so an event costs two Map lookups whatever the number of hooks. */
export interface HookPlan<Context> {
  readonly hooks: readonly Hook<Context>[];
  readonly byChannel: ReadonlyMap<string, ReadonlyMap<number, Selected<Context>>>;
}

/** Indexes hooks by what they select, keeping their list order within each stage. Build once, run per batch. */
export function planHooks<Context>(hooks: readonly Hook<Context>[]): HookPlan<Context> {
  const byChannel = new Map<string, Map<number, Selected<Context>>>();
  for (const hook of hooks) {
    for (const selector of hook.selects) {
      let byEventId = byChannel.get(selector.channel);
      if (byEventId === undefined) {
        byEventId = new Map();
        byChannel.set(selector.channel, byEventId);
      }
      for (const eventId of selector.eventIds) {
        let selected = byEventId.get(eventId);
        if (selected === undefined) {
          selected = { pick: [], poke: [] };
          byEventId.set(eventId, selected);
        }
        const list = hook.stage === 'pick' ? selected.pick : selected.poke;
        // A hook selecting the same (channel, event ID) twice still runs once per event.
        if (!list.includes(hook)) list.push(hook);
      }
    }
  }
  return { hooks, byChannel };
}

function isPlan<Context>(hooks: readonly Hook<Context>[] | HookPlan<Context>): hooks is HookPlan<Context> {
  return !Array.isArray(hooks);
}

/**
 * Applies the hooks to a batch. `events` must already be sorted by event time. For each event in order, the pick
 * hooks that select it run in list order; then, once every event has been picked from, the poke hooks run the same
 * way. So a poke sees everything the batch holds, including an answer logged just after its connection.
 * Hooks mutate events and the context; nothing is returned. Pass a {@link planHooks} result to skip re-indexing.
 */
export function runHooks<Context>(
  events: readonly CanonicalEvent[],
  hooks: readonly Hook<Context>[] | HookPlan<Context>,
  context: Context,
): void {
  const plan = isPlan(hooks) ? hooks : planHooks(hooks);
  const pokes: (Hook<Context>[] | undefined)[] = new Array(events.length);
  let anyPoke = false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as CanonicalEvent;
    const selected = plan.byChannel.get(event.channel)?.get(event.eventId);
    if (selected === undefined) continue;
    for (const hook of selected.pick) hook.apply(event, context);
    if (selected.poke.length > 0) {
      pokes[i] = selected.poke;
      anyPoke = true;
    }
  }
  if (!anyPoke) return;
  for (let i = 0; i < events.length; i++) {
    const selected = pokes[i];
    if (selected === undefined) continue;
    const event = events[i] as CanonicalEvent;
    for (const hook of selected) hook.apply(event, context);
  }
}
