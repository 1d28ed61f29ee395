import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { jest } from '@jest/globals';
/**
 * The enrich use case over in-memory ports: when a connection is final and when it is held, how held connections
 * come back, and exactly once whatever is done to a batch (retried, bisected after a partial write, delivered
 * again after its hold window; hold messages duplicated and partly held again).
 */
import { compileRules } from '../../../src/detection/index.js';
import { readRecord } from '../../../src/events/read-record.js';
import {
  createEnrichmentContext,
  createHooks,
  persistingHooks,
  persistPending,
  planHooks,
  runPicks,
} from '../../../src/hooks/index.js';
import {
  CommitLog,
  type CommitStore,
  ConcurrentAttemptError,
  type UnitRecord,
} from '../../../src/pipeline/commit-log.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { EnrichService } from '../../../src/pipeline/enrich-service.js';
import { decodeHeld } from '../../../src/pipeline/held-codec.js';
import { MemoryCommitStore } from '../../../src/pipeline/memory-commit-store.js';
import type { CatchUpOracle } from '../../../src/pipeline/ports.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
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
  condition: selection
`;

const GUID = '{39e4a257-1e6c-5f91-c712-000000000700}';
const T0 = Date.UTC(2020, 9, 22, 5, 54, 21, 520);
const HOUR = 3_600_000;
// The wall clock of the functions: after the events (2020), as a Kinesis arrival always is (see filedTime).
const START = Date.UTC(2026, 11, 2, 9);

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

const connection = (time = T0, sourcePort = '52094', extra: Record<string, string> = {}) =>
  sysmon(3, time, {
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    DestinationIp: '151.101.248.133',
    DestinationPort: '443',
    DestinationHostname: '-',
    SourcePort: sourcePort,
    ...extra,
  });
const answer = (time = T0 + 5, guid = GUID) =>
  sysmon(22, time, {
    ProcessGuid: guid,
    QueryName: 'raw.githubusercontent.com',
    QueryStatus: '0',
    QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
  });
const fileCreate = (time: number, name: string) => sysmon(11, time, { TargetFilename: `C:\\temp\\${name}` });

const SHARD = 'shardId-000000000000';

function record(data: Uint8Array, sequence: number, arrival: number): InputRecord {
  return { origin: `${SHARD}/${sequence}`, data, arrival, sequence: String(sequence) };
}

/** A commit store whose next saves can be made to fail, as a timeout or a crash between two writes would. */
class FaultyCommitStore implements CommitStore {
  readonly inner = new MemoryCommitStore();
  failSaves = 0;

  load(unit: string) {
    return this.inner.load(unit);
  }

  async save(unit: string, record: UnitRecord, expected: number): Promise<number> {
    // A commit (no open manifest) that fails: everything before it was written.
    if (this.failSaves > 0 && record.leaseUntil === 0) {
      this.failSaves--;
      throw new Error('simulated timeout before the commit');
    }
    return this.inner.save(unit, record, expected);
  }
}

function setUp(caughtUpTo: number) {
  const store = new MemoryStateStore();
  const writer = new MemoryObjectWriter();
  const publisher = new RecordingAlertPublisher();
  const deduper = new MemoryAlertDeduplicator();
  const holds = new RecordingHoldQueue();
  const commits = new FaultyCommitStore();
  const oracle = { caughtUpTo: async () => caughtUpTo } satisfies CatchUpOracle;
  const clock = { now: START };
  const service = new EnrichService({
    hooks: planHooks(createHooks()),
    enrichment: {},
    store,
    rules: compileRules([{ file: 'rule.yml', text: RULE }]).ruleSet,
    writer,
    publisher,
    deduper,
    holds,
    catchUp: oracle,
    commits: new CommitLog(commits),
    now: () => clock.now,
    holdWindowMs: 30_000,
    maxHoldMs: 15 * 60_000,
    dedupeFields: ['host', 'destination'],
  });
  const setCaughtUp = (to: number) => {
    oracle.caughtUpTo = async () => to;
  };
  const batch = (name: string) => ({ shard: SHARD, name, leaseUntil: clock.now + 60_000 });
  return { service, store, writer, publisher, holds, oracle, commits, clock, setCaughtUp, batch };
}

/** Every event line in `events/`, by source port (the fixtures' identity), counted. */
function writtenPorts(writer: MemoryObjectWriter, area = 'events'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [key, object] of writer.objects) {
    if (!key.startsWith(`${area}/`)) continue;
    for (const line of gunzipSync(object.body).toString('utf8').split('\n')) {
      if (line === '') continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      const event = (area === 'alerts' ? row.event : row) as Record<string, string>;
      const id = event.SourcePort ?? event.TargetFilename ?? event.QueryName ?? '?';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

async function putAnswer(store: MemoryStateStore, data: Uint8Array) {
  const outcome = readRecord(data)[0];
  if (outcome?.kind !== 'event') throw new Error('the answer fixture does not normalise');
  // What the dns-answers function does: the persisting hooks' picks, written to the store.
  const context = createEnrichmentContext({}, { collect: true });
  runPicks([outcome.event], persistingHooks(createHooks()), context);
  await persistPending(context, store);
}

async function deliverHolds(service: EnrichService, holds: RecordingHoldQueue, from = 0) {
  const bodies = holds.sent.slice(from).map((s) => s.body);
  for (const body of bodies) {
    const decoded = decodeHeld(body);
    if (!decoded.ok) throw new Error(decoded.reason);
    await service.recheck(decoded.items, { name: `held-${hash(body)}`, leaseUntil: 0, body });
  }
  return bodies.length;
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h.toString(16);
}

describe('EnrichService: when a connection is final', () => {
  it('holds a fresh connection even when its own process named it, then writes it with that name', async () => {
    // Prepare: a newer answer of the same process could still be on its way from another shard.
    const { service, store, writer, publisher, holds, clock, setCaughtUp } = setUp(0);
    // Act
    const first = await service.processRecords(
      [record(connection(), 1, START - 500), record(answer(), 2, START - 499)],
      { shard: SHARD, name: 'b1', leaseUntil: 0 },
    );
    await putAnswer(store, answer()); // what the dns-answers function does with the same records
    clock.now += 30_000;
    setCaughtUp(clock.now);
    await deliverHolds(service, holds);
    // Assess
    expect(first).toMatchObject({ read: 2, written: 1, held: 1 });
    expect(writtenPorts(writer)).toEqual(
      new Map([
        ['52094', 1],
        ['raw.githubusercontent.com', 1],
      ]),
    );
    const row = [...writer.objects.entries()].find(([key]) => key.includes('held-'));
    expect(gunzipSync(row?.[1].body ?? new Uint8Array()).toString()).toContain(
      '"DestinationHostnameSource":"dns-process"',
    );
    expect(publisher.published).toHaveLength(1);
  });

  it('names a held connection from an answer written after it was held, and counts it once', async () => {
    const { service, store, writer, holds, clock, setCaughtUp, batch } = setUp(0);
    const first = await service.processRecords([record(connection(), 1, START - 500)], batch('b1'));
    expect(first).toMatchObject({ read: 1, written: 0, held: 1 });
    expect(first.connections.total).toBe(0);
    expect(holds.items[0]?.event.data.DestinationHostname).toBe('-');
    await putAnswer(store, answer());
    clock.now += 30_000;
    setCaughtUp(clock.now);
    const body = holds.sent[0]?.body ?? '';
    const second = await service.recheck(holds.items, { name: 'held-1', leaseUntil: 0, body });
    expect(second).toMatchObject({ read: 1, written: 1, held: 0 });
    expect(second.connections).toMatchObject({ total: 1, enriched: 1 });
    expect([...writer.objects.keys()]).toContain('events/dt=2020-10-22/hour=05/held-1.json.gz');
  });

  it('writes an unresolved connection at once when the DNS consumer has caught up past its hold window', async () => {
    const { service, holds, batch } = setUp(START);
    const summary = await service.processRecords([record(connection(), 1, START - 30_000)], batch('b1'));
    expect(summary).toMatchObject({ written: 1, held: 0 });
    expect(summary.connections).toMatchObject({ total: 1, unresolved: 1 });
    expect(holds.sent).toEqual([]);
  });

  it('holds a connection whose hold window has not passed without asking how far the DNS consumer is', async () => {
    const { service, holds, oracle, batch } = setUp(Number.POSITIVE_INFINITY);
    const asked = jest.spyOn(oracle, 'caughtUpTo');
    const summary = await service.processRecords([record(connection(), 1, START - 1_000)], batch('b1'));
    expect(summary).toMatchObject({ written: 0, held: 1 });
    expect(holds.sent).toHaveLength(1);
    expect(asked).not.toHaveBeenCalled();
  });

  it('holds a connection again as a new message, which is not taken for a duplicate of the first', async () => {
    const { service, writer, holds, clock, setCaughtUp, batch } = setUp(0);
    await service.processRecords([record(connection(T0, '31'), 1, START - 500)], batch('b1'));
    clock.now += 30_000;
    const again = await deliverHolds(service, holds);
    expect(holds.sent).toHaveLength(2);
    expect(holds.sent[1]?.body).not.toBe(holds.sent[0]?.body);
    setCaughtUp(clock.now);
    await deliverHolds(service, holds, again);
    expect(writtenPorts(writer).get('31')).toBe(1);
  });

  it('releases a held connection unresolved after the maximum hold', async () => {
    const { service, holds, clock, batch } = setUp(0);
    await service.processRecords([record(connection(), 1, START - 500)], batch('b1'));
    clock.now += 15 * 60_000;
    const body = holds.sent[0]?.body ?? '';
    const summary = await service.recheck(holds.items, { name: 'held-1', leaseUntil: 0, body });
    expect(summary).toMatchObject({ written: 1, held: 0, holdExpired: 1 });
    expect(summary.connections).toMatchObject({ unresolved: 1 });
  });

  it('finalises a connection too large for any hold message at once, and counts it', async () => {
    const { service, writer, holds, batch } = setUp(0);
    // Seven fields of 30,000 characters: each under the field limit, together over a hold message even compressed
    // (base64 of a sha256 chain: gzip cannot shrink it to 3/4, which base64 undoes).
    const noise = (seed: string) => {
      let text = '';
      for (let block = seed; text.length < 30_000; text += block) {
        block = createHash('sha256').update(block).digest('base64');
      }
      return text.slice(0, 30_000);
    };
    const padding = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`Padding${n}`, noise(`p${n}`)]));
    const big = connection(T0, '50001', padding);
    const summary = await service.processRecords([record(big, 1, START - 500)], batch('b1'));
    expect(summary).toMatchObject({ written: 1, held: 0 });
    expect(summary.trimmed.holdTooLarge).toBe(1);
    expect(holds.sent).toEqual([]);
    expect(writtenPorts(writer).get('50001')).toBe(1);
  });

  it('sends a held connection holding U+FFFF in a body without the raw character, and gets it back equal', async () => {
    const { service, holds, batch } = setUp(0);
    await service.processRecords([record(connection(T0, '50002', { User: 'a\uffffb' }), 1, START - 500)], batch('b1'));
    const body = holds.sent[0]?.body ?? '';
    expect(body).not.toMatch(/\uffff/);
    // v3: the list is gzip in base64, ASCII only, whatever the strings hold.
    expect(body).toMatch(/^\{"v":3,"gz":"[A-Za-z0-9+/]+={0,2}"\}$/);
    expect(holds.items[0]?.event.data.User).toBe('a\uffffb');
  });
});

describe('EnrichService: exactly once', () => {
  it('skips records an earlier delivery committed: the same batch again writes and notifies nothing more', async () => {
    const { service, writer, publisher, batch } = setUp(START);
    const records = [record(connection(T0, '1'), 1, START - 40_000), record(fileCreate(T0, 'a'), 2, START - 40_000)];
    await service.processRecords(records, batch('b1'));
    const puts = writer.puts.length;
    const again = await service.processRecords(records, batch('b1'));
    expect(again.retries.committedSkipped).toBe(2);
    expect(writer.puts.length).toBe(puts);
    expect(publisher.published).toHaveLength(1);
  });

  it('never overwrites the objects of committed records with a delivery that starts with them', async () => {
    // Prepare: records 1-2 committed; then a delivery of 1-4 (Lambda rewinding, or a late duplicate).
    const { service, writer, batch } = setUp(START);
    const records = [1, 2, 3, 4].map((n) => record(fileCreate(T0, `f${n}`), n, START - 40_000));
    await service.processRecords(records.slice(0, 2), batch('first'));
    const again = await service.processRecords(records, batch('first'));
    expect(again.retries.committedSkipped).toBe(2);
    expect(writtenPorts(writer)).toEqual(new Map([1, 2, 3, 4].map((n) => [`C:\\temp\\f${n}`, 1] as [string, number])));
  });

  it('deletes the stale objects of an attempt bisected after a partial write: every event once', async () => {
    // Prepare: four records in two event hours; the first attempt writes its objects, then dies before committing.
    const { service, writer, publisher, commits, batch } = setUp(START);
    const records = [
      record(connection(T0, '1'), 1, START - 40_000),
      record(fileCreate(T0, 'a'), 2, START - 40_000),
      record(connection(T0 + HOUR, '2'), 3, START - 40_000),
      record(fileCreate(T0 + HOUR, 'b'), 4, START - 40_000),
    ];
    commits.failSaves = 1;
    await expect(service.processRecords(records, batch(`${SHARD}-1`))).rejects.toThrow('simulated timeout');
    expect(writtenPorts(writer).get('2')).toBe(1);
    // Act: Lambda bisects: the first half, then the second half.
    const firstHalf = await service.processRecords(records.slice(0, 2), batch(`${SHARD}-1`));
    await service.processRecords(records.slice(2), batch(`${SHARD}-3`));
    // Assess
    expect(firstHalf.retries.staleObjectsDeleted).toBeGreaterThan(0);
    expect(writtenPorts(writer)).toEqual(
      new Map([
        ['1', 1],
        ['2', 1],
        ['C:\\temp\\a', 1],
        ['C:\\temp\\b', 1],
      ]),
    );
    expect(writtenPorts(writer, 'alerts')).toEqual(
      new Map([
        ['1', 1],
        ['2', 1],
      ]),
    );
    // Same rule, host and destination: one notification per de-dup window.
    expect(publisher.published).toHaveLength(1);
  });

  it('writes a held connection once when its batch is retried after the hold window', async () => {
    // Prepare: the first attempt holds the connection, sends the hold, then dies before committing.
    const { service, writer, holds, commits, clock, setCaughtUp, batch } = setUp(0);
    const records = [record(connection(T0, '7'), 1, START - 500), record(fileCreate(T0, 'c'), 2, START - 500)];
    commits.failSaves = 1;
    await expect(service.processRecords(records, batch('b1'))).rejects.toThrow('simulated timeout');
    expect(holds.sent).toHaveLength(1);
    // Act: the retry comes after the hold window, when the DNS consumer has caught up: on its own it would write
    // the connection at once, and the hold message would write it again.
    clock.now += 60_000;
    setCaughtUp(clock.now);
    const retry = await service.processRecords(records, batch('b1'));
    const delivered = await deliverHolds(service, holds);
    // Assess: the body was sent again (identical), and the connection is written once.
    expect(retry.retries.inheritedHolds).toBe(1);
    expect(delivered).toBe(2);
    expect(holds.sent[1]?.body).toBe(holds.sent[0]?.body);
    expect(writtenPorts(writer)).toEqual(
      new Map([
        ['7', 1],
        ['C:\\temp\\c', 1],
      ]),
    );
  });

  it('carries held connections past a bisected commit: the other half does not write them again', async () => {
    const { service, writer, holds, commits, clock, setCaughtUp, batch } = setUp(0);
    const records = [record(fileCreate(T0, 'd'), 1, START - 500), record(connection(T0, '8'), 2, START - 500)];
    commits.failSaves = 1;
    await expect(service.processRecords(records, batch('b1'))).rejects.toThrow('simulated timeout');
    clock.now += 60_000;
    setCaughtUp(clock.now);
    await service.processRecords(records.slice(0, 1), batch('b1'));
    const second = await service.processRecords(records.slice(1), batch('b2'));
    await deliverHolds(service, holds);
    expect(second.retries.inheritedHolds).toBe(1);
    expect(writtenPorts(writer)).toEqual(
      new Map([
        ['8', 1],
        ['C:\\temp\\d', 1],
      ]),
    );
  });

  it('finishes a hold message delivered twice once, even when the first copy held part of it again', async () => {
    // Prepare: two connections held together; only the older one's hold window has passed at the first re-check.
    const { service, writer, holds, clock, setCaughtUp, batch } = setUp(0);
    await service.processRecords(
      [record(connection(T0, '11'), 1, START - 500), record(connection(T0, '12'), 2, START + 20_000)],
      batch('b1'),
    );
    expect(holds.sent).toHaveLength(1);
    const body = holds.sent[0]?.body ?? '';
    const items = holds.items;
    clock.now += 30_000;
    setCaughtUp(clock.now);
    // Act: the first copy writes one and holds the other again; the second copy comes when both could be final.
    const firstCopy = await service.recheck(items, { name: 'held-x', leaseUntil: 0, body });
    clock.now += 60_000;
    setCaughtUp(clock.now);
    const secondCopy = await service.recheck(items, { name: 'held-x', leaseUntil: 0, body });
    await deliverHolds(service, holds, 1);
    // Assess
    expect(firstCopy).toMatchObject({ written: 1, held: 1 });
    expect(secondCopy.retries.committedSkipped).toBe(2);
    expect(writtenPorts(writer)).toEqual(
      new Map([
        ['11', 1],
        ['12', 1],
      ]),
    );
  });

  it('ends the lease of a hold attempt that failed, so that its retry goes on at once and writes once', async () => {
    const { service, writer, holds, clock, setCaughtUp, batch } = setUp(0);
    await service.processRecords([record(connection(T0, '14'), 1, START - 500)], batch('b1'));
    const body = holds.sent[0]?.body ?? '';
    clock.now += 30_000;
    setCaughtUp(clock.now);
    writer.failWith = new Error('injected: S3 down');
    const message = { name: 'held-z', leaseUntil: clock.now + 120_000, body };
    await expect(service.recheck(holds.items, message)).rejects.toThrow('S3 down');
    writer.failWith = undefined;
    await expect(service.recheck(holds.items, message)).resolves.toMatchObject({ written: 1 });
    expect(writtenPorts(writer).get('14')).toBe(1);
  });

  it('makes a second copy of a hold message wait while the first copy may still be running', async () => {
    const { service, holds, clock, batch } = setUp(0);
    await service.processRecords([record(connection(T0, '13'), 1, START - 500)], batch('b1'));
    const body = holds.sent[0]?.body ?? '';
    // The first copy opens the unit and dies with a lease still running (its save of the commit fails).
    const log = (service as unknown as { deps: { commits: CommitLog } }).deps.commits;
    const attempt = await log.begin('hold/held-y', clock.now, { exclusive: true, ttlMs: 60_000 });
    await attempt.open({ objects: [], held: [], holdBodies: [] }, clock.now, clock.now + 60_000);
    await expect(service.recheck(holds.items, { name: 'held-y', leaseUntil: 0, body })).rejects.toBeInstanceOf(
      ConcurrentAttemptError,
    );
    clock.now += 61_000;
    await expect(service.recheck(holds.items, { name: 'held-y', leaseUntil: 0, body })).resolves.toMatchObject({
      read: 1,
    });
  });
});

describe('EnrichService: notifications when an invocation dies', () => {
  it('does not notify again when the invocation died after its notifications were published and marked', async () => {
    // Prepare: a publisher that publishes (and reports it), then never answers: Lambda kills the invocation.
    const { service, publisher, batch } = setUp(START);
    const records = [record(connection(T0, '41'), 1, START - 40_000)];
    const realPublish = publisher.publish.bind(publisher);
    publisher.publish = async (notifications, options) => {
      await realPublish(notifications, options);
      return new Promise(() => undefined);
    };
    void service.processRecords(records, batch('b1'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.published).toHaveLength(1);
    // Act: Lambda retries the batch.
    publisher.publish = realPublish;
    const retry = await service.processRecords(records, batch('b1'));
    // Assess
    expect(retry.alerts.suppressed).toBe(1);
    expect(publisher.published).toHaveLength(1);
  });

  it('notifies on retry what a failed publish did not send', async () => {
    const { service, publisher, batch } = setUp(START);
    const records = [record(connection(T0, '42'), 1, START - 40_000)];
    publisher.failWith = new Error('injected: SNS 500');
    await expect(service.processRecords(records, batch('b1'))).rejects.toThrow('SNS 500');
    publisher.failWith = undefined;
    await service.processRecords(records, batch('b1'));
    expect(publisher.published).toHaveLength(1);
  });
});

describe('EnrichService: a permanent refusal never fails the batch', () => {
  it('keeps a notification SNS refuses in rejected/ with its reason and the record, and writes the rest', async () => {
    const { service, writer, publisher, batch } = setUp(START);
    publisher.refuseSubjectsWith = 'powershell.exe';
    const summary = await service.processRecords([record(connection(T0, '21'), 1, START - 40_000)], batch('b1'));
    expect(summary.rejectedByReason).toEqual({ 'notification refused: InvalidParameter test refusal': 1 });
    expect(writtenPorts(writer).get('21')).toBe(1);
    const refused = [...writer.objects.entries()].find(([key]) => key.endsWith('-refused.json.gz'));
    const line = JSON.parse(gunzipSync(refused?.[1].body ?? new Uint8Array()).toString()) as Record<string, string>;
    expect(line.origin).toBe(`${SHARD}/1#0`);
    expect(Buffer.from(line.raw_base64 ?? '', 'base64')).toEqual(Buffer.from(connection(T0, '21')));
  });
});
