/**
 * Both functions end to end on the emulators: records put with random partition keys on 3 shards, read by
 * simulated event source mappings, the hold queue polled until empty; then what each function wrote is read back.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MissingConfigurationError } from '../../../lambda/config.js';
import { createDnsAnswersService } from '../../../lambda/dns-answers/dependencies.js';
import { createHandler as createDnsAnswersHandler } from '../../../lambda/dns-answers/handler.js';
import { createEnrichService } from '../../../lambda/enrich/dependencies.js';
import { createHandler as createEnrichHandler } from '../../../lambda/enrich/handler.js';
import { answersFromEvent } from '../../../src/dns/answers-from-event.js';
import { RESOLUTION_PREFIX, resolutionKey } from '../../../src/dns/resolution-state.js';
import { hostKey } from '../../../src/events/canonical-event.js';
import { decodeBatch } from '../../../src/pipeline/decode-batch.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { partitionOf } from '../../../src/pipeline/partition.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import {
  createFunctions,
  drainConsumers,
  drainHoldQueue,
  TEST_RULE_ID,
  TEST_RULE_TITLE,
  writeTestRules,
} from '../../helpers/lambda-functions.js';
import {
  type LambdaHarness,
  lambdaContext,
  NAMES,
  type ReceivedAlert,
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
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';

const describeIfData = describeUnless(missing(OTRF_DIR));

/** Three years: the seed scenario (2018) and the recording (2020) live in one table. */
const RETENTION_HOURS = 26_280;
const RETENTION_MS = RETENTION_HOURS * 3_600_000;
const INVALID = new Uint8Array(readFileSync(resolve('events/invalid/not-json.json')));

/** A connection dated 2099 (a host clock set ahead, or forged), to a private address so nothing names or holds it. */
function futureRecord(): Uint8Array {
  const [line] = readFileSync(resolve('events/ndjson/sysmon3-three-shippers.ndjson'), 'utf8').split('\n');
  const document = JSON.parse(line as string);
  document.Event.EventData.UtcTime = '2099-01-01 03:00:00.000';
  document.Event.EventData.DestinationIp = '10.9.9.9';
  document.Event.EventData.SourcePort = '60999';
  document.Event.System.TimeCreated = { SystemTime: '2099-01-01T03:00:00.000Z' };
  return new TextEncoder().encode(JSON.stringify(document));
}

type Row = Record<string, unknown>;

