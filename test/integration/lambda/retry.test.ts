/**
 * Exactly once on the emulators, whatever Lambda does to a batch (docs/lambda.md, "Exactly once"):
 * - the same Kinesis event delivered again after it succeeded writes and alerts nothing more;
 * - a batch that failed after writing some of its objects, then retried bisected (as BisectBatchOnFunctionError
 *   does after a timeout), leaves no stale object: every event once, every alert once;
 * - a batch that held connections and failed before its commit, delivered again after the hold window (when on
 *   its own it would write them at once), leaves them to its hold messages: written once;
 * - a hold message delivered twice, whose first copy wrote one connection and held the other again, is finished
 *   once: each connection written once.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { readRecord } from '../../../src/events/read-record.js';
import { decodeBatch } from '../../../src/pipeline/decode-batch.js';
import { encodeHoldMessages } from '../../../src/pipeline/held-codec.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import type { HeldConnection } from '../../../src/pipeline/ports.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import { EMULATOR_CREDENTIALS, S3RVER_CREDENTIALS } from '../../helpers/emulators.js';
import { attach, type Next } from '../../helpers/lambda-faults.js';
import {
  createFunctions,
  drainConsumers,
  drainHoldQueue,
  type Functions,
  TEST_RULE_ID,
  writeTestRules,
} from '../../helpers/lambda-functions.js';
import {
  type LambdaHarness,
  lambdaContext,
  type StoredObject,
  startLambdaHarness,
} from '../../helpers/lambda-harness.js';
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
const STORE_NOW = Date.parse('2020-10-23T00:00:00Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inputRecords(): Uint8Array[] {
  return [...otrfRecords('psh_cmstp_execution_bypassuac.zip'), ...seedRecords(), unresolvedConnectionRecord()];
}

/** Event identities the input holds (a multiset), to compare with what is in events/. */
function expectedIds(records: readonly Uint8Array[]): Map<string, number> {
  const { events } = decodeBatch(
    records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
    emptySummary(),
  );
  return countBy(
    events.map(({ event }) => eventIdOfRow(toOutputRecord(event))),
    (id) => id,
  );
}

/** Identities written a number of times other than the input holds them. */
async function wrongCounts(harness: LambdaHarness, records: readonly Uint8Array[]): Promise<[string, number][]> {
  const rows = (await harness.readJsonLines('events/')).flatMap((o) => o.rows);
  const wanted = expectedIds(records);
  const got = countBy(rows, eventIdOfRow);
  const ids = new Set([...wanted.keys(), ...got.keys()]);
  return [...ids].filter((id) => wanted.get(id) !== got.get(id)).map((id) => [id, got.get(id) ?? 0]);
}

/** Alert rows by rule id + event identity, counted. */
async function alertCounts(harness: LambdaHarness): Promise<Map<string, number>> {
  const rows = (await harness.readJsonLines('alerts/')).flatMap((o) => o.rows);
  return countBy(rows, (row) => `${row.rule_id}|${eventIdOfRow(row.event as Record<string, unknown>)}`);
}

interface Setup {
  harness: LambdaHarness;
  records: Uint8Array[];
  event: KinesisStreamEvent;
  functions: (clients?: Parameters<typeof createFunctions>[1]['clients']) => Functions;
  wall: { now: number | undefined };
}

/** One shard, every answer in the table first (the DNS consumer caught up), the whole input as one Kinesis event. */
async function setUp(): Promise<Setup> {
  const harness = await startLambdaHarness({ shards: 1 });
  const records = inputRecords();
  const env = harness.env({
    RULES_DIR: await writeTestRules(),
    RETENTION_HOURS: String(RETENTION_HOURS),
    HOLD_WINDOW_SECONDS: '1',
  });
  const wall: { now: number | undefined } = { now: undefined };
  const clocks = { wall: () => wall.now ?? Date.now(), store: () => STORE_NOW };
  const functions = (clients?: Parameters<typeof createFunctions>[1]['clients']) =>
    createFunctions(harness, { env, clocks, clients });
  await harness.putRecords(records, 'random');
  await drainConsumers(harness.consumers('dns-answers', functions().dnsAnswers), 500);
  const event = await harness.readEvent(harness.shardIds[0] as string, 10_000);
  expect(event.Records).toHaveLength(records.length);
  return { harness, records, event, functions, wall };
}

