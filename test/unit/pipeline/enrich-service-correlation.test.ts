import { gunzipSync } from 'node:zlib';
import { MemoryCorrelationStore } from '../../../src/detection/correlation/index.js';
import { compileRules } from '../../../src/detection/index.js';
import { createHooks, planHooks } from '../../../src/hooks/index.js';
import { CommitLog } from '../../../src/pipeline/commit-log.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import {
  EnrichService,
  type EnrichServiceDependencies,
  MissingCorrelationStoreError,
} from '../../../src/pipeline/enrich-service.js';
import { MemoryCommitStore } from '../../../src/pipeline/memory-commit-store.js';
import type { ObjectWriter } from '../../../src/pipeline/ports.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { MemoryAlertDeduplicator } from '../../fakes/memory-alert-deduplicator.js';
import { MemoryObjectWriter } from '../../fakes/memory-object-writer.js';
import { RecordingAlertPublisher } from '../../fakes/recording-alert-publisher.js';
import { RecordingHoldQueue } from '../../fakes/recording-hold-queue.js';

const RULES = `title: Many Failed Logons
id: 7d2e4c1a-0b3f-4e5d-8c9a-1b2c3d4e5f60
correlation:
    type: event_count
    rules: [failed_logon]
    group-by: [TargetUserName]
    timespan: 10m
    condition:
        gte: 6
level: high
---
title: Failed Logon
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
`;

const SHARD = 'shardId-000000000001';
const START = Date.UTC(2026, 11, 2, 9);

function records(n: number): InputRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    origin: `${SHARD}/${100 + i}`,
    sequence: String(100 + i),
    arrival: START,
    data: new TextEncoder().encode(
      JSON.stringify({
        Hostname: 'DC01',
        Channel: 'Security',
        SourceName: 'Microsoft-Windows-Security-Auditing',
        EventID: 4625,
        TimeCreated: new Date(START + i * 10_000).toISOString(),
        TargetUserName: 'bob',
      }),
    ),
  }));
}

/** An object writer that fails every write once `failAfter` objects were written (a killed invocation). */
class FailingWriter implements ObjectWriter {
  constructor(
    readonly inner: MemoryObjectWriter,
    public failAfter = Number.POSITIVE_INFINITY,
  ) {}
  async put(key: string, body: Uint8Array, options: { contentType: string }) {
    if (this.failAfter-- <= 0) throw new Error('simulated timeout');
    await this.inner.put(key, body, options);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

function dependencies(writer: ObjectWriter, publisher: RecordingAlertPublisher): EnrichServiceDependencies {
  return {
    hooks: planHooks(createHooks()),
    enrichment: {},
    store: new MemoryStateStore(),
    rules: compileRules([{ file: 'mr.yml', text: RULES }]).ruleSet,
    writer,
    publisher,
    deduper: new MemoryAlertDeduplicator(),
    holds: new RecordingHoldQueue(),
    catchUp: { caughtUpTo: async () => START },
    commits: new CommitLog(new MemoryCommitStore()),
    now: () => START + 60_000,
    holdWindowMs: 30_000,
    maxHoldMs: 15 * 60_000,
    dedupeFields: ['host', 'destination'],
  };
}

function alertRows(writer: MemoryObjectWriter): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const [key, object] of writer.objects) {
    if (!key.startsWith('alerts/')) continue;
    for (const line of gunzipSync(object.body).toString('utf8').split('\n')) if (line) rows.push(JSON.parse(line));
  }
  return rows;
}

describe('EnrichService with correlation rules', () => {
  it('refuses to start without a correlation store', () => {
    const deps = dependencies(new MemoryObjectWriter(), new RecordingAlertPublisher());
    expect(() => new EnrichService(deps)).toThrow(MissingCorrelationStoreError);
  });

  it('alerts once when the batch that raised the alert failed after its first object and came back bisected', async () => {
    // Prepare: the state is shared by the attempts (DynamoDB in AWS); the first attempt dies after one object.
    const objects = new MemoryObjectWriter();
    const writer = new FailingWriter(objects, 1);
    const publisher = new RecordingAlertPublisher();
    const correlations = { store: new MemoryCorrelationStore(), toleranceMs: 60_000 };
    const deps = { ...dependencies(writer, publisher), correlations };
    const input = records(8);
    const batch = { shard: SHARD, leaseUntil: START + 120_000 };
    // Act
    await expect(new EnrichService(deps).processRecords(input, batch)).rejects.toThrow('simulated timeout');
    writer.failAfter = Number.POSITIVE_INFINITY;
    const retry = new EnrichService(deps);
    await retry.processRecords(input.slice(0, 4), batch);
    await retry.processRecords(input.slice(4), batch);
    // Assess: the 6th logon met the condition in the first attempt; its half raised the same alert again.
    const rows = alertRows(objects);
    expect(rows.map((row) => row.rule_title)).toEqual(['Many Failed Logons']);
    expect(rows[0]).toMatchObject({ correlation: { event_count: 6, group: { TargetUserName: 'bob' } } });
    expect(publisher.published.map((n) => n.subject)).toEqual([
      '[high] Many Failed Logons (TargetUserName=bob) on DC01',
    ]);
  });
});
