/**
 * One semantics for the state-store port: every case runs against the memory store and the DynamoDB store (on
 * dynalite), and a seeded sequence of puts cut into batches in different ways must leave both with the same state.
 */
import { DynamoDbStateStore } from '../../../lambda/adapters/dynamodb-state-store.js';
import type { DnsAnswer } from '../../../src/dns/resolution.js';
import { answerEntry, type Resolutions, resolutionKey, resolutionSchema } from '../../../src/dns/resolution-state.js';
import { TABLE_KEYS } from '../../../src/pipeline/names.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import type { StateItem, StateSchema, StateStore } from '../../../src/state/state-store.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';
import { randomInt, seededRandom } from '../../helpers/lambda-prng.js';
import { answer, HOUR, T0 } from '../../helpers/state-answers.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

/** A second state: the newest note per key (ties by text), each expiring `ttlMs` after its time (1 h by default). */
const NOTES: StateSchema<{ time: number; text: string; ttlMs?: number }> = {
  prefix: 'notes',
  merge: (stored, incoming) =>
    stored === undefined ||
    incoming.time > stored.time ||
    (incoming.time === stored.time && incoming.text < stored.text)
      ? incoming
      : stored,
  expiresAt: (value) => value.time + (value.ttlMs ?? HOUR),
  equals: (a, b) => a.time === b.time && a.text === b.text && a.ttlMs === b.ttlMs,
  encode: (value) => value,
  decode: (encoded) => {
    const value = encoded as { time?: unknown; text?: unknown; ttlMs?: unknown } | null;
    if (typeof value?.time !== 'number' || typeof value.text !== 'string') return undefined;
    return typeof value.ttlMs === 'number'
      ? { time: value.time, text: value.text, ttlMs: value.ttlMs }
      : { time: value.time, text: value.text };
  },
};

function items(answers: readonly DnsAnswer[]): StateItem<Resolutions>[] {
  return answers.map((a) => ({ key: resolutionKey(a.host, a.ip), value: [answerEntry(a)] }));
}

let emulators: Emulators;
let tables = 0;

beforeAll(async () => {
  emulators = await startEmulators({ services: ['dynamodb'] });
});

afterAll(async () => {
  await emulators?.stop();
});

type Make = (clock: () => number) => Promise<StateStore>;

const STORES: [string, Make][] = [
  ['memory', async (clock) => new MemoryStateStore({ clock })],
  [
    'dynamodb',
    async (clock) => {
      // A fresh table per store: no case sees another's items.
      const tableName = `state-${++tables}`;
      await emulators.createTable(tableName, TABLE_KEYS.state);
      return new DynamoDbStateStore({ client: emulators.clients.dynamodb, tableName, clock, retry: fast });
    },
  ],
];

