import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { createEnrichmentContext } from '../../../src/hooks/enrichment-context.js';
import type { AnyHook, Hook } from '../../../src/hooks/hook.js';
import {
  DuplicateHookError,
  enrichWritesState,
  loadState,
  persistPending,
  planHooks,
  runHooks,
  runPicks,
  runPokes,
  stateKeys,
} from '../../../src/hooks/run-hooks.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import type { StateSchema } from '../../../src/state/state-store.js';
import { dnsClient3008, sysmon3, sysmon22 } from './event-factories.js';

type Stage = 'pick' | 'poke';

/** A hook that logs every call; `stage` decides whether it picks or pokes what it selects. */
function recorder(log: string[], name: string, stage: Stage, channel: string, eventIds: number[]): AnyHook {
  const selectors = [{ channel, eventIds }];
  const record = (event: { eventId: number; time: number }) => log.push(`${name}:${event.eventId}@${event.time}`);
  return stage === 'pick'
    ? { name, picks: selectors, pokes: [], counters: [], pick: record }
    : { name, picks: [], pokes: selectors, counters: [], poke: record };
}

/** A counting state: per key, the sum of what was put, expiring at event time 1 000 000. */
const SUM: StateSchema<number> = {
  prefix: 'sum',
  merge: (stored, incoming) => (stored ?? 0) + incoming,
  expiresAt: () => 1_000_000,
  equals: (a, b) => a === b,
  encode: (value) => value,
  decode: (encoded) => (typeof encoded === 'number' ? encoded : undefined),
};

function sysmon3Selector() {
  return [{ channel: SYSMON_CHANNEL, eventIds: [3] }];
}

const SUM_STATE = { schema: SUM, keysOf: (event: { host: string }) => [event.host] };

/** Picks Sysmon 22 (puts 1 under its host) and pokes Sysmon 3 (writes the host's sum into the event). */
function summing(persists: boolean): Hook<number, 'picked' | 'poked'> {
  return {
    name: 'summing',
    picks: [{ channel: SYSMON_CHANNEL, eventIds: [22] }],
    pokes: [{ channel: SYSMON_CHANNEL, eventIds: [3] }],
    counters: ['picked', 'poked'],
    state: { schema: SUM, persists, keysOf: (event) => [event.host] },
    pick(event, { counters, state }) {
      counters.picked++;
      state.put(event.host, 1);
    },
    poke(event, { counters, state }) {
      counters.poked++;
      event.data.Sum = String(state.get(event.host) ?? 0);
    },
  };
}

describe('runHooks', () => {
  const events = [sysmon3({ time: 1 }), sysmon22({ time: 2 }), dnsClient3008({ time: 3 }), sysmon3({ time: 4 })];

  it('runs every pick over the batch before any poke, each in event then list order', () => {
    // Prepare
    const log: string[] = [];
    const hooks = [
      recorder(log, 'poke-a', 'poke', SYSMON_CHANNEL, [3]),
      recorder(log, 'pick-a', 'pick', SYSMON_CHANNEL, [22]),
      recorder(log, 'pick-b', 'pick', DNS_CLIENT_CHANNEL, [3008]),
      recorder(log, 'pick-c', 'pick', SYSMON_CHANNEL, [3, 22]),
      recorder(log, 'poke-b', 'poke', SYSMON_CHANNEL, [3]),
    ];
    // Act
    runHooks(events, hooks, createEnrichmentContext());
    // Assess
    expect(log).toEqual([
      'pick-c:3@1',
      'pick-a:22@2',
      'pick-c:22@2',
      'pick-b:3008@3',
      'pick-c:3@4',
      'poke-a:3@1',
      'poke-b:3@1',
      'poke-a:3@4',
      'poke-b:3@4',
    ]);
  });

  it('runPicks then runPokes, in separate passes with one context, equals runHooks', () => {
    const together: string[] = [];
    const apart: string[] = [];
    const make = (log: string[]) => [
      recorder(log, 'pick', 'pick', SYSMON_CHANNEL, [22]),
      recorder(log, 'poke', 'poke', SYSMON_CHANNEL, [3]),
    ];
    runHooks(events, make(together), createEnrichmentContext());
    const plan = planHooks(make(apart));
    const context = createEnrichmentContext();
    runPicks(events, plan, context);
    expect(apart).toEqual(['pick:22@2']);
    runPokes(events, plan, context);
    expect(apart).toEqual(together);
  });

  it('selects by channel and event ID: other channels and IDs never reach a hook', () => {
    const log: string[] = [];
    runHooks(
      events,
      [recorder(log, 'x', 'pick', 'Security', [3, 22]), recorder(log, 'y', 'poke', SYSMON_CHANNEL, [1, 3008])],
      createEnrichmentContext(),
    );
    expect(log).toEqual([]);
  });

  it('runs a hook once per event even when it selects the same (channel, ID) twice', () => {
    const log: string[] = [];
    const hook: AnyHook = {
      ...recorder(log, 'twice', 'pick', SYSMON_CHANNEL, [22]),
      picks: [
        { channel: SYSMON_CHANNEL, eventIds: [22, 22] },
        { channel: SYSMON_CHANNEL, eventIds: [22] },
      ],
    };
    runHooks(events, [hook], createEnrichmentContext());
    expect(log).toEqual(['twice:22@2']);
  });

  it('accepts a prebuilt plan and gives the same result', () => {
    const fromList: string[] = [];
    const fromPlan: string[] = [];
    const make = (log: string[]) => [
      recorder(log, 'pick-a', 'pick', SYSMON_CHANNEL, [22]),
      recorder(log, 'poke-a', 'poke', SYSMON_CHANNEL, [3]),
    ];
    runHooks(events, make(fromList), createEnrichmentContext());
    runHooks(events, planHooks(make(fromPlan)), createEnrichmentContext());
    expect(fromPlan).toEqual(fromList);
    expect(fromPlan).toHaveLength(3);
  });

  it('refuses two hooks of one name', () => {
    const log: string[] = [];
    expect(() =>
      planHooks([recorder(log, 'a', 'pick', SYSMON_CHANNEL, [22]), recorder(log, 'a', 'poke', SYSMON_CHANNEL, [3])]),
    ).toThrow(DuplicateHookError);
  });

  it('does nothing on an empty batch', () => {
    const log: string[] = [];
    runHooks([], [recorder(log, 'a', 'pick', SYSMON_CHANNEL, [3])], createEnrichmentContext());
    expect(log).toEqual([]);
  });
});

