/**
 * The event-hook framework (after WHIDS): an ordered list of hooks, each selecting events by channel and
 * event ID, each either picking state from events or poking fields into them. Hooks are synchronous and pure
 * over their context; any I/O (the remote resolution store) happens at batch boundaries in the pipeline.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';

/** Which events a hook reads. */
export interface EventSelector {
  channel: string;
  eventIds: readonly number[];
}

/**
 * `pick` hooks take state from events (run over the whole batch first); `poke` hooks write fields into events
 * (run after every pick of the batch, so an answer logged just after its connection is already known).
 */
export type HookStage = 'pick' | 'poke';

export interface Hook<Context> {
  readonly name: string;
  readonly stage: HookStage;
  readonly selects: readonly EventSelector[];
  /** Never throws on any event the normaliser produced. */
  apply(event: CanonicalEvent, context: Context): void;
}
