/**
 * The run of process-tracking-race.test.ts (npm test) and process-tracking-race.heavy.test.ts (test:full): OTRF
 * recordings fed line by line in event-time order on 4 shards, random batch sizes, and a random lag between the
 * consumers (the dns-answers consumer stalls for random stretches). For each output event whose process (own, or
 * source / target of 8 and 10) has a Sysmon 1 earlier on the same host, the ground truth
 * (test/helpers/process-ground-truth.ts, computed from the events as written without process tracking) gives its
 * ParentImage and Ancestors; the figures count the sides that carry them and every context field written that the
 * truth does not give. HOOKSTREAM_RACE_SEED=<n> replays a schedule.
 */
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { createEnrichmentContext, createHooks, HOOK_NAMES, planHooks } from '../../../src/hooks/index.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { createFunctions, drainConsumers, drainHoldQueue, writeTestRules } from '../../helpers/lambda-functions.js';
import type { LambdaHarness, ShardConsumer } from '../../helpers/lambda-harness.js';
import { randomInt, seededRandom } from '../../helpers/lambda-prng.js';
import { eventIdOfRow, otrfRecords } from '../../helpers/lambda-records.js';

import { CONTEXT_FIELDS, type ProcessTruth, processGroundTruth } from '../../helpers/process-ground-truth.js';

/** The recordings of the random-key run (1 795 records). */
export const SUBSET = ['psh_cmstp_execution_bypassuac.zip', 'covenant_sc_query_dcerpc_smb_svcctl.zip'];
/** The recording of the npm test run: 629 records of 3 hosts, chains 2 deep. */
export const SHORT = ['covenant_sc_query_dcerpc_smb_svcctl.zip'];
/** Covers 2019-03 .. 2020-10: every recording's state stays live under one store clock. */
const RETENTION_HOURS = 20_000;
const HOLD_WINDOW_SECONDS = 2;

type Row = Record<string, unknown>;

/** The host of a record (flat NXLog `Hostname`, Winlogbeat 6 `computer_name`): its partition key. */
function hostOf(data: Uint8Array): string {
  const line = JSON.parse(Buffer.from(data).toString('utf8')) as Row;
  return String(line.Hostname ?? line.computer_name ?? 'unknown');
}

/** An output row back as a canonical event (what the ground truth reads: host, channel, event ID, time, fields). */
function rowEvent(row: Row): CanonicalEvent {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) if (typeof value === 'string') data[key] = value;
  return {
    host: String(row.host),
    channel: String(row.channel),
    provider: String(row.provider ?? ''),
    eventId: Number(row.event_id),
    time: Date.parse(String(row.time)),
    format: 'nxlog',
    data,
  };
}

/** Every field name the hook may write (any prefix). */
const WRITABLE = new Set(['', 'Source', 'Target'].flatMap((prefix) => CONTEXT_FIELDS.map((field) => prefix + field)));

/**
 * An event's identity in an output line: every field but those the hook may write, in key order (eventIdOfRow is
 * not enough here: Sysmon 10 lines of one millisecond share it).
 */
function identityOf(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .filter((key) => !WRITABLE.has(key))
      .sort()
      .map((key) => [key, row[key]]),
  );
}

/** A context field written that the truth does not give. */
export interface WrongField {
  event: string;
  /** The field, with its prefix. */
  field: string;
  value: string;
  /** What the truth gives (undefined: nothing may be written). */
  truth: string | undefined;
}

export interface Figures {
  tracked: number;
  right: number;
  wrong: WrongField[];
}

/**
 * Checks `rows` (by event identity) against the truth computed from `bare` (the same events, written without
 * process tracking): which tracked sides carry the right ParentImage and Ancestors, and every context field written
 * that the truth does not give.
 */
function check(rows: readonly Row[], bare: readonly Row[]): Figures {
  const bareById = new Map<string, Row>();
  const events: CanonicalEvent[] = [];
  const idOf = new Map<CanonicalEvent, string>();
  for (const row of bare) {
    const id = identityOf(row);
    if (bareById.has(id)) continue;
    bareById.set(id, row);
    const event = rowEvent(row);
    events.push(event);
    idOf.set(event, id);
  }
  events.sort((a, b) => a.time - b.time);
  const truth = processGroundTruth(events);
  const sides = new Map<string, { side: string; expected?: ProcessTruth['expected'] }[]>();
  for (const item of truth.tracked) {
    const id = idOf.get(item.event) as string;
    sides.set(id, [...(sides.get(id) ?? []), { side: item.side, expected: item.expected }]);
  }
  for (const item of truth.untracked) {
    const id = idOf.get(item.event) as string;
    sides.set(id, [...(sides.get(id) ?? []), { side: item.side }]);
  }
  const figures: Figures = { tracked: 0, right: 0, wrong: [] };
  for (const row of rows) {
    const id = identityOf(row);
    const original = bareById.get(id);
    if (original === undefined) continue;
    for (const { side, expected } of sides.get(id) ?? []) {
      const written = (field: string) =>
        original[`${side}${field}`] === undefined ? (row[`${side}${field}`] as string | undefined) : undefined;
      if (expected !== undefined) {
        figures.tracked++;
        const ok = (['ParentImage', 'Ancestors'] as const).every((field) =>
          original[`${side}${field}`] !== undefined
            ? row[`${side}${field}`] === original[`${side}${field}`]
            : written(field) === expected[field],
        );
        if (ok) figures.right++;
      }
      for (const field of CONTEXT_FIELDS) {
        const value = written(field);
        if (value === undefined) continue;
        const want = expected?.[field];
        const same = field === 'ParentProcessGuid' ? value === want?.toLowerCase() : value === want;
        if (!same) figures.wrong.push({ event: eventIdOfRow(row), field: `${side}${field}`, value, truth: want });
      }
    }
  }
  return figures;
}

