/** The memory state store's own behaviour (the port's semantics, shared with DynamoDB: state-store.contract.test.ts). */
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import type { StateSchema } from '../../../src/state/state-store.js';

/** The latest time per key, expiring 100 ms after it. */
const LATEST: StateSchema<number> = {
  prefix: 'latest',
  merge: (stored, incoming) => Math.max(stored ?? Number.NEGATIVE_INFINITY, incoming),
  expiresAt: (value) => value + 100,
  equals: (a, b) => a === b,
  encode: (value) => value,
  decode: (encoded) => (typeof encoded === 'number' ? encoded : undefined),
};
const OTHER: StateSchema<number> = { ...LATEST, prefix: 'other' };

describe('MemoryStateStore', () => {
  it('bounds the keys of each state, dropping the least recently written, and counts states apart', () => {
    const store = new MemoryStateStore({ maxKeysPerState: 2 });
    store.merge(LATEST, 'a', 1);
    store.merge(LATEST, 'b', 1);
    store.merge(LATEST, 'a', 2);
    store.merge(LATEST, 'c', 1);
    store.merge(OTHER, 'x', 1);
    expect(store.size('latest')).toBe(2);
    expect(store.read(LATEST, 'b')).toBeUndefined();
    expect([store.read(LATEST, 'a'), store.read(LATEST, 'c'), store.read(OTHER, 'x')]).toEqual([2, 1, 1]);
  });

  it('expires nothing without a clock; with one, reads and merges ignore values at or past their TTL', () => {
    const timeless = new MemoryStateStore();
    timeless.merge(LATEST, 'k', 0);
    expect(timeless.read(LATEST, 'k')).toBe(0);

    let now = 50;
    const clocked = new MemoryStateStore({ clock: () => now });
    clocked.merge(LATEST, 'k', 10);
    expect(clocked.read(LATEST, 'k')).toBe(10);
    now = 110;
    expect(clocked.read(LATEST, 'k')).toBeUndefined();
    // Merged onto nothing: the expired 10 no longer wins over an older value.
    expect(clocked.merge(LATEST, 'k', 5)).toBe(5);
  });

  it('get returns copies, so a caller cannot change the store', async () => {
    const schema: StateSchema<{ n: number }> = {
      prefix: 'boxed',
      merge: (_stored, incoming) => incoming,
      expiresAt: () => Number.POSITIVE_INFINITY,
      equals: (a, b) => a.n === b.n,
      encode: (value) => value,
      decode: (encoded) => encoded as { n: number },
    };
    const store = new MemoryStateStore();
    await store.put(schema, [{ key: 'k', value: { n: 1 } }]);
    const got = (await store.get(schema, ['k', 'missing'])).get('k');
    if (got !== undefined) got.n = 99;
    expect(store.read(schema, 'k')).toEqual({ n: 1 });
    expect([...(await store.get(schema, ['k', 'missing'])).keys()]).toEqual(['k']);
  });
});
