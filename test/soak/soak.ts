/**
 * One soak run (one seed): OTRF recordings, with the hostile records mixed in, put on the stream in chunks while
 * the dns-answers and enrich functions (the real handlers, on the in-process emulators) consume it through
 * simulated event source mappings that inject faults (mapping.ts, hold-mapping.ts, faults.ts); then every output
 * compared with replay (compare.ts). Used by `npm run soak` (run.ts) and the short version in `npm test`
 * (test/integration/lambda/soak.heavy.test.ts, run by `npm run test:full`).
 *
 * The schedule follows the consumer race test (test/integration/lambda/race.test.ts): puts, enrich steps, DNS
 * steps and hold polls interleaved at random, the DNS consumer stalling for random stretches and stalled at the end
 * while the enrich consumer finishes, so that connections wait in the hold queue. Records go on the stream in
 * event-time order across recordings, as live hosts ship them (the invariant of docs/late-answers.md).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { HOLD_MAX_RECEIVES, STREAM_RETRY } from '../../infra/constructs/pipeline-functions.js';
import { loadRules } from '../../lambda/rules.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { createFunctions, writeTestRules } from '../helpers/lambda-functions.js';
import { type LambdaHarness, startLambdaHarness } from '../helpers/lambda-harness.js';
import { randomInt, seededRandom } from '../helpers/lambda-prng.js';
import { otrfRecords } from '../helpers/lambda-records.js';
import { otrfToCanonical } from '../helpers/otrf.js';
import { type Comparison, compare } from './compare.js';
import { DependencyFaults, FaultLedger, type FaultRates } from './faults.js';
import { FunctionRuntime } from './function-runtime.js';
import { HoldMapping, type HoldStats } from './hold-mapping.js';
import { type HostileRecord, hostileRecords } from './hostile-records.js';
import {
  emptyMappingStats,
  type FailedBatch,
  KinesisMapping,
  type MappingChances,
  type MappingStats,
} from './mapping.js';
import { Redeliveries } from './redeliveries.js';
import { orderForHoldWindow } from './stream-order.js';

/** psh_cmstp + the four covenant recordings: 7,588 records, the race test's subset. */
export const SUBSET_FILES = [
  'psh_cmstp_execution_bypassuac.zip',
  'covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip',
  'covenant_getdomaingroup_ldap_searchrequest_domain_admins.zip',
  'covenant_psremoting_grunt.zip',
  'covenant_sc_query_dcerpc_smb_svcctl.zip',
];

/** Per-call chances that a burst of throttling or 5xx starts, per service. */
export const DEFAULT_RATES: FaultRates = { dynamodb: 0.02, s3: 0.03, sns: 0.05, sqs: 0.03, kinesis: 0.01 };

export interface SoakChances {
  enrich: MappingChances;
  dns: MappingChances;
  hold: { kill: number; concurrentCopy: number; lateCopy: number };
}

export const DEFAULT_CHANCES: SoakChances = {
  enrich: { kill: 0.04, duplicate: 0.03, lateDuplicate: 0.03, rewind: 0.02 },
  dns: { kill: 0.03, duplicate: 0.02, lateDuplicate: 0.02, rewind: 0.02 },
  hold: { kill: 0.05, concurrentCopy: 0.05, lateCopy: 0.08 },
};

