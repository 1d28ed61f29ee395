import type { DnsAnswer } from '../../../src/dns/resolution.js';
import {
  answerEntry,
  mergeResolutions,
  type ResolutionStateOptions,
  resolutionKey,
  resolutionSchema,
} from '../../../src/dns/resolution-state.js';
import { MemoryStateStore, type MemoryStateStoreOptions } from '../../../src/state/memory-state-store.js';

const HOUR = 3_600_000;
const KEY = resolutionKey('workstation5', '151.101.248.133');

/** A memory store and the resolution schema, with the two operations the hooks use. */
function table(options: ResolutionStateOptions & MemoryStateStoreOptions = {}) {
  const schema = resolutionSchema(options);
  const store = new MemoryStateStore(options);
  return {
    schema,
    store,
    add: (a: DnsAnswer) => store.merge(schema, resolutionKey(a.host, a.ip), [answerEntry(a)]),
    candidates: (host: string, ip: string) => store.read(schema, resolutionKey(host, ip)) ?? [],
    put: (answers: readonly DnsAnswer[]) =>
      store.put(
        schema,
        answers.map((a) => ({ key: resolutionKey(a.host, a.ip), value: [answerEntry(a)] })),
      ),
  };
}

function answer(overrides: Partial<DnsAnswer>): DnsAnswer {
  return {
    host: 'workstation5',
    ip: '151.101.248.133',
    name: 'raw.githubusercontent.com',
    cnames: [],
    time: 1_000_000,
    processGuid: '{p1}',
    processId: 6708,
    source: 'sysmon-22',
    ...overrides,
  };
}

