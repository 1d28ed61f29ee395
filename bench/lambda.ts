/**
 * The two Lambda handlers against the local emulators (test/helpers/lambda-harness.ts) over the OTRF recordings,
 * one Kinesis record per line, put on a 4-shard stream with random partition keys; the dns-answers consumer drains
 * first (batch size 500, as infra's DNS_SOURCE), then the enrich consumer (1000, as ENRICH_SOURCE), then the hold
 * queue. Figures: each handler's events/s against the emulators beside the same run's JSON.parse + stringify
 * baseline, and the DynamoDB (and Kinesis, for the catch-up oracle) requests per 1,000 events, by operation,
 * counted by a middleware on each function's own client.
 *
 * The emulators dominate the time (dynalite, kinesalite and s3rver are single-threaded JavaScript): the events/s
 * figures compare runs on one machine, not with AWS. The request counts are what AWS would bill.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EMULATOR_CREDENTIALS } from '../test/helpers/emulators.js';
import { createFunctions, drainConsumers, drainHoldQueue, writeTestRules } from '../test/helpers/lambda-functions.js';
import { startLambdaHarness } from '../test/helpers/lambda-harness.js';
import { seededRandom } from '../test/helpers/lambda-prng.js';
import { otrfRecords } from '../test/helpers/lambda-records.js';
import { otrfAvailable, otrfFiles, otrfToCanonical } from '../test/helpers/otrf.js';
import { type Figure, formatRate, measureBaseline } from './measure.js';

/** Covers 2019-03 .. 2020-10, so every recording's answers stay live under one store clock. */
const RETENTION_HOURS = 20_000;

/** Counts requests by operation name (logical requests: the `initialize` step runs once per command). */
function countRequests(client: { middlewareStack: { add: (m: never, o: never) => void } }): Map<string, number> {
  const counts = new Map<string, number>();
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'benchRequestCount' } as never);
  return counts;
}

function perThousand(counts: ReadonlyMap<string, number>, events: number): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, n]) => `${name} ${((1000 * n) / events).toFixed(1)}`);
  return `${((1000 * total) / events).toFixed(1)} (${parts.join(', ') || 'none'})`;
}

export async function benchLambda(files: readonly string[] = otrfFiles()): Promise<Figure[]> {
  if (!otrfAvailable()) return [{ name: 'skipped', value: '../shared/datasets/otrf is absent' }];
  const records = otrfRecords(...files);
  const baselineMs = measureBaseline(records);
  const times = records.flatMap((data) => {
    const time = otrfToCanonical(JSON.parse(Buffer.from(data).toString('utf8')))?.time;
    return time === undefined ? [] : [time];
  });
  const storeNow = Math.max(...times) + 3_600_000;
  const harness = await startLambdaHarness({ shards: 4 });
  try {
    const { endpoints } = harness.emulators;
    const region = 'us-east-1';
    const dnsDynamo = new DynamoDBClient({ region, credentials: EMULATOR_CREDENTIALS, endpoint: endpoints.dynamodb });
    const enrichDynamo = new DynamoDBClient({
      region,
      credentials: EMULATOR_CREDENTIALS,
      endpoint: endpoints.dynamodb,
    });
    const enrichKinesis = new KinesisClient({
      region,
      credentials: EMULATOR_CREDENTIALS,
      endpoint: endpoints.kinesis,
      requestHandler: new NodeHttpHandler(),
    });
    const dnsCounts = countRequests(dnsDynamo as never);
    const enrichCounts = countRequests(enrichDynamo as never);
    const kinesisCounts = countRequests(enrichKinesis as never);
    const env = harness.env({
      RULES_DIR: await writeTestRules(),
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    const clocks = { wall: Date.now, store: () => storeNow };
    const dnsFunctions = createFunctions(harness, { env, clocks, clients: { dynamodb: dnsDynamo } });
    const enrichFunctions = createFunctions(harness, {
      env,
      clocks,
      clients: { dynamodb: enrichDynamo, kinesis: enrichKinesis },
    });
    await harness.putRecords(records, 'random', seededRandom(1));

    let start = performance.now();
    const dns = await drainConsumers(harness.consumers('dns-answers', dnsFunctions.dnsAnswers), 500);
    const dnsMs = performance.now() - start;
    const dnsRequests = new Map(dnsCounts);
    start = performance.now();
    const enrich = await drainConsumers(harness.consumers('enrich', enrichFunctions.enrich), 1000);
    const enrichMs = performance.now() - start;
    const enrichRequests = new Map(enrichCounts);
    const kinesisRequests = new Map(kinesisCounts);
    const poller = harness.holdPoller(enrichFunctions.hold);
    await drainHoldQueue(poller);
    const holdRequests = new Map(
      [...enrichCounts]
        .map(([name, n]) => [name, n - (enrichRequests.get(name) ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );

    const n = records.length;
    const baselineRate = (n / baselineMs) * 1000;
    const dnsRate = (n / dnsMs) * 1000;
    const enrichRate = (n / enrichMs) * 1000;
    return [
      { name: 'input', value: `${n.toLocaleString('en-US')} records (${files.length} OTRF recordings, 4 shards)` },
      { name: 'baseline: JSON.parse + JSON.stringify', value: formatRate(baselineRate) },
      {
        name: 'dns-answers handler (emulators)',
        value: `${formatRate(dnsRate)} (${dns.invocations} batches of <= 500; ratio to baseline ${(dnsRate / baselineRate).toFixed(4)})`,
      },
      {
        name: 'enrich handler (emulators)',
        value: `${formatRate(enrichRate)} (${enrich.invocations} batches of <= 1000; ratio to baseline ${(enrichRate / baselineRate).toFixed(4)})`,
      },
      { name: 'DynamoDB requests / 1,000 events: dns-answers', value: perThousand(dnsRequests, n) },
      { name: 'DynamoDB requests / 1,000 events: enrich', value: perThousand(enrichRequests, n) },
      { name: 'Kinesis requests / 1,000 events: enrich catch-up', value: perThousand(kinesisRequests, n) },
      {
        name: 'held connections',
        value: `${poller.distinct.size} (${poller.deliveries} deliveries, ${poller.invocations} hold batches; DynamoDB ${[...holdRequests].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`,
      },
    ];
  } finally {
    await harness.stop();
  }
}