describe('hook state and counters', () => {
  it('gives each hook its own counters, zero for a planned hook that never ran, and the view of its state', () => {
    // Prepare
    const context = createEnrichmentContext();
    const connection = sysmon3({ time: 5 });
    const idle: AnyHook = {
      name: 'idle',
      picks: [{ channel: SYSMON_CHANNEL, eventIds: [1] }],
      pokes: [],
      counters: ['never'],
      pick: () => {},
    };
    // Act
    runHooks([sysmon22({ time: 1 }), sysmon22({ time: 2 }), connection], [summing(false)], context);
    runHooks([], [idle], context);
    // Assess
    expect(context.counters).toEqual({ summing: { picked: 2, poked: 1 }, idle: { never: 0 } });
    expect(connection.data.Sum).toBe('2');
  });

  it('leaves out of the plan, and of the counters, a hook that selects nothing (a hook configured off)', () => {
    const context = createEnrichmentContext();
    const off: AnyHook = { name: 'off', picks: [], pokes: [], counters: ['never'], pick: () => {}, poke: () => {} };
    const noIds: AnyHook = {
      name: 'no-ids',
      picks: [{ channel: SYSMON_CHANNEL, eventIds: [] }],
      pokes: [],
      counters: ['never'],
      pick: () => {},
    };
    // Selectors without the function to run on them select nothing either.
    const noFunction: AnyHook = { name: 'no-function', picks: [], pokes: sysmon3Selector(), counters: ['never'] };
    const plan = planHooks([summing(false), off, noIds, noFunction]);
    runHooks([sysmon3({ time: 1 })], plan, context);
    expect(plan.hooks.map((hook) => hook.name)).toEqual(['summing']);
    expect(context.counters).toEqual({ summing: { picked: 0, poked: 1 } });
  });

  it('declares the keys of the events it selects, each once', () => {
    const keys = stateKeys(
      [sysmon22({ host: 'a' }), sysmon3({ host: 'a' }), sysmon3({ host: 'b' }), dnsClient3008({})],
      [summing(false)],
    );
    expect([...keys].map(([prefix, entry]) => [prefix, entry.keys])).toEqual([['sum', ['a', 'b']]]);
  });

  it('loads the declared keys from the store before the picks and merges what is picked on top', async () => {
    // Prepare
    const store = new MemoryStateStore();
    await store.put(SUM, [
      { key: 'a', value: 10 },
      { key: 'unused', value: 99 },
    ]);
    const context = createEnrichmentContext();
    const events = [sysmon22({ host: 'a' }), sysmon3({ host: 'a' })];
    // Act
    await loadState(events, [summing(false)], context, store);
    runHooks(events, [summing(false)], context);
    // Assess
    expect(events[1]?.data.Sum).toBe('11');
    expect(context.local.read(SUM, 'unused')).toBeUndefined();
  });

  it('writes what a persisting hook put, once, only from a collecting context', async () => {
    const store = new MemoryStateStore();
    const events = [sysmon22({ host: 'a' }), sysmon22({ host: 'a' }), sysmon22({ host: 'b' })];
    const collecting = createEnrichmentContext({}, { collect: true });
    runPicks(events, [summing(true)], collecting);
    await persistPending(collecting, store);
    await persistPending(collecting, store);
    const readOnly = createEnrichmentContext({}, { collect: true });
    runPicks(events, [summing(false)], readOnly);
    await persistPending(readOnly, store);
    expect(Object.fromEntries(await store.get(SUM, ['a', 'b']))).toEqual({ a: 2, b: 1 });
  });
});

describe('enrichWritesState', () => {
  it('is true only with a hook that persists its state while enriching (the stack then grants the writes)', () => {
    const persisting = summing(true);
    expect(enrichWritesState([summing(false), persisting])).toBe(false);
    const whileEnriching = { ...persisting, state: { ...SUM_STATE, persists: true, persistWhenEnriching: true } };
    expect(enrichWritesState([summing(false), whileEnriching])).toBe(true);
    const notPersisting = { ...persisting, state: { ...SUM_STATE, persists: false, persistWhenEnriching: true } };
    expect(enrichWritesState([notPersisting])).toBe(false);
  });
});
