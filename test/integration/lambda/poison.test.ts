/**
 * Poison records among ordinary ones, through the real handlers on the emulators (issue 9): a host name over 2,048
 * bytes, a DNS answer with 36,000 CNAME steps, a held connection with U+FFFF, two held connections too large for a
 * hold message, a gzip record of 2,000 held connections, an NDJSON record with a truncated line. Each once made a
 * function fail its whole batch forever. Now no batch fails, the ordinary records are written once, each poison
 * record is rejected with its reason and exact bytes or written as its limits say, and no alert is doubled.
 */

import { createEnrichmentContext } from '../../../src/hooks/enrichment-context.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import {
  createFunctions,
  drainConsumers,
  drainHoldQueue,
  replayRecords,
  writeTestRules,
} from '../../helpers/lambda-functions.js';
import { type LambdaHarness, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { countBy, eventIdOfRow, otrfRecords, seedRecords } from '../../helpers/lambda-records.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { hostileRecords } from '../../soak/hostile-records.js';

const describeIfData = describeUnless(missing(OTRF_DIR));

const RETENTION_HOURS = 26_280;
type Row = Record<string, unknown>;

describeIfData('poison records among ordinary ones', () => {
  let harness: LambdaHarness;
  // Read in beforeAll: a describe body runs even when skipped, and ../shared may be absent.
  let ordinary: Uint8Array[] = [];
  const hostile = hostileRecords({ time: Date.parse('2020-10-22T05:54:00Z'), tag: 'poison' });
  let events: Row[];
  let alerts: Row[];
  let rejected: Row[];
  let failedInvocations: number;
  let notifications: number;
  let expectedAlerts: Map<string, number>;

  beforeAll(async () => {
    ordinary = [...otrfRecords('psh_cmstp_execution_bypassuac.zip'), ...seedRecords()];
    harness = await startLambdaHarness({ shards: 2 });
    const rulesDir = await writeTestRules({ dnsQueries: true });
    const env = harness.env({
      RULES_DIR: rulesDir,
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    const storeNow = Date.parse('2020-10-23T00:00:00Z');
    const functions = createFunctions(harness, { env, clocks: { wall: Date.now, store: () => storeNow } });
    // The poison records in the middle of the ordinary ones; the two big connections share one shard.
    const middle = Math.floor(ordinary.length / 2);
    const records = [...ordinary.slice(0, middle), ...hostile.map((h) => h.data), ...ordinary.slice(middle)];
    const keys = [
      ...ordinary.slice(0, middle).map((_, i) => `o${i}`),
      ...hostile.map((h, i) => h.partitionKey ?? `h${i}`),
      ...ordinary.slice(middle).map((_, i) => `p${i}`),
    ];
    await harness.putRecords(records, (i) => keys[i] as string);
    // Act: the enrich consumer first (connections held), then the DNS consumer, then the hold queue.
    const stats = [
      await drainConsumers(harness.consumers('enrich', functions.enrich), 500, 50),
      await drainConsumers(harness.consumers('dns-answers', functions.dnsAnswers), 500, 50),
      await drainHoldQueue(harness.holdPoller(functions.hold), 180_000),
    ];
    failedInvocations = stats.reduce((n, s) => n + s.failedInvocations, 0);
    const objects = await harness.readJsonLines('');
    const rows = (area: string) => objects.filter((o) => o.key.startsWith(`${area}/`)).flatMap((o) => o.rows);
    events = rows('events');
    alerts = rows('alerts');
    rejected = rows('rejected');
    notifications = (await harness.receiveAlerts()).length;
    // What replay alerts on for the same input (one batch, same rules).
    const replay = await replayRecords(records, { rulesDir, retentionHours: RETENTION_HOURS });
    expectedAlerts = countBy(replay.detections, (d) => `${d.rule.id}|${eventIdOfRow(toOutputRecord(d.event))}`);
  }, 300_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('never fails a batch', () => {
    expect(failedInvocations).toBe(0);
  });

  it('writes every ordinary event once', async () => {
    const replay = await processBatch(
      ordinary.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
      { context: createEnrichmentContext({}) },
    );
    const wanted = countBy(
      replay.events.map(({ event }) => eventIdOfRow(toOutputRecord(event))),
      (id) => id,
    );
    const hostileHosts = new Set(hostile.map((h) => h.host.toLowerCase()));
    const got = countBy(
      events.filter((row) => !hostileHosts.has(String(row.host).toLowerCase())),
      eventIdOfRow,
    );
    expect([...wanted.values()].reduce((a, b) => a + b, 0)).toBe(ordinary.length);
    expect([...got].filter(([id, n]) => wanted.get(id) !== n)).toEqual([]);
    expect([...wanted].filter(([id]) => !got.has(id))).toEqual([]);
  });

  it.each(hostile.map((h) => [h.name, h] as const))('%s', (_name, record) => {
    const written = events.filter((row) => String(row.host).toLowerCase() === record.host.toLowerCase());
    expect(written).toHaveLength(record.events);
    const raws = rejected.map((row) => String(row.raw_base64));
    for (const raw of record.rejectedRaw) {
      const mine = rejected.filter((row) => row.raw_base64 === Buffer.from(raw).toString('base64'));
      expect(mine).toHaveLength(1);
      expect(String(mine[0]?.reason)).not.toBe('');
    }
    if (record.outcome === 'rejected') expect(raws).toContain(Buffer.from(record.data).toString('base64'));
  });

  it('rejects only what a limit or a bad line rejects, each once, with its reason', () => {
    const reasons = countBy(rejected, (row) => String(row.reason));
    expect(Object.fromEntries(reasons)).toEqual({ 'host name too long': 1, 'truncated JSON': 1 });
  });

  it('writes every alert replay raises once, and no other', () => {
    const got = countBy(alerts, (row) => `${row.rule_id}|${eventIdOfRow(row.event as Row)}`);
    expect(expectedAlerts.size).toBeGreaterThan(10);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expectedAlerts));
    // One notification per de-dup key (rule, host, destination) within the window.
    expect(notifications).toBe(new Set(alerts.map((row) => row.dedupe_key)).size);
  });
});
