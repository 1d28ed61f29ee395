import { MemoryResolutionStore } from '../../../src/dns/memory-resolution-store.js';
import type { DnsAnswer } from '../../../src/dns/resolution.js';

const HOUR = 3_600_000;

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

describe('MemoryResolutionStore', () => {
  it('keeps one entry per (name, process) with the newest answer and the oldest time', () => {
    // Prepare
    const store = new MemoryResolutionStore();
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
    const store = new MemoryResolutionStore();
    store.add(answer({ processGuid: '{p1}' }));
    store.add(answer({ processGuid: '{p2}' }));
    store.add(answer({ name: 'github.com' }));
    store.add(answer({ processGuid: undefined, processId: 1044, source: 'dns-client-3008' }));
    store.add(answer({ processGuid: undefined, processId: 5196, source: 'dns-client-3008' }));
    store.add(answer({ processGuid: undefined, processId: 5196, source: 'dns-client-3008', time: 1_000_001 }));
    expect(store.candidates('workstation5', '151.101.248.133')).toHaveLength(5);
  });

  it('never mixes hosts or IPs', () => {
    const store = new MemoryResolutionStore();
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
    const keys = [{ host: 'workstation5', ip: '151.101.248.133' }];
    const sorted = (entries: readonly object[] | undefined) =>
      [...(entries ?? [])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const forward = new MemoryResolutionStore();
    await forward.put(answers);
    const backward = new MemoryResolutionStore();
    await backward.put([...answers].reverse());
    const rotated = new MemoryResolutionStore();
    await rotated.put([...answers.slice(3), ...answers.slice(0, 3)]);
    const expected = sorted((await forward.get(keys)).get('workstation5|151.101.248.133'));
    expect(expected).toHaveLength(4);
    expect(sorted((await backward.get(keys)).get('workstation5|151.101.248.133'))).toEqual(expected);
    expect(sorted((await rotated.get(keys)).get('workstation5|151.101.248.133'))).toEqual(expected);
  });

  it('bounds entries per key, dropping the oldest', () => {
    const store = new MemoryResolutionStore({ maxEntriesPerKey: 3 });
    for (let i = 0; i < 6; i++) store.add(answer({ name: `n${i}.example`, time: 1000 + ((i * 7) % 6) }));
    // times: n0 1000, n1 1001, n2 1002, n3 1003, n4 1004, n5 1005 in the order 0,1,2,3,4,5 -> keep the 3 newest
    const names = store
      .candidates('workstation5', '151.101.248.133')
      .map((e) => e.name)
      .sort();
    expect(names).toEqual(['n3.example', 'n4.example', 'n5.example']);
  });

  it('bounds the number of keys, dropping the least recently written', () => {
    const store = new MemoryResolutionStore({ maxKeys: 2 });
    store.add(answer({ ip: '1.1.1.1' }));
    store.add(answer({ ip: '2.2.2.2' }));
    store.add(answer({ ip: '1.1.1.1', time: 1_000_001 }));
    store.add(answer({ ip: '3.3.3.3' }));
    expect(store.size).toBe(2);
    expect(store.candidates('workstation5', '2.2.2.2')).toEqual([]);
    expect(store.candidates('workstation5', '1.1.1.1')).toHaveLength(1);
    expect(store.candidates('workstation5', '3.3.3.3')).toHaveLength(1);
  });

  it('keeps answers of any age until expireBefore, so one batch can mix recordings made years apart', async () => {
    const store = new MemoryResolutionStore();
    store.add(answer({ time: 0, name: 'old.example' }));
    store.add(answer({ time: 0, ip: '9.9.9.9' }));
    store.add(answer({ time: 400 * 24 * HOUR, name: 'new.example' }));
    expect(store.candidates('workstation5', '151.101.248.133').map((e) => e.name)).toEqual([
      'old.example',
      'new.example',
    ]);
    store.expireBefore(1);
    expect(store.candidates('workstation5', '151.101.248.133').map((e) => e.name)).toEqual(['new.example']);
    expect(await store.get([{ host: 'workstation5', ip: '9.9.9.9' }])).toEqual(new Map());
    expect(store.size).toBe(1);
  });

  it('get returns copies keyed by resolutionKey and omits keys with nothing', async () => {
    const store = new MemoryResolutionStore();
    await store.put([answer({})]);
    const found = await store.get([
      { host: 'workstation5', ip: '151.101.248.133' },
      { host: 'workstation5', ip: '10.0.0.1' },
    ]);
    expect([...found.keys()]).toEqual(['workstation5|151.101.248.133']);
    const entry = found.get('workstation5|151.101.248.133')?.[0];
    expect(entry).not.toBe(store.candidates('workstation5', '151.101.248.133')[0]);
    expect(entry?.name).toBe('raw.githubusercontent.com');
  });

  it('merges resolutions read from another store, keeping their firstTime', async () => {
    const remote = new MemoryResolutionStore();
    await remote.put([answer({ time: 1000 }), answer({ time: 5000, cnames: ['c.example'] })]);
    const found = await remote.get([{ host: 'workstation5', ip: '151.101.248.133' }]);
    const local = new MemoryResolutionStore();
    local.add(answer({ time: 3000 }));
    for (const resolution of found.get('workstation5|151.101.248.133') ?? []) {
      local.addResolution('workstation5', '151.101.248.133', resolution);
    }
    expect(local.candidates('workstation5', '151.101.248.133')).toEqual([
      expect.objectContaining({ time: 5000, firstTime: 1000, cnames: ['c.example'] }),
    ]);
  });

  it('ignores answers without a finite time', () => {
    const store = new MemoryResolutionStore();
    store.add(answer({ time: Number.NaN }));
    expect(store.size).toBe(0);
  });
});