export interface SoakOptions {
  seed: number;
  /** OTRF recordings (file names in ../shared/datasets/otrf). */
  files: readonly string[];
  /** Default 4. */
  shards?: number;
  /** HOLD_WINDOW_SECONDS. Default 2. */
  holdWindowSeconds?: number;
  rates?: FaultRates;
  chances?: SoakChances;
  /** The commands a kill counts as writes (e.g. only PublishBatchCommand, to kill right after notifying). */
  killWrites?: ReadonlySet<string>;
  /** Mix the hostile records in. Default true. */
  hostile?: boolean;
  /** Called once everything is drained, before the outputs are read (to dig into a failing seed). */
  afterDrain?: (harness: LambdaHarness) => Promise<void>;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export interface SoakResult {
  seed: number;
  files: readonly string[];
  records: { ordinary: number; hostile: number; lateAnswersMoved: number };
  /** Events replay writes for the same input: what the pipeline must write. */
  eventsIn: number;
  comparison: Comparison;
  failedBatches: FailedBatch[];
  mappings: { enrich: MappingStats; dns: MappingStats };
  hold: Omit<HoldStats, 'distinct'> & { distinct: number };
  redeliveries: { delivered: number; abandoned: number };
  functions: Record<
    string,
    { invocations: number; coldStarts: number; kills: number; deadlines: number; errors: number }
  >;
  faults: Record<string, number>;
  scheduleSteps: number;
  durationMs: number;
}

/** Covers 2019-03 .. 2020-10: every recording's answers stay live in one table under one store clock. */
const RETENTION_HOURS = 20_000;
/**
 * The stream functions' timeout: an invocation running longer is killed. Far above any healthy one on the
 * emulators (the stack gives 60 s and 120 s); their retries do not wait for it, stream units take no lease.
 */
const STREAM_DEADLINE_MS = 120_000;
/**
 * The hold function's timeout, scaled down from the stack's 120 s: a failed hold message comes back after it (its
 * attempt's lease), and the run cannot wait minutes per failure. Still far above a healthy hold invocation.
 */
const HOLD_DEADLINE_MS = 4_000;
/** The deadline of an invocation that is to be killed: its retry (after the deadline) comes soon. */
const KILL_DEADLINE_MS = 2_000;
/**
 * What a kill counts as writes: every call that changes state (objects, attempt manifests and commits, de-dup
 * claims, notifications, hold messages, answers, watermarks), so kills land between any two of them.
 */
const WRITES = new Set([
  'PutObjectCommand',
  'DeleteObjectCommand',
  'DeleteObjectsCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'BatchWriteItemCommand',
  'PublishBatchCommand',
  'SendMessageBatchCommand',
]);
/** The whole drain at the end; past it the run fails instead of hanging. */
const DRAIN_LIMIT_MS = 20 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const holdWindowMs = (options.holdWindowSeconds ?? 2) * 1000;
  const chances = options.chances ?? DEFAULT_CHANCES;

  // Prepare: the records, the hostile ones at random places (the two big ones side by side), their partition keys.
  const ordinary = otrfRecords(...options.files);
  const hostile = options.hostile === false ? [] : hostileRecords({ time: middleTime(ordinary) });
  const lookAheadMs = 5_000;
  const order = orderForHoldWindow(mixIn(ordinary, hostile, random), (slot) => slot.data, lookAheadMs);
  const slots = order.items;
  const records = slots.map((slot) => slot.data);

  const rulesDir = await writeTestRules({ dnsQueries: true });
  await writeSoakRule(rulesDir);
  const enrichment = { retentionMs: RETENTION_HOURS * 3_600_000, lookAheadMs, mode: 'replace' as const };
  const replayInput = slots.filter((slot) => slot.hostile?.outcome !== 'rejected').map((slot) => slot.data);
  const replay = await processBatch(
    replayInput.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
    {
      hooks: planHooks(createHooks(enrichment)),
      context: createEnrichmentContext(enrichment),
      rules: await loadRules(rulesDir, '/'),
    },
  );
  const storeNow = Math.max(...replay.events.map(({ event }) => event.time)) + 3_600_000;
  log(
    `seed ${options.seed}: ${records.length} records (${hostile.length} hostile), replay ${replay.events.length} events`,
  );