describe.each(STORES)('state store contract: %s', (_name, make) => {
  let now: number;
  let store: StateStore;
  const schema = resolutionSchema({ retentionMs: 24 * HOUR, maxEntriesPerKey: 3 });
  const key = resolutionKey('ws-01.corp.example', '203.0.113.10');

  beforeEach(async () => {
    now = T0 + 60_000;
    store = await make(() => now);
  });

  it('returns what was put, omits unknown keys, and keeps each state under its own prefix', async () => {
    await store.put(schema, items([answer({ name: 'a.example', cnames: ['edge.cdn.example'] })]));
    await store.put(NOTES, [{ key, value: { time: T0, text: 'same key, other state' } }]);

    const got = await store.get(schema, [key, resolutionKey('ws-01.corp.example', '192.0.2.1')]);
    const notes = await store.get(NOTES, [key]);

    expect([...got.keys()]).toEqual([key]);
    expect(got.get(key)).toEqual([
      {
        name: 'a.example',
        cnames: ['edge.cdn.example'],
        time: T0,
        firstTime: T0,
        processGuid: '{aaaaaaaa-0000-0000-0000-000000000001}',
        processId: 4242,
        source: 'sysmon-22',
      },
    ]);
    expect(notes.get(key)).toEqual({ time: T0, text: 'same key, other state' });
  });

  it("merges by the state's schema: caps, newest wins, firstTime kept, items of one put merged in order", async () => {
    await store.put(
      schema,
      items([
        answer({ name: 'n1.example', time: T0 + 1 }),
        answer({ name: 'n2.example', time: T0 + 2 }),
        answer({ name: 'n3.example', time: T0 + 3, cnames: ['new.example'] }),
      ]),
    );
    await store.put(
      schema,
      items([
        answer({ name: 'n4.example', time: T0 + 4 }),
        answer({ name: 'n3.example', time: T0 - 5, cnames: ['old.example'] }),
        answer({ name: 'n0.example', time: T0 }),
      ]),
    );

    const entries = (await store.get(schema, [key])).get(key);

    expect(entries?.map((e) => [e.name, e.time, e.firstTime, e.cnames.join()])).toEqual([
      ['n4.example', T0 + 4, T0 + 4, ''],
      ['n3.example', T0 + 3, T0 - 5, 'new.example'],
      ['n2.example', T0 + 2, T0 + 2, ''],
    ]);
  });

  it('leaves the same state when a put is retried, whole or cut into other batches', async () => {
    const batch = items([
      answer({ name: 'a.example', time: T0 + 1 }),
      answer({ name: 'b.example', time: T0 + 2 }),
      answer({ name: 'a.example', time: T0 + 3 }),
    ]);
    await store.put(schema, batch);
    const first = (await store.get(schema, [key])).get(key);

    await store.put(schema, batch);
    await store.put(schema, batch.slice(1));
    await store.put(schema, batch.slice(0, 1));

    expect((await store.get(schema, [key])).get(key)).toEqual(first);
    expect(first).toHaveLength(2);
  });

  it('ignores a value whose TTL (event time) has passed by the store clock, and starts a new one on put', async () => {
    await store.put(NOTES, [{ key: 'k', value: { time: T0, text: 'old' } }]);
    expect((await store.get(NOTES, ['k'])).get('k')?.text).toBe('old');

    now = T0 + HOUR; // exactly its TTL
    expect((await store.get(NOTES, ['k'])).size).toBe(0);
    // An expired value counts as nothing in the merge: an older note, live for longer, is kept (it would lose to
    // the expired one otherwise, and the key would read as empty).
    await store.put(NOTES, [{ key: 'k', value: { time: T0 - 1, text: 'older', ttlMs: 10 * HOUR } }]);
    expect((await store.get(NOTES, ['k'])).get('k')).toEqual({ time: T0 - 1, text: 'older', ttlMs: 10 * HOUR });
  });

  it('expires a value dated in the future at the clock of its last write plus the longest lifetime', async () => {
    // Prepare: notes that live at most 2 h past the clock; one dated 1,000 h ahead (a forged event), one of now.
    const capped: StateSchema<{ time: number; text: string; ttlMs?: number }> = { ...NOTES, maxLifetimeMs: 2 * HOUR };
    const start = now;
    await store.put(capped, [
      { key: 'future', value: { time: start + 1_000 * HOUR, text: 'forged' } },
      { key: 'now', value: { time: start, text: 'ordinary' } },
    ]);
    // Act and assess: the ordinary one ends at its own TTL (1 h), the forged one at the cap, not 1,001 h on.
    now = start + HOUR - 1;
    expect([...(await store.get(capped, ['future', 'now'])).keys()].sort()).toEqual(['future', 'now']);
    now = start + HOUR + 1;
    expect([...(await store.get(capped, ['future', 'now'])).keys()]).toEqual(['future']);
    // A write of the key moves its cap on (the same value again, as a retried batch writes it).
    now = start + 1.5 * HOUR;
    await store.put(capped, [{ key: 'future', value: { time: start + 1_000 * HOUR, text: 'forged' } }]);
    now = start + 3 * HOUR;
    expect((await store.get(capped, ['future'])).get('future')?.text).toBe('forged');
    now = start + 3.5 * HOUR + 1_000;
    expect((await store.get(capped, ['future'])).size).toBe(0);
  });
});

describe('both stores hold the same state', () => {
  it('after a seeded run of puts, each store fed the items cut into its own batches', async () => {
    // Prepare: answers over 4 keys and 8 names at colliding times, so the cap (3) and every tie-break count.
    const random = seededRandom(11);
    const answers = Array.from({ length: 300 }, () =>
      answer({
        ip: `203.0.113.${randomInt(random, 1, 4)}`,
        name: `n${randomInt(random, 1, 8)}.example`,
        time: T0 + randomInt(random, 0, 20),
        cnames: random() < 0.5 ? [] : [`c${randomInt(random, 1, 3)}.example`],
        processGuid: random() < 0.3 ? undefined : `{p${randomInt(random, 1, 2)}}`,
      }),
    );
    const schema = resolutionSchema({ maxEntriesPerKey: 3 });
    const keys = [1, 2, 3, 4].map((i) => resolutionKey('ws-01.corp.example', `203.0.113.${i}`));
    const results: ReadonlyMap<string, Resolutions>[] = [];
    // Act
    for (const [, make] of STORES) {
      const store = await make(() => T0);
      for (let i = 0; i < answers.length; ) {
        const size = randomInt(random, 1, 40);
        await store.put(schema, items(answers.slice(i, i + size)));
        i += size;
      }
      results.push(await store.get(schema, keys));
    }
    // Assess
    const [memory, dynamodb] = results;
    expect(memory?.size).toBe(4);
    expect(Object.fromEntries(dynamodb ?? [])).toEqual(Object.fromEntries(memory ?? []));
  });
});