describe('the resolution state (its merge, in the memory store)', () => {
  it('keeps one entry per (name, process) with the newest answer and the oldest time', () => {
    // Prepare
    const store = table();
    // Act
    store.add(answer({ time: 2000, cnames: ['b.example'] }));
    store.add(answer({ time: 3000, cnames: ['c.example'] }));
    store.add(answer({ time: 1000, cnames: ['a.example'] }));
    // Assess
    expect(store.candidates('workstation5', '151.101.248.133')).toEqual([
      {
        name: 'raw.githubusercontent.com',
        cnames: ['c.example'],
        time: 3000,
        firstTime: 1000,
        processGuid: '{p1}',
        processId: 6708,
        source: 'sysmon-22',
      },
    ]);
  });

  it('keeps separate entries per process, per name, and per DNS-Client ProcessId', () => {
    const store = table();
    store.add(answer({ processGuid: '{p1}' }));
    store.add(answer({ processGuid: '{p2}' }));
    store.add(answer({ name: 'github.com' }));
    store.add(answer({ processGuid: undefined, processId: 1044, source: 'dns-client-3008' }));
    store.add(answer({ processGuid: undefined, processId: 5196, source: 'dns-client-3008' }));
    store.add(answer({ processGuid: undefined, processId: 5196, source: 'dns-client-3008', time: 1_000_001 }));
    expect(store.candidates('workstation5', '151.101.248.133')).toHaveLength(5);
  });

  it('never mixes hosts or IPs', () => {
    const store = table();
    store.add(answer({ host: 'other-host' }));
    store.add(answer({ ip: '140.82.113.3' }));
    expect(store.candidates('workstation5', '151.101.248.133')).toEqual([]);
    expect(store.candidates('other-host', '151.101.248.133')).toHaveLength(1);
  });

  it('gives the same content whatever the order answers are put in', async () => {
    const answers = [
      answer({ time: 5000, cnames: ['x'] }),
      answer({ time: 1000 }),
      answer({ time: 9000, cnames: ['y'] }),
      answer({ time: 9000, name: 'github.com' }),
      answer({ time: 4000, processGuid: '{p2}' }),
      answer({ time: 7000, processGuid: undefined, processId: 4, source: 'dns-client-3008' }),
    ];
    const forward = table();
    await forward.put(answers);
    const backward = table();
    await backward.put([...answers].reverse());
    const rotated = table();
    await rotated.put([...answers.slice(3), ...answers.slice(0, 3)]);
    // Not even sorted here: the merge keeps one order (newest first, ties by identity), so equal states are equal.
    const expected = (await forward.store.get(forward.schema, [KEY])).get(KEY);
    expect(expected).toHaveLength(4);
    expect((await backward.store.get(backward.schema, [KEY])).get(KEY)).toEqual(expected);
    expect((await rotated.store.get(rotated.schema, [KEY])).get(KEY)).toEqual(expected);
  });

  it('bounds entries per key, dropping the oldest', () => {
    const store = table({ maxEntriesPerKey: 3 });
    for (let i = 0; i < 6; i++) store.add(answer({ name: `n${i}.example`, time: 1000 + ((i * 7) % 6) }));
    // times: n0 1000, n1 1001, n2 1002, n3 1003, n4 1004, n5 1005 in the order 0,1,2,3,4,5 -> keep the 3 newest
    const names = store
      .candidates('workstation5', '151.101.248.133')
      .map((e) => e.name)
      .sort();
    expect(names).toEqual(['n3.example', 'n4.example', 'n5.example']);
  });

  it('bounds the number of keys, dropping the least recently written', () => {
    const store = table({ maxKeysPerState: 2 });
    store.add(answer({ ip: '1.1.1.1' }));
    store.add(answer({ ip: '2.2.2.2' }));
    store.add(answer({ ip: '1.1.1.1', time: 1_000_001 }));
    store.add(answer({ ip: '3.3.3.3' }));
    expect(store.store.size('dns')).toBe(2);
    expect(store.candidates('workstation5', '2.2.2.2')).toEqual([]);
    expect(store.candidates('workstation5', '1.1.1.1')).toHaveLength(1);
    expect(store.candidates('workstation5', '3.3.3.3')).toHaveLength(1);
  });

  it('keeps answers of any age in a store without a clock, so one batch can mix recordings made years apart', () => {
    const store = table();
    store.add(answer({ time: 0, name: 'old.example' }));
    store.add(answer({ time: 400 * 24 * HOUR, name: 'new.example' }));
    expect(store.candidates('workstation5', '151.101.248.133').map((e) => e.name)).toEqual([
      'new.example',
      'old.example',
    ]);
  });

  it('expires a key at its newest answer time + the retention, by the store clock', async () => {
    let now = 0;
    const store = table({ retentionMs: HOUR, clock: () => now });
    store.add(answer({ time: 1000, name: 'a.example' }));
    store.add(answer({ time: 2000, name: 'b.example' }));
    now = 2000 + HOUR - 1;
    expect(store.candidates('workstation5', '151.101.248.133')).toHaveLength(2);
    now = 2000 + HOUR;
    expect(store.candidates('workstation5', '151.101.248.133')).toEqual([]);
    expect(await store.store.get(store.schema, [KEY])).toEqual(new Map());
    // An expired value counts as nothing in a merge: a new answer starts the key afresh.
    store.add(answer({ time: now, name: 'c.example' }));
    expect(store.candidates('workstation5', '151.101.248.133').map((e) => e.name)).toEqual(['c.example']);
  });

  it('get returns copies and omits keys with nothing', async () => {
    const store = table();
    await store.put([answer({})]);
    const found = await store.store.get(store.schema, [KEY, resolutionKey('workstation5', '10.0.0.1')]);
    expect([...found.keys()]).toEqual([KEY]);
    const entry = found.get(KEY)?.[0];
    expect(entry).not.toBe(store.candidates('workstation5', '151.101.248.133')[0]);
    expect(entry?.name).toBe('raw.githubusercontent.com');
  });

  it('merges values read from another store, keeping their firstTime', async () => {
    const remote = table();
    await remote.put([answer({ time: 1000 }), answer({ time: 5000, cnames: ['c.example'] })]);
    const found = await remote.store.get(remote.schema, [KEY]);
    const local = table();
    local.add(answer({ time: 3000 }));
    local.store.merge(local.schema, KEY, found.get(KEY) ?? []);
    expect(local.candidates('workstation5', '151.101.248.133')).toEqual([
      expect.objectContaining({ time: 5000, firstTime: 1000, cnames: ['c.example'] }),
    ]);
  });

  it('an exact time tie goes to the lower CNAME chain, and at the cap the lowest name is dropped', () => {
    const tie = mergeResolutions(
      undefined,
      [answerEntry(answer({ cnames: ['z.example'] })), answerEntry(answer({ cnames: ['a.example'] }))],
      16,
    );
    expect(tie.map((e) => e.cnames)).toEqual([['a.example']]);
    const capped = mergeResolutions(
      undefined,
      ['b.example', 'a.example', 'c.example'].map((name) => answerEntry(answer({ name }))),
      2,
    );
    expect(capped.map((e) => e.name)).toEqual(['b.example', 'c.example']);
  });

  it('reads a stored value back through the merge: over the cap or out of order, as the merge leaves it', () => {
    const schema = resolutionSchema({ maxEntriesPerKey: 2 });
    const entries = [1000, 3000, 2000].map((time) => answerEntry(answer({ name: `n${time}.example`, time })));
    expect(schema.decode(schema.encode(entries))?.map((e) => e.name)).toEqual(['n3000.example', 'n2000.example']);
    expect(schema.decode([{ name: 'x', time: 'soon' }])).toBeUndefined();
    expect(schema.decode('garbage')).toBeUndefined();
  });

  it('ignores answers without a finite time', () => {
    const store = table();
    store.add(answer({ time: Number.NaN }));
    expect(store.candidates('workstation5', '151.101.248.133')).toEqual([]);
  });
});
