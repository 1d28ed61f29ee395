import { jest } from '@jest/globals';
/**
 * The enrich use case over in-memory ports: when a connection is final and when it is held, how held connections
 * come back, and that a retried batch writes the same objects and notifies once.
 */
import { compileRules } from '../../../src/detection/index.js';
import { answersFromEvent } from '../../../src/dns/answers-from-event.js';
import { MemoryResolutionStore } from '../../../src/dns/memory-resolution-store.js';
import { readRecord } from '../../../src/events/read-record.js';
import { createHooks, planHooks } from '../../../src/hooks/index.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { EnrichService } from '../../../src/pipeline/enrich-service.js';
import type { CatchUpOracle } from '../../../src/pipeline/ports.js';
import { MemoryAlertDeduplicator } from '../../fakes/memory-alert-deduplicator.js';
import { MemoryObjectWriter } from '../../fakes/memory-object-writer.js';
import { RecordingAlertPublisher } from '../../fakes/recording-alert-publisher.js';
import { RecordingHoldQueue } from '../../fakes/recording-hold-queue.js';

const RULE = `
title: PowerShell To Raw GitHub Content
id: 5f0c6c36-5d0e-4f0a-9d43-0a4f1a3c2b10
status: test
level: high
logsource: { category: network_connection, product: windows }
detection:
  selection:
    Image|endswith: '\\powershell.exe'
    DestinationHostname: raw.githubusercontent.com
  condition: selection
`;

const GUID = '{39e4a257-1e6c-5f91-c712-000000000700}';
const T0 = Date.UTC(2020, 9, 22, 5, 54, 21, 520);

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

function sysmon(eventId: number, time: number, data: Record<string, string>): Uint8Array {
  const event = {
    Event: {
      System: {
        Provider: { Name: 'Microsoft-Windows-Sysmon' },
        EventID: eventId,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'WORKSTATION5',
      },
      EventData: { UtcTime: utc(time), ProcessGuid: GUID, ProcessId: '6708', ...data },
    },
  };
  return new TextEncoder().encode(JSON.stringify(event));
}

const connection = (time = T0) =>
  sysmon(3, time, {
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    DestinationIp: '151.101.248.133',
    DestinationPort: '443',
    DestinationHostname: '-',
    SourcePort: '52094',
  });
const answer = (time = T0 + 5, guid = GUID) =>
  sysmon(22, time, {
    ProcessGuid: guid,
    QueryName: 'raw.githubusercontent.com',
    QueryStatus: '0',
    QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
  });

function record(data: Uint8Array, sequence: number, arrival: number): InputRecord {
  return { origin: `shardId-000000000000/${sequence}`, data, arrival };
}

function setUp(caughtUpTo: number) {
  const store = new MemoryResolutionStore();
  const writer = new MemoryObjectWriter();
  const publisher = new RecordingAlertPublisher();
  const deduper = new MemoryAlertDeduplicator();
  const holds = new RecordingHoldQueue();
  const oracle = { caughtUpTo: async () => caughtUpTo } satisfies CatchUpOracle;
  let now = 1_000_000;
  const service = new EnrichService({
    hooks: planHooks(createHooks()),
    enrichment: {},
    store,
    directStore: store,
    rules: compileRules([{ file: 'rule.yml', text: RULE }]).ruleSet,
    writer,
    publisher,
    deduper,
    holds,
    catchUp: oracle,
    now: () => now,
    holdWindowMs: 30_000,
    maxHoldMs: 15 * 60_000,
    dedupeFields: ['host', 'destination'],
  });
  return { service, store, writer, publisher, holds, oracle, advance: (ms: number) => (now += ms) };
}