describeIfData('the dns-answers and enrich handlers on the emulators', () => {
  let harness: LambdaHarness;
  let records: Uint8Array[];
  let storeNow: number;
  let events: Row[];
  let alertRows: Row[];
  let rejectedRows: Row[];
  let eventKeys: string[];
  let notifications: ReceivedAlert[];
  let heldOrigins: ReadonlySet<string>;

  beforeAll(async () => {
    // Prepare
    harness = await startLambdaHarness({ shards: 3 });
    records = [
      ...otrfRecords('psh_cmstp_execution_bypassuac.zip'),
      ...seedRecords(),
      unresolvedConnectionRecord(),
      futureRecord(),
      INVALID,
    ];
    const decoded = decodeBatch(
      records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
      emptySummary(),
    );
    // The resolution table's clock inside the recordings: answers carry ttl = event time + retention.
    // (The connection dated 2099 left out: it is no clock of the recordings.)
    storeNow =
      Math.max(...decoded.events.map(({ event }) => event.time).filter((time) => time < Date.UTC(2099, 0, 1))) +
      3_600_000;
    const env = harness.env({
      RULES_DIR: await writeTestRules(),
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    const functions = createFunctions(harness, { env, clocks: { wall: Date.now, store: () => storeNow } });
    putAt = Date.now();
    await harness.putRecords(records, 'random', seededRandom(1));
    putUntil = Date.now();
    // Act: the enrich consumer first (the DNS consumer lags: connections are held), then the DNS consumer, then
    // the held connections come back.
    await drainConsumers(harness.consumers('enrich', functions.enrich), 100);
    await drainConsumers(harness.consumers('dns-answers', functions.dnsAnswers), 100);
    const poller = harness.holdPoller(functions.hold);
    await drainHoldQueue(poller);
    heldOrigins = poller.distinct;
    const objects = await harness.readJsonLines('');
    events = objects.filter((o) => o.key.startsWith('events/')).flatMap((o) => o.rows);
    alertRows = objects.filter((o) => o.key.startsWith('alerts/')).flatMap((o) => o.rows);
    rejectedRows = objects.filter((o) => o.key.startsWith('rejected/')).flatMap((o) => o.rows);
    eventKeys = objects.map((o) => o.key);
    eventKeys.sort();
    notifications = await harness.receiveAlerts();
    // The identities every output must hold exactly once.
    expectedEventIds = decoded.events.map(({ event }) => eventIdOfRow(toOutputRecord(event)));
    expectedAnswers = decoded.events.flatMap(({ event }) => answersFromEvent(event));
  });

  let putAt: number;
  let putUntil: number;
  let expectedEventIds: string[];
  let expectedAnswers: ReturnType<typeof answersFromEvent>;

  afterAll(async () => {
    await harness?.stop();
  });

  it('stores every DNS answer under dns|<host>|<ip> with its names and ttl = newest event time + retention', async () => {
    const items = await harness.scanTable(NAMES.resolutionTable);
    const expected = new Map<string, { names: Set<string>; latest: number }>();
    for (const answer of expectedAnswers) {
      const key = resolutionKey(answer.host, answer.ip);
      const entry = expected.get(key) ?? { names: new Set<string>(), latest: 0 };
      entry.names.add(answer.name);
      entry.latest = Math.max(entry.latest, answer.time);
      expected.set(key, entry);
    }
    // The resolution state's items (other hooks' states share the table under their own prefixes).
    const resolutions = items.filter((item) => item.pk?.S?.startsWith(`${RESOLUTION_PREFIX}|`));
    const stored = new Map(
      resolutions.map((item) => [
        // `dns|<host>|<ip>`: the resolution state's prefix, then its key.
        (item.pk?.S ?? '').slice(`${RESOLUTION_PREFIX}|`.length),
        {
          names: new Set((JSON.parse(item.value?.S ?? '[]') as { name: string }[]).map((n) => n.name)),
          ttl: Number(item.ttl?.N),
        },
      ]),
    );
    expect(expected.size).toBeGreaterThanOrEqual(7);
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const got = stored.get(key);
      expect(got?.names).toEqual(want.names);
      expect(got?.ttl).toBe(Math.ceil((want.latest + RETENTION_MS) / 1000));
    }
    expect(stored.get(resolutionKey('workstation5', '151.101.248.133'))?.names.has('raw.githubusercontent.com')).toBe(
      true,
    );
    expect(stored.get(resolutionKey(hostKey('DESKTOP-5SUA567'), '13.74.179.117'))?.names).toEqual(
      new Set(['sls.update.microsoft.com']),
    );
  });

  it('writes every event exactly once under events/dt=.../hour=.../*.json.gz', () => {
    expect(
      eventKeys
        .filter((k) => k.startsWith('events/'))
        .every((k) => /^events\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[^/]+\.json\.gz$/.test(k)),
    ).toBe(true);
    expect(events).toHaveLength(expectedEventIds.length);
    expect(countBy(events, eventIdOfRow)).toEqual(countBy(expectedEventIds, (id) => id));
  });

  it('writes the enriched connections: powershell.exe to raw.githubusercontent.com, and the seed scenario', () => {
    const powershell = events.filter((row) => row.DestinationIp === '151.101.248.133' && row.event_id === 3);
    expect(powershell).toHaveLength(1);
    expect(powershell[0]).toMatchObject({
      host: 'WORKSTATION5',
      UtcTime: '2020-10-22 05:54:21.520',
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameSource: 'dns-process',
      DestinationHostnameOriginal: '-',
    });
    const byIp = (ip: string) => events.filter((row) => row.DestinationIp === ip);
    expect(byIp('62.210.16.62')).toMatchObject([
      { DestinationHostname: 'rawsec.lu', DestinationHostnameOriginal: 'pf-lb-2.online.net' },
    ]);
    expect(byIp('13.74.179.117')).toMatchObject([{ DestinationHostname: 'sls.update.microsoft.com' }]);
    // Held (the DNS consumer had not run), then written once: named when an answer exists, else as it came.
    expect(heldOrigins.size).toBeGreaterThanOrEqual(4);
    const unresolved = byIp('198.51.100.7');
    expect(unresolved).toHaveLength(1);
    expect(unresolved[0]?.DestinationHostname).toBe('-');
    expect(unresolved[0]?.DestinationHostnameSource).toBeUndefined();
  });

  it('files an event dated in the future under the hour it arrived, its time kept', async () => {
    const objects = await harness.readJsonLines('events/');
    const filed = objects.filter((o) => o.rows.some((row) => row.SourcePort === '60999'));
    expect(filed).toHaveLength(1);
    expect(filed[0]?.rows.find((row) => row.SourcePort === '60999')?.time).toBe('2099-01-01T03:00:00.000Z');
    // The arrival's hour (kinesalite's arrival time of the put), not 2099, where Athena's projection looks.
    const hours = new Set([putAt, putUntil].map((t) => `events/${partitionOf(t)}/`));
    expect([...hours].some((prefix) => filed[0]?.key.startsWith(prefix))).toBe(true);
  });

  it('writes the match to alerts/ and publishes it once, with subject, body and attributes', () => {
    const matches = alertRows.filter((row) => row.rule_id === TEST_RULE_ID);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ host: 'WORKSTATION5', level: 'high', event_id: 3 });
    expect((matches[0]?.event as Row | undefined)?.DestinationHostname).toBe('raw.githubusercontent.com');
    expect(notifications).toHaveLength(1);
    const [alert] = notifications;
    expect(alert?.subject).toBe(`[high] ${TEST_RULE_TITLE} by powershell.exe on WORKSTATION5`);
    expect(alert?.message).toContain('Connects: raw.githubusercontent.com (151.101.248.133:443)');
    expect(alert?.message).toContain('Name from: dns-process');
    expect(alert?.attributes).toEqual({ level: 'high', rule_id: TEST_RULE_ID, host: 'WORKSTATION5' });
  });

  it('writes the invalid record to rejected/ with its reason and original bytes', () => {
    expect(rejectedRows).toHaveLength(1);
    const [row] = rejectedRows;
    expect(String(row?.reason)).not.toBe('');
    expect(String(row?.origin)).toMatch(/^shardId-\d+\/\d+$/);
    expect(Buffer.from(String(row?.raw_base64), 'base64')).toEqual(Buffer.from(INVALID));
  });

  describe('configuration errors', () => {
    const event = () => ({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'p',
            sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
            data: Buffer.from(records[0] as Uint8Array).toString('base64'),
            approximateArrivalTimestamp: Date.now() / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: 'shardId-000000000000:49590338271490256608559692538361571095921575989136588898',
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/x',
          awsRegion: 'us-east-1',
          eventSourceARN: harness.streamArn,
        },
      ],
    });
    const clocks = { wall: Date.now, store: Date.now };

    it('createEnrichService rejects a missing variable with MissingConfigurationError', async () => {
      const env = harness.env({ OUTPUT_BUCKET: undefined });

      const made = createEnrichService(env, harness.clients, clocks);

      await expect(made).rejects.toBeInstanceOf(MissingConfigurationError);
      await expect(made).rejects.toMatchObject({ variable: 'OUTPUT_BUCKET' });
    });

    it('the enrich handler throws instead of reporting success, on every invocation', async () => {
      const handler = createEnrichHandler(() =>
        createEnrichService(harness.env({ HOLD_QUEUE_URL: '' }), harness.clients, clocks),
      );

      await expect(handler(event() as never, lambdaContext('enrich'))).rejects.toBeInstanceOf(
        MissingConfigurationError,
      );
      await expect(handler(event() as never, lambdaContext('enrich'))).rejects.toThrow(/HOLD_QUEUE_URL/);
    });

    it('the dns-answers handler throws on a missing table name', async () => {
      const handler = createDnsAnswersHandler(() =>
        createDnsAnswersService(harness.env({ RESOLUTION_TABLE: undefined }), harness.clients.dynamodb, clocks),
      );

      await expect(handler(event() as never, lambdaContext('dns-answers'))).rejects.toThrow(/RESOLUTION_TABLE/);
    });
  });
});