/** What one run gives: the pipeline's and the one-batch replay's figures. */
export interface RaceResult {
  pipeline: Figures;
  replay: Figures;
  events: { pipeline: number; replay: number };
}

/**
 * Feeds `files` through the three functions on `harness` with the given partition key (`host`: the record's host;
 * `random`), under a random schedule from `seed`, and checks the output and a one-batch replay of the same records.
 */
export async function raceProcessTracking(
  harness: LambdaHarness,
  files: readonly string[],
  partitionKey: 'host' | 'random',
  seed: number,
): Promise<RaceResult> {
  const started = Date.now();
  const random = seededRandom(seed);
  const records = otrfRecords(...files);
  const enrichment = { retentionMs: RETENTION_HOURS * 3_600_000, lookAheadMs: 5_000, mode: 'replace' as const };
  const inputs = records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 }));
  const replayWith = async (names: typeof HOOK_NAMES) =>
    (
      await processBatch(inputs, {
        hooks: planHooks(createHooks(enrichment, names)),
        context: createEnrichmentContext(enrichment),
      })
    ).events;
  const replayed = await replayWith(HOOK_NAMES);
  const bare = (await replayWith(HOOK_NAMES.filter((name) => name !== 'process-tracking'))).map(({ event }) =>
    toOutputRecord(event),
  );
  const storeNow = Math.max(...replayed.map(({ event }) => event.time)) + 3_600_000;
  const env = harness.env({
    RULES_DIR: await writeTestRules(),
    RETENTION_HOURS: String(RETENTION_HOURS),
    HOLD_WINDOW_SECONDS: String(HOLD_WINDOW_SECONDS),
  });
  const functions = createFunctions(harness, { env, clocks: { wall: Date.now, store: () => storeNow } });
  const dns = harness.consumers('dns-answers', functions.dnsAnswers);
  const enrich = harness.consumers('enrich', functions.enrich);
  const hold = harness.holdPoller(functions.hold);
  const pick = (consumers: ShardConsumer[]) => consumers[randomInt(random, 0, consumers.length - 1)] as ShardConsumer;
  const batchSize = () => randomInt(random, 1, 500);

  // Puts, enrich steps, DNS steps and hold polls interleaved at random; the DNS consumer stalls at times.
  let cursor = 0;
  let dnsStalled = false;
  while (cursor < records.length) {
    if (random() < 0.35) {
      const chunk = records.slice(cursor, cursor + randomInt(random, 1, 800));
      if (partitionKey === 'host') await harness.putRecords(chunk, (index) => hostOf(chunk[index] as Uint8Array));
      else await harness.putRecords(chunk, 'random', random);
      cursor += chunk.length;
    }
    if (random() < 0.08) dnsStalled = !dnsStalled;
    await pick(enrich).step(batchSize());
    if (!dnsStalled && random() < 0.5) await pick(dns).step(batchSize());
    if (random() < 0.15) await hold.poll();
  }
  await drainConsumers(enrich, batchSize);
  await drainConsumers(dns, batchSize);
  await drainConsumers(enrich, batchSize);
  await drainHoldQueue(hold);

  const rows = (await harness.readJsonLines('events/')).flatMap((object) => object.rows);
  const result: RaceResult = {
    pipeline: check(rows, bare),
    replay: check(
      replayed.map(({ event }) => toOutputRecord(event)),
      bare,
    ),
    events: { pipeline: rows.length, replay: replayed.length },
  };
  const { pipeline, replay } = result;
  console.log(
    `process-tracking race: partition key ${partitionKey}, seed ${seed} (HOOKSTREAM_RACE_SEED), ${files.join(', ')}, ` +
      `${records.length} records, ${Date.now() - started} ms\n` +
      `  events: pipeline ${rows.length}, replay ${replayed.length}\n` +
      `  tracked sides: pipeline ${pipeline.tracked} (${pipeline.right} right ParentImage + Ancestors), ` +
      `replay ${replay.tracked} (${replay.right} right); wrong fields: pipeline ${pipeline.wrong.length}, replay ${replay.wrong.length}` +
      (pipeline.wrong.length > 0 ? `\n  first wrong: ${JSON.stringify(pipeline.wrong.slice(0, 3))}` : ''),
  );
  return result;
}
