/**
 * Fault injection as acceptance: DynamoDB throttling (BatchGetItem, PutItem), S3 500s and SNS PublishBatch
 * failures (whole requests and single entries) in seeded bursts, some longer than the adapters' retries, so whole
 * batches fail and the simulated event source mappings (and the hold queue) retry them. After the retries, every
 * record is in S3 exactly once (or in rejected/), every match is in alerts/ once, and every alert was sent once.
 *
 * HOOKSTREAM_FAULT_SEED=<n> picks the fault schedule (printed).
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { faultyClients } from '../../helpers/lambda-faults.js';
import {
  createFunctions,
  type DrainStats,
  drainConsumers,
  drainHoldQueue,
  replayRecords,
  TEST_RULE_ID,
  writeTestRules,
} from '../../helpers/lambda-functions.js';
import { type LambdaHarness, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { seededRandom, seedFrom } from '../../helpers/lambda-prng.js';
import {
  countBy,
  eventIdOfRow,
  otrfRecords,
  seedRecords,
  unresolvedConnectionRecord,
} from '../../helpers/lambda-records.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';

const describeIfData = describeUnless(missing(OTRF_DIR));

const RETENTION_HOURS = 26_280;
const INVALID = new Uint8Array(readFileSync(resolve('events/invalid/truncated-json.json')));
const RATES = { BatchGetItemCommand: 0.3, PutItemCommand: 0.3, PutObjectCommand: 0.15, PublishBatchCommand: 0.4 };

type Row = Record<string, unknown>;

describeIfData('the handlers under injected dependency faults', () => {
  const seed = seedFrom('HOOKSTREAM_FAULT_SEED');
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 3 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('reports batch item failures, and after the retries writes and alerts exactly once', async () => {
    // Prepare
    const random = seededRandom(seed);
    const records = [
      ...otrfRecords('psh_cmstp_execution_bypassuac.zip'),
      ...seedRecords(),
      unresolvedConnectionRecord(),
      INVALID,
    ];
    const rulesDir = await writeTestRules({ dnsQueries: true });
    const replay = await replayRecords(records, { rulesDir, retentionHours: RETENTION_HOURS });
    const storeNow = Math.max(...replay.events.map(({ event }) => event.time)) + 3_600_000;
    const env = harness.env({
      RULES_DIR: rulesDir,
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    const { clients, injector } = faultyClients(harness, random, RATES);
    const functions = createFunctions(harness, { env, clients, clocks: { wall: Date.now, store: () => storeNow } });
    await harness.putRecords(records, 'random', random);
    const batchSize = () => 1 + Math.floor(random() * 200);

    // Act: the enrich consumer first (connections are held), then the DNS consumer, the enrich consumer again
    // (nothing left), then the hold queue; every loop retries failed batches.
    const stats: DrainStats[] = [];
    stats.push(await drainConsumers(harness.consumers('enrich', functions.enrich), batchSize));
    stats.push(await drainConsumers(harness.consumers('dns-answers', functions.dnsAnswers), batchSize));
    const hold = harness.holdPoller(functions.hold);
    stats.push(await drainHoldQueue(hold));

    // Assess
    const objects = await harness.readJsonLines('');
    const rowsOf = (area: string) => objects.filter((o) => o.key.startsWith(`${area}/`)).flatMap((o) => o.rows);
    const events = rowsOf('events');
    const alerts = rowsOf('alerts');
    const rejected = rowsOf('rejected');
    const notifications = await harness.receiveAlerts();
    const failedBatches = stats.reduce((n, s) => n + s.failedInvocations, 0);
    const invocations = stats.reduce((n, s) => n + s.invocations, 0);
    console.log(
      `lambda faults: seed ${seed} (HOOKSTREAM_FAULT_SEED), ${records.length} records, ${invocations} invocations, ` +
        `${failedBatches} answered with batch item failures; injected ${JSON.stringify(Object.fromEntries(injector.injected))}; ` +
        `${events.length} events, ${alerts.length} alerts, ${notifications.length} notifications, ${hold.distinct.size} held`,
    );
    expect(failedBatches).toBeGreaterThan(0);
    for (const name of ['BatchGetItemCommand', 'PutObjectCommand', 'PublishBatchCommand'])
      expect(injector.injected.get(name)).toBeGreaterThan(0);
    // Every event exactly once, enriched as replay enriches it.
    const want = countBy(
      replay.events.map(({ event }) => toOutputRecord(event)),
      (row) => `${eventIdOfRow(row)}|${row.DestinationHostname ?? ''}`,
    );
    expect(countBy(events, (row) => `${eventIdOfRow(row)}|${row.DestinationHostname ?? ''}`)).toEqual(want);
    expect(rejected).toHaveLength(1);
    expect(Buffer.from(String(rejected[0]?.raw_base64), 'base64')).toEqual(Buffer.from(INVALID));
    // Every match once in alerts/.
    const matchId = (ruleId: unknown, event: Row) => `${ruleId}|${eventIdOfRow(event)}`;
    expect(countBy(alerts, (row) => matchId(row.rule_id, row.event as Row))).toEqual(
      countBy(replay.detections, (d) => matchId(d.rule.id, toOutputRecord(d.event))),
    );
    expect(alerts.some((row) => row.rule_id === TEST_RULE_ID)).toBe(true);
    // Every alert sent once: one notification per dedupe key (all in one de-duplication window).
    const keyOf = (message: string) => (JSON.parse(message.slice(message.lastIndexOf('\n') + 1)) as Row).dedupe_key;
    const sent = countBy(notifications, (n) => String(keyOf(n.message)));
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect([...sent.keys()].sort()).toEqual([...new Set(alerts.map((row) => String(row.dedupe_key)))].sort());
  });
});