describe('EnrichService', () => {
  it('writes a connection named by its own process at once, with its alert', async () => {
    // Prepare: the DNS consumer is far behind; the answer is in the same batch.
    const { service, writer, publisher, holds } = setUp(0);
    // Act
    const summary = await service.processRecords([record(connection(), 1, 500), record(answer(), 2, 501)], 'b1');
    // Assess
    expect(summary).toMatchObject({ read: 2, written: 2, held: 0 });
    expect(summary.connections).toMatchObject({ enriched: 1, bySource: { 'dns-process': 1 } });
    expect(holds.holds).toEqual([]);
    expect(publisher.calls.flat().map((n) => n.subject)).toEqual([
      '[high] PowerShell To Raw GitHub Content by powershell.exe on WORKSTATION5',
    ]);
    expect([...writer.objects.keys()].sort()).toEqual([
      'alerts/dt=2020-10-22/hour=05/b1.json.gz',
      'events/dt=2020-10-22/hour=05/b1.json.gz',
    ]);
  });

  it('holds an unresolved connection while the DNS consumer is behind, and counts it once, when released', async () => {
    // Prepare
    const { service, store, writer, publisher, holds } = setUp(0);
    // Act: the connection alone; its answer reaches the stream on another shard later.
    const first = await service.processRecords([record(connection(), 1, 500)], 'b1');
    // Assess: held, not written, not counted yet.
    expect(first).toMatchObject({ read: 1, written: 0, held: 1 });
    expect(first.connections.total).toBe(0);
    expect(writer.objects.size).toBe(0);
    const held = holds.holds[0]?.items ?? [];
    expect(held).toHaveLength(1);
    expect(held[0]?.event.data.DestinationHostname).toBe('-');
    expect(held[0]?.event.data.DestinationHostnameOriginal).toBeUndefined();
    // Act: the dns-answers function writes the answer; the held connection comes back.
    const outcome = readRecord(answer())[0];
    if (outcome?.kind !== 'event') throw new Error('the answer fixture does not normalise');
    await store.put(answersFromEvent(outcome.event));
    const second = await service.recheck(held, 'held-1');
    // Assess
    expect(second).toMatchObject({ read: 1, written: 1, held: 0 });
    expect(second.connections).toMatchObject({ total: 1, enriched: 1 });
    expect(publisher.calls.flat()).toHaveLength(1);
    expect([...writer.objects.keys()]).toContain('events/dt=2020-10-22/hour=05/held-1.json.gz');
  });

  it('writes an unresolved connection at once when the DNS consumer has caught up past its hold window', async () => {
    const { service, holds } = setUp(500 + 30_000);
    const summary = await service.processRecords([record(connection(), 1, 500)], 'b1');
    expect(summary).toMatchObject({ written: 1, held: 0 });
    expect(summary.connections).toMatchObject({ total: 1, unresolved: 1 });
    expect(holds.holds).toEqual([]);
  });

  it('holds a connection whose hold window has not passed yet without asking how far the DNS consumer is', async () => {
    const { service, holds, oracle } = setUp(Number.POSITIVE_INFINITY);
    const asked = jest.spyOn(oracle, 'caughtUpTo');
    const summary = await service.processRecords([record(connection(), 1, 1_000_000 - 1_000)], 'b1');
    expect(summary).toMatchObject({ written: 0, held: 1 });
    expect(holds.holds).toHaveLength(1);
    expect(asked).not.toHaveBeenCalled();
  });

  it('holds a connection named only host-wide until the DNS consumer has caught up', async () => {
    const { service } = setUp(0);
    const other = '{39e4a257-0000-0000-0000-000000000001}';
    const summary = await service.processRecords(
      [record(answer(T0 - 1000, other), 1, 400), record(connection(), 2, 500)],
      'b1',
    );
    expect(summary).toMatchObject({ written: 1, held: 1 });
  });

  it('releases a held connection unresolved after the maximum hold', async () => {
    const { service, holds, advance } = setUp(0);
    await service.processRecords([record(connection(), 1, 500)], 'b1');
    advance(15 * 60_000);
    const summary = await service.recheck(holds.holds[0]?.items ?? [], 'held-1');
    expect(summary).toMatchObject({ written: 1, held: 0, holdExpired: 1 });
    expect(summary.connections).toMatchObject({ unresolved: 1 });
  });

  it('writes the same objects and notifies once when the same batch is retried', async () => {
    const { service, writer, publisher } = setUp(0);
    const batch = [record(connection(), 1, 500), record(answer(), 2, 501)];
    await service.processRecords(batch, 'b1');
    const first = new Map([...writer.objects].map(([key, object]) => [key, Buffer.from(object.body).toString('hex')]));
    await service.processRecords(batch, 'b1');
    const second = new Map([...writer.objects].map(([key, object]) => [key, Buffer.from(object.body).toString('hex')]));
    expect(second).toEqual(first);
    expect(writer.puts.length).toBe(4);
    expect(publisher.calls.flat()).toHaveLength(1);
  });
});
