/**
 * Correlation rules in the deployed shape, on the emulators: the events of one correlation spread over three
 * shards and many small batches, one batch failing after the correlation state was saved (its alert object is
 * refused) and retried; the correlation alert is raised once (one alerts/ row, one notification), and its base rule
 * raises none; and the project beaconing rule over connections that are held, then named and released by the hold
 * queue. State: the de-dup table's `correlation|` items (DynamoDbCorrelationStore).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { CORRELATION_KEY_PREFIX } from '../../../src/pipeline/names.js';
import { S3RVER_CREDENTIALS } from '../../helpers/emulators.js';
import { attach, type Next } from '../../helpers/lambda-faults.js';
import { createFunctions, drainConsumers, drainHoldQueue } from '../../helpers/lambda-functions.js';
import { type LambdaHarness, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { testTempRoot } from '../../helpers/test-temp.js';
import { recording, withBeacon } from '../detection/correlation-recordings.js';

const CORRELATION_ID = '3a0c6f7e-2b1d-4e5f-9a8b-7c6d5e4f3a21';
const BASE_ID = '3a0c6f7e-2b1d-4e5f-9a8b-7c6d5e4f3a22';
const RULES = `title: Many Failed Logons For One User
id: ${CORRELATION_ID}
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        gte: 10
level: high
---
title: Failed Logon
id: ${BASE_ID}
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
level: low
`;

const T0 = Date.UTC(2026, 11, 1, 9);

/** 14 failed logons of bob 20 s apart (the 10th meets the condition), and 5 of alice (never enough). */
function logonRecords(): Uint8Array[] {
  const line = (i: number, user: string) =>
    JSON.stringify({
      Hostname: `DC0${i % 3}.corp.example`,
      Channel: 'Security',
      SourceName: 'Microsoft-Windows-Security-Auditing',
      EventID: 4625,
      TimeCreated: new Date(T0 + i * 20_000).toISOString(),
      TargetUserName: user,
      IpAddress: '10.0.0.9',
    });
  const lines = [
    ...Array.from({ length: 14 }, (_, i) => line(i, 'bob')),
    ...Array.from({ length: 5 }, (_, i) => line(i, 'alice')),
  ];
  return lines.map((text) => new TextEncoder().encode(text));
}

async function rulesDir(): Promise<string> {
  const dir = await mkdtemp(join(testTempRoot(), 'hookstream-correlation-rules-'));
  await writeFile(join(dir, 'mr_many_failed_logons.yml'), RULES);
  return dir;
}

describe('correlation rules across shards, batches and a retry', () => {
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 3 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('raises the correlation alert once, although the batch that raised it failed after saving the state', async () => {
    // Prepare: every record on the stream, spread over the shards by partition key.
    const env = harness.env({ RULES_DIR: await rulesDir() });
    const clocks = { wall: Date.now, store: Date.now };
    const puts = await harness.putRecords(logonRecords(), (i) => `key-${i}`);
    expect(new Set(puts.map((p) => p.shardId)).size).toBeGreaterThan(1);
    // An S3 client that refuses the first alerts/ object: the batch that raised the alert fails after the
    // correlation state (with the alert in it) was saved, before anything was committed.
    const s3 = new S3Client({
      region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
      endpoint: harness.emulators.endpoints.s3,
      forcePathStyle: true,
    });
    let refused = 0;
    attach(s3, async (name, args, next: Next) => {
      const key = String((args.input as { Key?: string }).Key ?? '');
      if (name === 'PutObjectCommand' && key.startsWith('alerts/') && refused === 0) {
        refused++;
        throw Object.assign(new Error('injected: the invocation timed out'), { name: 'InvocationKilled' });
      }
      return next(args);
    });
    const fns = createFunctions(harness, { env, clocks, clients: { s3 } });
    // Act: the shards one after another in batches of 2 (bob's 10th event comes late in some shard's order).
    const stats = await drainConsumers(harness.consumers('enrich', fns.enrich), 2);
    // Assess
    expect(refused).toBe(1);
    expect(stats.failedInvocations).toBe(1);
    expect(stats.invocations).toBeGreaterThan(6);
    const rows = (await harness.readJsonLines('alerts/')).flatMap((o) => o.rows);
    expect(rows.map((row) => row.rule_id)).toEqual([CORRELATION_ID]);
    expect(rows[0]).toMatchObject({
      level: 'high',
      correlation: { type: 'event_count', group: { TargetUserName: 'bob' }, event_count: 10, value: 10 },
    });
    const notifications = await harness.receiveAlerts(Number.POSITIVE_INFINITY, 1_500);
    expect(notifications.map((n) => n.subject)).toEqual([
      expect.stringMatching(/^\[high\] Many Failed Logons For One User \(TargetUserName=bob\) on DC0/),
    ]);
    // Every event written once; the state is in the de-dup table, one item per group that was fed.
    const events = (await harness.readJsonLines('events/')).flatMap((o) => o.rows);
    expect(events).toHaveLength(19);
    const items = await harness.scanTable(harness.env().DEDUPE_TABLE as string);
    const groups = items.filter((item) => item.dedupe_key?.S?.startsWith(CORRELATION_KEY_PREFIX));
    expect(groups).toHaveLength(2);
  });
});

const BEACON_ID = '87ee1cda-eb87-493e-839e-4d0c2393a508'; // rules/windows/correlation/mr_beaconing_resolved_hostname.yml

describeUnless(missing(OTRF_DIR))('the project beaconing rule through held connections', () => {
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 3 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('raises one beaconing alert when the connections are named only after their hold, on several shards', async () => {
    // Prepare: psh_cmstp_execution_bypassuac with its powershell.exe connection repeated every minute, one record
    // per line, at random over the shards; the project's rules.
    const env = harness.env({
      RULES_DIR: join(process.cwd(), 'rules'),
      RETENTION_HOURS: '26280',
      HOLD_WINDOW_SECONDS: '1',
    });
    const clocks = { wall: Date.now, store: () => Date.parse('2020-10-23T00:00:00Z') };
    const lines = withBeacon(recording('psh_cmstp_execution_bypassuac.zip'));
    await harness.putRecords(
      lines.map((line) => new TextEncoder().encode(JSON.stringify(line))),
      'random',
    );
    const fns = createFunctions(harness, { env, clocks });
    // Act: the enrich consumer first (fresh connections are held), then the answers, then the hold queue.
    await drainConsumers(harness.consumers('enrich', fns.enrich), 100);
    await drainConsumers(harness.consumers('dns-answers', fns.dnsAnswers), 500);
    const poller = harness.holdPoller(fns.hold);
    await drainHoldQueue(poller);
    // Assess: the connections were held, and the correlation counted them once named.
    expect(poller.deliveries).toBeGreaterThanOrEqual(9);
    const rows = (await harness.readJsonLines('alerts/')).flatMap((o) => o.rows);
    const beacons = rows.filter((row) => row.rule_id === BEACON_ID);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]).toMatchObject({
      correlation: {
        type: 'event_count',
        event_count: 5,
        group: { DestinationHostname: 'raw.githubusercontent.com', Computer: 'workstation5' },
      },
    });
    const subjects = (await harness.receiveAlerts(Number.POSITIVE_INFINITY, 1_500)).map((n) => n.subject ?? '');
    expect(subjects.filter((s) => s.includes('Process Beaconing To A Resolved Hostname'))).toHaveLength(1);
  });
});
