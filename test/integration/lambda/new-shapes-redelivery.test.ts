/**
 * The record shapes added in session 7, as the fleet sends them, through the real enrich handler on the emulators:
 * a KPL aggregate (read by hookstream's own reader) and a top-level JSON array of events (read element by element),
 * each holding ordinary events beside hostile ones: a line cut short, an element cut short, a 600 KB value, odd
 * Unicode (U+FFFF, a lone surrogate, U+202E, NUL). The batch is delivered in two slices, then again whole, then in
 * three slices at other boundaries (each to a new container): the objects never change after the first delivery,
 * every event the core reads from these records is written exactly once, and every rejection once, with its reason.
 */

import type { KinesisStreamEvent } from 'aws-lambda';
import { decodeBatch } from '../../../src/pipeline/decode-batch.js';
import { toOutputRecord } from '../../../src/pipeline/output-record.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import { createFunctions, drainConsumers, drainHoldQueue, writeTestRules } from '../../helpers/lambda-functions.js';
import { type LambdaHarness, lambdaContext, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { countBy, eventIdOfRow, otrfRecords } from '../../helpers/lambda-records.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { aggregate } from '../../unit/events/factories.js';

const RECORDING = 'covenant_sc_query_dcerpc_smb_svcctl.zip';
const describeIfData = describeUnless(missing(`${OTRF_DIR}/${RECORDING}`));
const RETENTION_HOURS = 26_280;
const STORE_NOW = Date.parse('2020-10-23T00:00:00Z');
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8').trim();
const bytes = (value: string) => new Uint8Array(Buffer.from(value, 'utf8'));

/** An ordinary event with odd Unicode in one of its values (still an event: the core decides how it is written). */
function oddUnicode(line: string): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  event.CommandLine = 'cmd.exe /c "\uFFFF\uD800\u202Eexe.txt\u0000"';
  return JSON.stringify(event);
}

/** An ordinary event with a 600 KB value (the record stays under Kinesis's 1 MiB). */
function huge(line: string): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  event.CommandLine = `powershell -enc ${'A'.repeat(600_000)}`;
  return JSON.stringify(event);
}

async function inputRecords(): Promise<Uint8Array[]> {
  const lines = otrfRecords(RECORDING).slice(0, 120).map(text);
  const kpl = await aggregate([
    ...lines.slice(0, 20).map(bytes),
    bytes((lines[20] as string).slice(0, 60)),
    bytes(oddUnicode(lines[21] as string)),
    ...lines.slice(22, 30).map(bytes),
  ]);
  const array = bytes(
    `[${[...lines.slice(30, 40), oddUnicode(lines[40] as string)].join(',')},${lines[41]?.slice(0, 50)}]`,
  );
  return [
    ...lines.slice(42, 80).map(bytes),
    kpl,
    bytes(huge(lines[80] as string)),
    array,
    ...lines.slice(81).map(bytes),
  ];
}

function slices(event: KinesisStreamEvent, cuts: number[]): KinesisStreamEvent[] {
  const bounds = [0, ...cuts, event.Records.length];
  return bounds.slice(1).map((end, i) => ({ Records: event.Records.slice(bounds[i], end) }));
}

describeIfData('KPL aggregates and JSON arrays with hostile records, delivered twice with other boundaries', () => {
  let harness: LambdaHarness;
  afterAll(async () => {
    await harness?.stop();
  });

  it('writes each event once and rejects each hostile record once, with its reason', async () => {
    // Prepare
    harness = await startLambdaHarness({ shards: 1 });
    const records = await inputRecords();
    const env = harness.env({
      RULES_DIR: await writeTestRules(),
      RETENTION_HOURS: String(RETENTION_HOURS),
      HOLD_WINDOW_SECONDS: '1',
    });
    const functions = () => createFunctions(harness, { env, clocks: { wall: Date.now, store: () => STORE_NOW } });
    await harness.putRecords(records, 'random');
    await drainConsumers(harness.consumers('dns-answers', functions().dnsAnswers), 500);
    const event = await harness.readEvent(harness.shardIds[0] as string, 10_000);
    expect(event.Records).toHaveLength(records.length);
    const core = decodeBatch(
      records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
      emptySummary(),
    );
    const invoke = async (part: KinesisStreamEvent) => {
      const fns = functions();
      const failures = (await fns.enrich(part, lambdaContext('enrich'))).batchItemFailures.length;
      await drainHoldQueue(harness.holdPoller(fns.hold));
      return failures;
    };
    const snapshot = async () =>
      new Map((await harness.readObjects('')).map((o) => [o.key, o.body.toString('base64')] as const));

    // Act: two slices, then the whole batch again, then three slices at other boundaries.
    const n = event.Records.length;
    const failures: number[] = [];
    for (const part of slices(event, [Math.floor(n / 2)])) failures.push(await invoke(part));
    const first = await snapshot();
    failures.push(await invoke(event));
    const second = await snapshot();
    for (const part of slices(event, [7, Math.floor(n / 3), n - 5])) failures.push(await invoke(part));
    const third = await snapshot();

    // Assess
    expect(failures.every((f) => f === 0)).toBe(true);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const objects = await harness.readJsonLines('');
    const rows = (area: string) => objects.filter((o) => o.key.startsWith(`${area}/`)).flatMap((o) => o.rows);
    const wanted = countBy(
      core.events.map(({ event: e }) => eventIdOfRow(toOutputRecord(e))),
      (id) => id,
    );
    expect(wanted.size).toBeGreaterThan(100);
    expect(Object.fromEntries(countBy(rows('events'), eventIdOfRow))).toEqual(Object.fromEntries(wanted));
    const reasons = (items: Iterable<{ reason?: unknown }>) =>
      Object.fromEntries(countBy(items, (r) => String(r.reason)));
    // The line and the element cut short: each rejected once, with the core's reason and its own bytes.
    expect(reasons(core.rejected)).toEqual({ 'truncated JSON': 2 });
    expect(reasons(rows('rejected'))).toEqual(reasons(core.rejected));
    const raws = rows('rejected').map((row) => Buffer.from(String(row.raw_base64), 'base64').toString('utf8'));
    expect(raws.every((raw) => raw.length > 0 && raw.length < 100)).toBe(true);
  }, 240_000);
});
