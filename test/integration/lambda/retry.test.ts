/**
 * Retries as acceptance: the same Kinesis event handled twice (Lambda re-delivers a batch after a timeout or a
 * partial failure) leaves the same objects, byte for byte, and publishes nothing the second time.
 */
import { decodeBatch } from '../../../src/pipeline/decode-batch.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import {
  createFunctions,
  drainConsumers,
  drainHoldQueue,
  type Functions,
  writeTestRules,
} from '../../helpers/lambda-functions.js';
import {
  type LambdaHarness,
  lambdaContext,
  type ReceivedAlert,
  type StoredObject,
  startLambdaHarness,
} from '../../helpers/lambda-harness.js';
import { seededRandom } from '../../helpers/lambda-prng.js';
import {
  countBy,
  eventIdOfRow,
  otrfRecords,
  seedRecords,
  unresolvedConnectionRecord,
} from '../../helpers/lambda-records.js';
import { otrfAvailable } from '../../helpers/otrf.js';

const available = otrfAvailable();
if (!available) console.warn('SKIPPED lambda retry: ../shared/datasets/otrf is absent');
const describeIfData = available ? describe : describe.skip;

const RETENTION_HOURS = 26_280;

function snapshot(objects: readonly StoredObject[]): Map<string, { etag: string; body: string }> {
  return new Map(objects.map((o) => [o.key, { etag: o.etag, body: o.body.toString('base64') }]));
}

describeIfData('the enrich handler given the same Kinesis event twice', () => {
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 2 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  let records: Uint8Array[];
  let functions: Functions;
  let first: StoredObject[];
  let second: StoredObject[];
  let firstAlerts: ReceivedAlert[];
  let secondAlerts: ReceivedAlert[];

  beforeAll(async () => {
    // Prepare: every answer in the table before the enrich function runs.
    records = [...otrfRecords('psh_cmstp_execution_bypassuac.zip'), ...seedRecords(), unresolvedConnectionRecord()];
    const storeNow = Date.parse('2020-10-23T00:00:00Z');
    const env = harness.env({
      RULES_DIR: await writeTestRules(),
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    // The wall clock stands still across the two deliveries (1 ms apart), as if the retry came at once: both hold the
    // unresolved connection (its hold window has not passed).
    let frozen: number | undefined;
    const wall = () => frozen ?? Date.now();
    functions = createFunctions(harness, { env, clocks: { wall, store: () => storeNow } });
    await harness.putRecords(records, 'random', seededRandom(3));
    const putAt = Date.now();
    await drainConsumers(harness.consumers('dns-answers', functions.dnsAnswers), 500);
    const events = await Promise.all(harness.shardIds.map((shardId) => harness.readEvent(shardId, 10_000)));
    expect(events.reduce((n, e) => n + e.Records.length, 0)).toBe(records.length);

    // Act: first delivery
    frozen = putAt + 1;
    for (const event of events) {
      expect((await functions.enrich(event, lambdaContext('enrich'))).batchItemFailures).toEqual([]);
    }
    first = await harness.readObjects('');
    firstAlerts = await harness.receiveAlerts();
    // Act: the same events again
    frozen += 1;
    for (const event of events) {
      expect((await functions.enrich(event, lambdaContext('enrich'))).batchItemFailures).toEqual([]);
    }
    frozen = undefined;
    second = await harness.readObjects('');
    secondAlerts = await harness.receiveAlerts(Number.POSITIVE_INFINITY, 2_000);
  });

  it('leaves byte-identical objects (bytes and ETags) and sends no second alert', () => {
    expect(first.length).toBeGreaterThan(0);
    expect(snapshot(second)).toEqual(snapshot(first));
    expect(firstAlerts).toHaveLength(1);
    expect(secondAlerts).toEqual([]);
  });

  // Each delivery holds the unresolved connection; the two hold messages are byte-identical (the hold counts from
  // the record's arrival), and the hold handler names its objects after each message, so it is written once.
  it('writes a connection held by both deliveries once', async () => {
    const poller = harness.holdPoller(functions.hold);
    await drainHoldQueue(poller);
    expect(poller.distinct.size).toBeGreaterThan(0);
    expect(poller.deliveries).toBeGreaterThan(poller.distinct.size);
    const rows = (await harness.readJsonLines('events/')).flatMap((o) => o.rows);
    const expected = decodeBatch(
      records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
      emptySummary(),
    ).events.map(({ event }) => eventIdOfRow(toOutputRecord(event)));
    const wanted = countBy(expected, (id) => id);
    const wrong = [...countBy(rows, eventIdOfRow)].filter(([id, n]) => wanted.get(id) !== n);
    expect(wrong).toEqual([]);
  });
});