function slice(event: KinesisStreamEvent, start: number, end?: number): KinesisStreamEvent {
  return { Records: event.Records.slice(start, end) };
}

async function invoke(fn: Functions['enrich'], event: KinesisStreamEvent): Promise<number> {
  const response = await fn(event, lambdaContext('enrich'));
  return response.batchItemFailures.length;
}

function snapshot(objects: readonly StoredObject[]): Map<string, string> {
  return new Map(objects.map((o) => [o.key, o.body.toString('base64')]));
}

describeIfData('exactly once on the emulators', () => {
  it('writes and alerts nothing more when a batch that succeeded is delivered again', async () => {
    const { harness, records, event, functions } = await setUp();
    try {
      const fns = functions();
      expect(await invoke(fns.enrich, event)).toBe(0);
      await drainHoldQueue(harness.holdPoller(fns.hold));
      const first = snapshot(await harness.readObjects(''));
      const firstAlerts = await harness.receiveAlerts();
      // Act: the same event again, to a new container.
      expect(await invoke(functions().enrich, event)).toBe(0);
      expect(snapshot(await harness.readObjects(''))).toEqual(first);
      expect(await harness.receiveAlerts(Number.POSITIVE_INFINITY, 1_500)).toEqual([]);
      expect(firstAlerts.map((a) => a.attributes.rule_id)).toEqual([TEST_RULE_ID]);
      expect(await wrongCounts(harness, records)).toEqual([]);
    } finally {
      await harness.stop();
    }
  });

  it('leaves no stale object when a batch fails after a partial write and is retried bisected', async () => {
    const { harness, records, event, functions } = await setUp();
    try {
      // Prepare: an S3 client that lets the first two PutObjects of output through, then fails for good.
      const s3 = new S3Client({
        region: 'us-east-1',
        credentials: S3RVER_CREDENTIALS,
        endpoint: harness.emulators.endpoints.s3,
        forcePathStyle: true,
      });
      let outputPuts = 0;
      attach(s3, async (name, args, next: Next) => {
        const key = String((args.input as { Key?: string }).Key ?? '');
        if (name === 'PutObjectCommand' && !key.startsWith('_state/') && ++outputPuts > 2) {
          throw Object.assign(new Error('injected: the invocation timed out'), { name: 'InvocationKilled' });
        }
        return next(args);
      });
      // Act: the first attempt writes two objects and fails.
      expect(await invoke(functions({ s3 }).enrich, event)).toBe(records.length);
      const partial = (await harness.readObjects('')).filter((o) => !o.key.startsWith('_state/'));
      expect(partial.length).toBe(2);
      // Lambda bisects the batch; a new container handles each half.
      const half = Math.floor(event.Records.length / 2);
      const fns = functions();
      expect(await invoke(fns.enrich, slice(event, 0, half))).toBe(0);
      expect(await invoke(fns.enrich, slice(event, half))).toBe(0);
      await drainHoldQueue(harness.holdPoller(fns.hold));
      // Assess
      expect(await wrongCounts(harness, records)).toEqual([]);
      const alerts = await alertCounts(harness);
      expect([...alerts.values()].every((n) => n === 1)).toBe(true);
      expect(alerts.size).toBeGreaterThan(0);
      expect(await harness.receiveAlerts()).toHaveLength(1);
    } finally {
      await harness.stop();
    }
  });

  it('writes a held connection once when its batch failed before the commit and comes back after the hold window', async () => {
    const { harness, records, event, functions, wall } = await setUp();
    try {
      // Prepare: a DynamoDB client whose first commit (the PutItem that closes the attempt) fails for good.
      const dynamodb = new DynamoDBClient({
        region: 'us-east-1',
        credentials: EMULATOR_CREDENTIALS,
        endpoint: harness.emulators.endpoints.dynamodb,
      });
      let commitsFailed = 0;
      attach(dynamodb, async (name, args, next: Next) => {
        const item = (args.input as { Item?: Record<string, { S?: string; N?: string }> }).Item;
        const isCommit = item?.dedupe_key?.S?.startsWith('commit|stream/') && item.lease_until?.N === '0';
        if (name === 'PutItemCommand' && isCommit && commitsFailed === 0) {
          commitsFailed++;
          throw Object.assign(new Error('injected: the invocation timed out'), { name: 'InvocationKilled' });
        }
        return next(args);
      });
      // Act: the first attempt runs as the batch arrives (its clock at the oldest record's arrival, not at the end of
      // setUp, which can take longer than the 1 s hold window: then nothing is fresh and nothing is held), so it holds
      // every looked-up connection, sends its hold messages and dies before its commit.
      wall.now = Math.min(...event.Records.map((r) => Math.round(r.kinesis.approximateArrivalTimestamp * 1000)));
      expect(await invoke(functions({ dynamodb }).enrich, event)).toBe(records.length);
      expect(commitsFailed).toBe(1);
      // The retry comes after the hold window (the real clock, at least 1.5 s after the newest arrival): on its own it
      // would write those connections at once.
      await sleep(1_500);
      wall.now = undefined;
      const fns = functions();
      expect(await invoke(fns.enrich, event)).toBe(0);
      const poller = harness.holdPoller(fns.hold);
      await drainHoldQueue(poller);
      // Assess: the first attempt held connections, each hold body was sent twice (once per attempt: the retry sends
      // the inherited ones again), and every connection is written once.
      expect(poller.distinct.size).toBeGreaterThan(0);
      expect(poller.deliveries).toBeGreaterThanOrEqual(2 * poller.distinct.size);
      expect(await wrongCounts(harness, records)).toEqual([]);
      expect(await harness.receiveAlerts()).toHaveLength(1);
    } finally {
      await harness.stop();
    }
  });

  it('finishes a hold message delivered twice once, although its first copy held one connection again', async () => {
    const { harness, functions } = await setUp();
    try {
      // Prepare: two connections in one hold message; one's hold window has passed, the other's has not yet.
      const now = Date.now();
      const connections = [
        unresolvedConnectionRecord('198.51.100.8', '50010'),
        unresolvedConnectionRecord('198.51.100.9', '50011'),
      ];
      const items: HeldConnection[] = connections.map((data, i) => {
        const outcome = readRecord(data)[0];
        if (outcome?.kind !== 'event') throw new Error('fixture does not normalise');
        return {
          id: `test/${i}#0`,
          event: outcome.event,
          origin: `test/${i}`,
          arrival: i === 0 ? now - 10_000 : now + 1_500,
          firstHeldAt: now - 10_000,
          round: 1,
        };
      });
      const [body] = encodeHoldMessages(items).bodies;
      // Act: the same body twice in the queue; the poller takes one message per invocation.
      for (let copy = 0; copy < 2; copy++) {
        await harness.clients.sqs.send(new SendMessageCommand({ QueueUrl: harness.holdQueueUrl, MessageBody: body }));
      }
      const fns = functions();
      const poller = harness.holdPoller(fns.hold);
      await poller.poll(1);
      await poller.poll(1);
      await drainHoldQueue(poller);
      // Assess
      const rows = (await harness.readJsonLines('events/')).flatMap((o) => o.rows);
      const ports = countBy(
        rows.filter((row) => String(row.SourcePort).startsWith('5001')),
        (row) => String(row.SourcePort),
      );
      expect(ports).toEqual(
        new Map([
          ['50010', 1],
          ['50011', 1],
        ]),
      );
      // 2 + 2 for the copies, then the connection held again (once or more, until its window passed).
      expect(poller.deliveries).toBeGreaterThanOrEqual(5);
    } finally {
      await harness.stop();
    }
  });
});
