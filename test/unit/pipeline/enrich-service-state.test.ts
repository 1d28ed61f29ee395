/**
 * Hook state across batches, through both Lambda use cases over in-memory ports: the dns-answers function reads the
 * keys its persisting hooks declare before picking, and the enrich functions write the state of the hooks that
 * declare `persistWhenEnriching` (only theirs), so the next batch of the shard reads it without the DNS function.
 */
import { compileRules } from '../../../src/detection/index.js';
import { SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { type AnyHook, createHooks, type Hook, planHooks } from '../../../src/hooks/index.js';
import { CommitLog } from '../../../src/pipeline/commit-log.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { DnsAnswersService } from '../../../src/pipeline/dns-answers-service.js';
import { EnrichService } from '../../../src/pipeline/enrich-service.js';
import { MemoryCommitStore } from '../../../src/pipeline/memory-commit-store.js';
import { MemoryWatermarkStore } from '../../../src/pipeline/memory-watermark-store.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import type { StateSchema } from '../../../src/state/state-store.js';
import { MemoryAlertDeduplicator } from '../../fakes/memory-alert-deduplicator.js';
import { MemoryObjectWriter } from '../../fakes/memory-object-writer.js';
import { RecordingAlertPublisher } from '../../fakes/recording-alert-publisher.js';
import { RecordingHoldQueue } from '../../fakes/recording-hold-queue.js';

const SHARD = 'shardId-000000000001';
const START = Date.UTC(2026, 11, 2, 9);

/** Per image, the depth of its chain (deepest wins): enough to see whether a pick saw an earlier batch's state. */
const DEPTH: StateSchema<number> = {
  prefix: 'depth',
  merge: (stored, incoming) => Math.max(stored ?? 0, incoming),
  expiresAt: () => Number.POSITIVE_INFINITY,
  equals: (a, b) => a === b,
  encode: (value) => value,
  decode: (encoded) => (typeof encoded === 'number' ? encoded : undefined),
};

/** Picks Sysmon 1: its image's depth is its parent image's + 1 (the parent read from the state). */
function depthHook(persistWhenEnriching: boolean): Hook<number, 'picked'> {
  return {
    name: 'depth',
    picks: [{ channel: SYSMON_CHANNEL, eventIds: [1] }],
    pokes: [],
    counters: ['picked'],
    state: {
      schema: DEPTH,
      persists: true,
      persistWhenEnriching,
      keysOf: (event) => [event.data.ParentImage ?? ''],
    },
    pick(event, { counters, state }) {
      counters.picked++;
      state.put(event.data.Image ?? '', (state.get(event.data.ParentImage ?? '') ?? 0) + 1);
    },
  };
}

function processCreate(image: string, parent: string, sequence: number): InputRecord {
  return {
    origin: `${SHARD}/${sequence}`,
    sequence: String(sequence),
    arrival: START,
    data: new TextEncoder().encode(
      JSON.stringify({
        Hostname: 'WS01',
        Channel: SYSMON_CHANNEL,
        SourceName: 'Microsoft-Windows-Sysmon',
        EventID: 1,
        TimeCreated: new Date(START + sequence).toISOString(),
        Image: image,
        ParentImage: parent,
      }),
    ),
  };
}

function enrichService(hooks: AnyHook[], store: MemoryStateStore): EnrichService {
  return new EnrichService({
    hooks: planHooks(hooks),
    enrichment: {},
    store,
    rules: compileRules([]).ruleSet,
    writer: new MemoryObjectWriter(),
    publisher: new RecordingAlertPublisher(),
    deduper: new MemoryAlertDeduplicator(),
    holds: new RecordingHoldQueue(),
    catchUp: { caughtUpTo: async () => START },
    commits: new CommitLog(new MemoryCommitStore()),
    now: () => START + 60_000,
    holdWindowMs: 30_000,
    maxHoldMs: 15 * 60_000,
    dedupeFields: ['host'],
  });
}

describe('hook state across batches', () => {
  it('dns-answers function: a pick reads what an earlier batch persisted (the keys its hook declares)', async () => {
    // Prepare
    const store = new MemoryStateStore();
    const service = new DnsAnswersService({
      hooks: [...createHooks({}, ['dns-answers', 'netconn-hostname']), depthHook(false)],
      store,
      watermarks: new MemoryWatermarkStore(),
    });
    // Act: a -> b -> c, one event per batch.
    await service.processRecords([processCreate('b.exe', 'a.exe', 1)], []);
    await service.processRecords([processCreate('c.exe', 'b.exe', 2)], []);
    // Assess
    expect(Object.fromEntries(await store.get(DEPTH, ['b.exe', 'c.exe']))).toEqual({ 'b.exe': 1, 'c.exe': 2 });
  });

  it('enrich function: writes the state of a hook with persistWhenEnriching, and only of such hooks', async () => {
    const written = new MemoryStateStore();
    const writing = enrichService([...createHooks({}, ['dns-answers', 'netconn-hostname']), depthHook(true)], written);
    await writing.processRecords([processCreate('b.exe', 'a.exe', 1)], { shard: SHARD, leaseUntil: START + 1 });
    await writing.processRecords([processCreate('c.exe', 'b.exe', 2)], { shard: SHARD, leaseUntil: START + 1 });
    expect(Object.fromEntries(await written.get(DEPTH, ['b.exe', 'c.exe']))).toEqual({ 'b.exe': 1, 'c.exe': 2 });

    const untouched = new MemoryStateStore();
    const reading = enrichService(
      [...createHooks({}, ['dns-answers', 'netconn-hostname']), depthHook(false)],
      untouched,
    );
    const summary = await reading.processRecords([processCreate('b.exe', 'a.exe', 1)], {
      shard: SHARD,
      leaseUntil: START + 1,
    });
    expect(summary.hooks.depth).toEqual({ picked: 1 });
    expect((await untouched.get(DEPTH, ['b.exe'])).size).toBe(0);
  });
});
