/**
 * The race between the two consumers (docs/late-answers.md), as acceptance: OTRF recordings fed line by line as
 * records with random partition keys on 4 shards, random batch sizes, and a random lag between the consumers (the
 * dns-answers consumer stalls for random stretches, and at the end is stalled while the enrich consumer and the
 * hold queue run). The outcome must equal `hookstream replay` over the same records as one batch.
 *
 * HOOKSTREAM_RACE_SEED=<n> replays a schedule. `npm test` feeds psh_cmstp + the covenant recordings thinned: every
 * connection and DNS answer (all 53 connections replay names in them), one in 10 of their other lines, 1,257 of
 * their 7,588 records; HOOKSTREAM_RACE_FILES=all (`npm run test:full`) feeds every line of every recording (39,373
 * records).
 */
import { createEnrichmentContext, createHooks, planHooks } from '../../../src/hooks/index.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { createFunctions, drainConsumers, drainHoldQueue, writeTestRules } from '../../helpers/lambda-functions.js';
import { type LambdaHarness, type ShardConsumer, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { randomInt, seededRandom, seedFrom } from '../../helpers/lambda-prng.js';
import { connectionIdOfRow, countBy, otrfRecords, otrfRecordsThinned } from '../../helpers/lambda-records.js';
import { OTRF_DIR, otrfFiles } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';

const describeIfData = describeUnless(missing(OTRF_DIR));

/** The recordings of the short run, and the share of their non-DNS, non-connection lines it keeps. */
const SUBSET = [
  'psh_cmstp_execution_bypassuac.zip',
  'covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip',
  'covenant_getdomaingroup_ldap_searchrequest_domain_admins.zip',
  'covenant_psremoting_grunt.zip',
  'covenant_sc_query_dcerpc_smb_svcctl.zip',
];
const SUBSET_KEEP_ONE_IN = 10;
/** Covers 2019-03 .. 2020-10: every recording's answers stay live in one table under one store clock. */
const RETENTION_HOURS = 20_000;
const HOLD_WINDOW_SECONDS = 2;

type Row = Record<string, unknown>;

function isConnectionRow(row: Row): boolean {
  return row.event_id === 3 && row.channel === 'Microsoft-Windows-Sysmon/Operational';
}

describeIfData('the race between the dns-answers and enrich consumers', () => {
  const seed = seedFrom('HOOKSTREAM_RACE_SEED');
  const all = process.env.HOOKSTREAM_RACE_FILES === 'all';
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 4 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('names every connection replay names, the same way, and writes each event once', async () => {
    // Prepare
    const started = Date.now();
    const random = seededRandom(seed);
    const records = all ? otrfRecords(...otrfFiles()) : otrfRecordsThinned(SUBSET_KEEP_ONE_IN, ...SUBSET);
    const enrichment = { retentionMs: RETENTION_HOURS * 3_600_000, lookAheadMs: 5_000, mode: 'replace' as const };
    const replay = await processBatch(
      records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
      { hooks: planHooks(createHooks(enrichment)), context: createEnrichmentContext(enrichment) },
    );
    const replayRows = replay.events.map(({ event }) => toOutputRecord(event));
    const storeNow = Math.max(...replay.events.map(({ event }) => event.time)) + 3_600_000;
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

    // Act: puts, enrich steps, DNS steps and hold polls interleaved at random; the DNS consumer stalls at times.
    let cursor = 0;
    let dnsStalled = false;
    let steps = 0;
    while (cursor < records.length) {
      steps++;
      if (random() < 0.35) {
        const chunk = records.slice(cursor, cursor + randomInt(random, 1, 800));
        await harness.putRecords(chunk, 'random', random);
        cursor += chunk.length;
      }
      if (random() < 0.08) dnsStalled = !dnsStalled;
      await pick(enrich).step(batchSize());
      if (!dnsStalled && random() < 0.5) await pick(dns).step(batchSize());
      if (random() < 0.15) await hold.poll();
    }
    // The enrich consumer finishes while the DNS consumer is still stalled: its connections wait in the hold queue.
    await drainConsumers(enrich, batchSize);
    for (let i = 0; i < 5; i++) {
      await hold.poll();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await drainConsumers(dns, batchSize);
    await drainConsumers(enrich, batchSize);
    await drainHoldQueue(hold);

    // Assess
    const rows = (await harness.readJsonLines('events/')).flatMap((object) => object.rows);
    const replayConnections = replayRows.filter(isConnectionRow);
    const pipelineConnections = rows.filter(isConnectionRow);
    const namesOf = (list: Row[]) => {
      const names = new Map<string, string[]>();
      for (const row of list) {
        if (row.DestinationHostnameSource === undefined) continue;
        const id = connectionIdOfRow(row);
        names.set(id, [...(names.get(id) ?? []), String(row.DestinationHostname)].sort());
      }
      return names;
    };
    const replayNames = namesOf(replayConnections);
    const pipelineNames = namesOf(pipelineConnections);
    const differing = [...replayNames].filter(([id, names]) => pipelineNames.get(id)?.join() !== names.join());
    const extra = [...pipelineNames.keys()].filter((id) => !replayNames.has(id));
    const replayCounts = countBy(replayConnections, connectionIdOfRow);
    const pipelineCounts = countBy(pipelineConnections, connectionIdOfRow);
    const twice = [...pipelineCounts].filter(([id, n]) => n !== replayCounts.get(id));
    console.log(
      `lambda race: seed ${seed} (HOOKSTREAM_RACE_SEED), ${all ? 'every recording' : `${SUBSET.join(', ')} thinned`}, ` +
        `${records.length} records, ${steps} schedule steps, ${Date.now() - started} ms\n` +
        `  events: replay ${replayRows.length}, pipeline ${rows.length}; connections ${replayConnections.length}\n` +
        `  replay enriched ${replayNames.size}, pipeline enriched ${pipelineNames.size}, ` +
        `held ${hold.distinct.size} connections (${hold.deliveries} deliveries in ${hold.invocations} hold batches)\n` +
        `  differing names ${differing.length}, named only by the pipeline ${extra.length}, ` +
        `connection ids with a different count ${twice.length}` +
        (differing.length > 0
          ? `\n  first differences (id, replay, pipeline): ${JSON.stringify(differing.slice(0, 5).map(([id, names]) => [id, names, pipelineNames.get(id)]))}`
          : ''),
    );
    expect(replayNames.size).toBeGreaterThan(0);
    if (!all) {
      // Thinning kept every connection that replay of the whole recordings names, with the same names.
      const whole = await processBatch(
        otrfRecords(...SUBSET).map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
        { hooks: planHooks(createHooks(enrichment)), context: createEnrichmentContext(enrichment) },
      );
      const wholeNames = namesOf(whole.events.map(({ event }) => toOutputRecord(event)).filter(isConnectionRow));
      expect([...replayNames].sort()).toEqual([...wholeNames].sort());
    }
    expect(differing).toEqual([]);
    expect(extra).toEqual([]);
    expect(twice).toEqual([]);
    expect(rows).toHaveLength(replayRows.length);
    expect(hold.distinct.size).toBeGreaterThan(0);
  }, 600_000);
});
