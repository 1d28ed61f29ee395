import { DynamoDbCorrelationStore } from '../../../lambda/adapters/dynamodb-correlation-store.js';
import {
  type CorrelationStore,
  correlate,
  type GroupState,
  MemoryCorrelationStore,
} from '../../../src/detection/correlation/index.js';
import { compileRules } from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { TABLE_KEYS } from '../../../src/pipeline/names.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

// One semantics per port: every case runs against every CorrelationStore.

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const NOW = Date.parse('2026-12-02T06:00:00Z');

let emulators: Emulators;
let tables = 0;

beforeAll(async () => {
  emulators = await startEmulators({ services: ['dynamodb'] });
});

afterAll(async () => {
  await emulators?.stop();
});

async function dynamoDbStore(clock: () => number): Promise<CorrelationStore> {
  const tableName = `hookstream-alert-dedupe-correlation-${++tables}`;
  await emulators.createTable(tableName, TABLE_KEYS.dedupe);
  return new DynamoDbCorrelationStore({ client: emulators.clients.dynamodb, tableName, retry: fast, clock });
}

function state(ids: string[]): GroupState {
  return {
    contributions: ids.map((id, i) => ({ id, time: NOW - 60_000 + i, rule: 0, value: `v${i}` })),
    newest: NOW - 60_000 + ids.length - 1,
    spans: [[NOW - 180_000, NOW - 120_000]],
    fired: [{ trigger: ids[0] ?? 'x', start: NOW - 60_000, end: NOW, value: 3, ids, count: ids.length }],
  };
}

const RULES = `title: Many failed logons
id: 0e95725d-7320-415d-80f7-004da920fc11
correlation:
    type: event_count
    rules: [failed_logon]
    group-by: [User]
    timespan: 10m
    condition:
        gte: 10
---
title: Failed logon
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
`;

const logon = (i: number): CanonicalEvent => ({
  host: 'DC01',
  channel: 'Security',
  provider: 'Microsoft-Windows-Security-Auditing',
  eventId: 4625,
  time: NOW + i * 1000,
  format: 'evtx-json',
  data: { User: 'bob' },
});

describe.each([
  ['MemoryCorrelationStore', async (clock: () => number) => new MemoryCorrelationStore(clock)],
  ['DynamoDbCorrelationStore', dynamoDbStore],
] as Array<[string, (clock: () => number) => Promise<CorrelationStore>]>)('%s', (_name, create) => {
  let clock: number;
  let store: CorrelationStore;

  beforeEach(async () => {
    clock = NOW;
    store = await create(() => clock);
  });

  it('loads nothing for groups never saved', async () => {
    expect(await store.load(['a|1', 'b|2'])).toEqual(new Map());
  });

  it('saves a new group, loads it with version 1, and only the keys that exist', async () => {
    const s = state(['shardId-000000000001/4959#0', 'Grüße 東京 🚨 "quoted" \\ \u0000']);
    expect(await store.save('k|1', s, 0, NOW + 3_600_000)).toBe(true);
    const loaded = await store.load(['k|1', 'k|2']);
    expect([...loaded.keys()]).toEqual(['k|1']);
    expect(loaded.get('k|1')).toEqual({ state: s, version: 1 });
  });

  it('refuses a save on a stale version or a second creation, and accepts the current version', async () => {
    await store.save('k', state(['a']), 0, NOW + 60_000);
    expect(await store.save('k', state(['b']), 0, NOW + 60_000)).toBe(false);
    expect(await store.save('k', state(['c']), 1, NOW + 60_000)).toBe(true);
    expect(await store.save('k', state(['d']), 1, NOW + 60_000)).toBe(false);
    const loaded = (await store.load(['k'])).get('k');
    expect(loaded?.version).toBe(2);
    expect(loaded?.state.contributions.map((c) => c.id)).toEqual(['c']);
  });

  it('forgets a group once its expiry passed, and it can be created again', async () => {
    await store.save('k', state(['a']), 0, NOW + 60_000);
    clock = NOW + 61_000;
    expect(await store.load(['k'])).toEqual(new Map());
    expect(await store.save('k', state(['b']), 0, NOW + 120_000)).toBe(true);
    expect((await store.load(['k'])).get('k')?.state.contributions[0]?.id).toBe('b');
  });

  it('does not lose a contribution when two batches update one group at once', async () => {
    const { ruleSet } = compileRules([{ file: 'mr.yml', text: RULES }]);
    const set = ruleSet.correlations!;
    const matches = Array.from({ length: 10 }, (_, i) => {
      const event = logon(i);
      return { rule: ruleSet.matchAll(event)[0]!.rule, event, id: `shard-${i % 2}/${i}#0`, ref: i };
    });
    const options = { store, toleranceMs: 60_000, now: NOW, flush: false };
    // Two shards, five events each, at the same time: one save loses the race and applies its events again.
    const [a, b] = await Promise.all([
      correlate(
        set,
        matches.filter((m) => m.ref % 2 === 0),
        options,
      ),
      correlate(
        set,
        matches.filter((m) => m.ref % 2 === 1),
        options,
      ),
    ]);
    expect([...a.alerts, ...b.alerts]).toHaveLength(1);
    expect([...a.alerts, ...b.alerts][0]?.count).toBe(10);
    // And the retry of either batch gives no new alert and counts nothing again.
    const again = await correlate(
      set,
      matches.filter((m) => m.ref % 2 === 0),
      options,
    );
    expect(again.counts.added).toBe(0);
    expect(again.alerts.map((x) => x.occurrenceId)).toEqual(a.alerts.map((x) => x.occurrenceId));
  });
});