  const harness = await startLambdaHarness({ shards: options.shards ?? 4 });
  const runtimes: { stop(): void }[] = [];
  try {
    const env = harness.env({
      RULES_DIR: rulesDir,
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: String(holdWindowMs / 1000),
    });
    const clocks = { wall: Date.now, store: () => storeNow };
    const writes = options.killWrites ?? WRITES;
    const ledger = new FaultLedger();
    const faults = new DependencyFaults(random, options.rates ?? DEFAULT_RATES, ledger);
    const functions = (clients: Parameters<typeof createFunctions>[1]['clients']) =>
      createFunctions(harness, { env, clocks, clients });
    const dns = new FunctionRuntime({
      name: 'dns-answers',
      harness,
      faults,
      make: (clients) => functions(clients).dnsAnswers,
      writes,
      deadlineMs: STREAM_DEADLINE_MS,
      killDeadlineMs: KILL_DEADLINE_MS,
    });
    const enrich = new FunctionRuntime({
      name: 'enrich',
      harness,
      faults,
      make: (clients) => functions(clients).enrich,
      writes,
      deadlineMs: STREAM_DEADLINE_MS,
      killDeadlineMs: KILL_DEADLINE_MS,
    });
    const holdFunction = new FunctionRuntime({
      name: 'enrich-hold',
      harness,
      faults,
      make: (clients) => functions(clients).hold,
      writes,
      deadlineMs: HOLD_DEADLINE_MS,
      killDeadlineMs: KILL_DEADLINE_MS,
    });
    runtimes.push(dns, enrich, holdFunction);

    const redeliveries = new Redeliveries(STREAM_RETRY.retryAttempts);
    const failedBatches: FailedBatch[] = [];
    const stats = { enrich: emptyMappingStats(), dns: emptyMappingStats() };
    const mappings = (runtime: FunctionRuntime<KinesisStreamEvent>, which: 'enrich' | 'dns', maxBatch: number) =>
      harness.shardIds.map(
        (shardId) =>
          new KinesisMapping({
            harness,
            shardId,
            runtime,
            random,
            batchSize: () => randomInt(random, 1, maxBatch),
            maxRetries: STREAM_RETRY.retryAttempts,
            chances: chances[which],
            holdWindowMs,
            redeliveries,
            failedBatches,
            stats: stats[which],
          }),
      );
    // Batch sizes up to 500: the race test's range (the stack's 1,000 / 500 would leave few batches per shard).
    const enrichMappings = mappings(enrich, 'enrich', 500);
    const dnsMappings = mappings(dns, 'dns', 500);
    const hold = new HoldMapping({
      harness,
      runtime: holdFunction,
      random,
      batchSize: () => randomInt(random, 1, 10),
      maxReceives: HOLD_MAX_RECEIVES,
      chances: chances.hold,
      redeliveries,
    });
    const pick = (list: KinesisMapping[]) => list[randomInt(random, 0, list.length - 1)] as KinesisMapping;

    // Act: puts, enrich steps, DNS steps, hold polls and owed deliveries interleaved at random.
    const hostileSequence = new Map<HostileRecord, string>();
    let cursor = 0;
    let dnsStalled = false;
    let steps = 0;
    while (cursor < records.length) {
      steps++;
      if (random() < 0.35) {
        const start = cursor;
        let end = Math.min(records.length, start + randomInt(random, 1, 800));
        // A late answer goes out in the same request as the connection it names (stream-order.ts).
        while (end < records.length && order.glued.has(end)) end++;
        const put = await harness.putRecords(records.slice(start, end), (i) => slots[start + i]?.key as string, random);
        put.forEach((where, i) => {
          const record = slots[start + i]?.hostile;
          if (record !== undefined) hostileSequence.set(record, where.sequenceNumber);
        });
        cursor = end;
      }
      if (random() < 0.08) dnsStalled = !dnsStalled;
      await pick(enrichMappings).step();
      if (!dnsStalled && random() < 0.5) await pick(dnsMappings).step();
      if (random() < 0.15) await hold.poll();
      await redeliveries.runDue();
      if (steps % 200 === 0) log(`  step ${steps}: ${cursor}/${records.length} put`);
    }
    log(`  all put after ${steps} steps (${Date.now() - started} ms); draining`);

    // The enrich consumer finishes while the DNS consumer is still stalled: its connections wait in the hold queue.
    await drain(enrichMappings);
    for (let i = 0; i < 5; i++) {
      await hold.poll();
      await redeliveries.runDue();
      await sleep(300);
    }
    const drainUntil = Date.now() + DRAIN_LIMIT_MS;
    for (;;) {
      if (Date.now() > drainUntil) throw new Error(`soak seed ${options.seed}: still busy after the drain limit`);
      let busy = (await drain(dnsMappings)) + (await drain(enrichMappings));
      while ((await hold.poll()) > 0) busy++;
      busy += await redeliveries.runDue();
      if (busy > 0) continue;
      const blocked = [...dnsMappings, ...enrichMappings].filter((mapping) => mapping.blocked).length;
      const waiting = (await hold.pending()) + redeliveries.pending + blocked;
      if (waiting === 0) break;
      await sleep(150);
    }
    log(`  drained (${Date.now() - started} ms); reading the outputs`);
    await options.afterDrain?.(harness);

    // Assess
    const rowsOf = async (prefix: string) => (await harness.readJsonLines(prefix)).flatMap((object) => object.rows);
    const observed = {
      held: hold.stats.distinct,
      events: await rowsOf('events/'),
      alerts: await rowsOf('alerts/'),
      rejected: await rowsOf('rejected/'),
      notifications: await harness.receiveAlerts(),
    };
    const comparison = compare(
      {
        replay,
        dedupeFields: ['host', 'destination'],
        hostile: hostile.map((record) => ({ record, sequenceNumber: hostileSequence.get(record) ?? '?' })),
      },
      observed,
    );
    const functionStats = Object.fromEntries(
      [dns, enrich, holdFunction].map((runtime) => [
        runtime.options.name,
        {
          invocations: runtime.invocations,
          coldStarts: runtime.coldStarts,
          kills: runtime.kills,
          deadlines: runtime.deadlines,
          errors: runtime.functionErrors,
        },
      ]),
    );
    return {
      seed: options.seed,
      files: options.files,
      records: { ordinary: ordinary.length, hostile: hostile.length, lateAnswersMoved: order.moved },
      eventsIn: replay.events.length,
      comparison,
      failedBatches,
      mappings: stats,
      hold: { ...hold.stats, distinct: hold.stats.distinct.size },
      redeliveries: { delivered: redeliveries.delivered, abandoned: redeliveries.abandoned },
      functions: functionStats,
      faults: ledger.toJSON(),
      scheduleSteps: steps,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const runtime of runtimes) runtime.stop();
    await harness.stop();
  }
}

/** Steps every mapping until none has anything left; returns the batches invoked. */
async function drain(mappings: readonly KinesisMapping[]): Promise<number> {
  let batches = 0;
  for (let busy = true; busy; ) {
    busy = false;
    for (const mapping of mappings) {
      if ((await mapping.step()) === 0) continue;
      busy = true;
      batches++;
    }
  }
  return batches;
}

/** The event time in the middle of the records (the hostile ones get it, so they sit among their neighbours). */
function middleTime(records: readonly Uint8Array[]): number {
  const times = records
    .map((data) => otrfToCanonical(JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>)?.time)
    .filter((time): time is number => time !== undefined && Number.isFinite(time));
  return times[Math.floor(times.length / 2)] ?? Date.parse('2020-10-22T00:00:00Z');
}

/**
 * A rule on the enriched name of connections all over the recordings (the test rules match in two of them only):
 * its matches depend on the name each connection got, after holds and retries, and each is evaluated once.
 */
async function writeSoakRule(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'net_connection_local_name_soak.yml'),
    [
      'title: Connection To A .local Name (soak)',
      'id: 3d6f2b8e-4c1a-4e7b-9a25-6b0c8d1e7f43',
      'status: test',
      'description: hookstream fault soak; matches connections enrichment named inside an AD domain.',
      'logsource:',
      '    category: network_connection',
      '    product: windows',
      'detection:',
      '    selection:',
      "        DestinationHostname|endswith: '.local'",
      '    condition: selection',
      'level: low',
      '',
    ].join('\n'),
  );
}

interface Slot {
  data: Uint8Array;
  key: string;
  hostile?: HostileRecord;
}

/**
 * The ordinary records with the hostile ones inserted at random places in the middle half (a hostile record with a
 * partition key next to the previous one with the same key), each with its partition key (random, or the hostile
 * one's).
 */
function mixIn(ordinary: readonly Uint8Array[], hostile: readonly HostileRecord[], random: () => number): Slot[] {
  const slots: Slot[] = ordinary.map((data) => ({ data, key: randomKey(random) }));
  for (const record of hostile) {
    const partner =
      record.partitionKey === undefined
        ? -1
        : slots.findIndex((slot) => slot.hostile?.partitionKey === record.partitionKey);
    const at =
      partner >= 0 ? partner + 1 : randomInt(random, Math.floor(slots.length / 4), Math.floor((3 * slots.length) / 4));
    slots.splice(at, 0, { data: record.data, key: record.partitionKey ?? randomKey(random), hostile: record });
  }
  return slots;
}

function randomKey(random: () => number): string {
  return Math.floor(random() * 2 ** 52).toString(36);
}
