/**
 * Issue 9 acceptance: "`hookstream dev` fed with each poison record among ordinary events writes the ordinary ones,
 * rejects the poison one, and stops cleanly on Ctrl-C." Needs ../shared (the recording and the Sigma rules).
 *
 * The hostile records of test/soak/hostile-records.ts, each written to a file of its own (a single JSON document or
 * a gzip file is sent as its bytes, one record; the NDJSON one is split by send, so its truncated line is a record
 * of its own), are sent by `hookstream send` between parts of psh_cmstp_execution_bypassuac, into a dev with one
 * shard: every poison record then shares an enrich batch with ordinary records (and the two large connections, sent
 * one after the other, share one). Once dev has read everything and its hold queue is empty: SIGINT, exit 0, no
 * failed batch, and the mirrored output equals `hookstream replay` over the same files, each poison record having
 * the outcome the factory states.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import {
  type CliProcess,
  compareRows,
  exited,
  isQuiet,
  killIfRunning,
  lastCounts,
  readRows,
  SAME_ROWS,
  startCli,
  startDev,
  waitFor,
} from '../../helpers/dev-session.js';
import { eventIdOfRow } from '../../helpers/lambda-records.js';
import { readOtrfEvents } from '../../helpers/otrf.js';
import { runCli } from '../../helpers/run-cli.js';
import { describeUnless, missing, sharedPath } from '../../helpers/skip.js';
import { type HostileRecord, hostileRecords } from '../../soak/hostile-records.js';

const RECORDING = 'psh_cmstp_execution_bypassuac.zip';
const recording = sharedPath('datasets/otrf', RECORDING);
const rules = sharedPath('sigma/rules/windows/network_connection');

/** Parts the recording is cut into; the poison records go between them. */
const PARTS = 6;

type Row = Record<string, unknown>;

/** One file per record: gzip as .gz, several documents as .ndjson, one document as .json. */
function fileName(index: number, record: HostileRecord): string {
  const slug = record.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
  const isGzip = record.data[0] === 0x1f && record.data[1] === 0x8b;
  const extension = isGzip ? 'gz' : record.events > 1 || record.rejectedRaw.length > 0 ? 'ndjson' : 'json';
  return `poison-${index}-${slug}.${extension}`;
}

/** The rejected rows whose original bytes are exactly `raw`. */
function rejectedWith(rows: Row[], raw: Uint8Array): Row[] {
  const base64 = Buffer.from(raw).toString('base64');
  return rows.filter((row) => row.raw_base64 === base64);
}

describeUnless(missing(recording, rules))('hookstream dev with poison records among ordinary events', () => {
  let work: string;
  let dev: CliProcess | undefined;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-poison-'));
  });

  afterAll(async () => {
    await killIfRunning(dev);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('writes the ordinary events once, gives each poison record its outcome, no failed batch, exit 0 on SIGINT', async () => {
    // Prepare: the recording in parts, each poison record in a file, interleaved in the order they are sent.
    const inputs = path.join(work, 'inputs');
    await mkdir(inputs);
    const lines = Object.values(unzipSync(await readFile(recording))).flatMap((member) =>
      strFromU8(member)
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    const time = readOtrfEvents(RECORDING)[0]?.time ?? 0;
    const poison = hostileRecords({ time, tag: 'dev' });
    const files: string[] = [];
    const size = Math.ceil(lines.length / PARTS);
    let next = 0;
    for (let part = 0; part < PARTS; part++) {
      const file = path.join(inputs, `ordinary-${part}.ndjson`);
      await writeFile(file, `${lines.slice(part * size, (part + 1) * size).join('\n')}\n`);
      files.push(file);
      // The two large held connections go together (one after the other), the others one per gap.
      const take = poison[next]?.partitionKey !== undefined ? 2 : 1;
      for (const record of poison.slice(next, next + take)) {
        const poisonFile = path.join(inputs, fileName(next, record));
        await writeFile(poisonFile, record.data);
        files.push(poisonFile);
        next++;
      }
    }
    for (const record of poison.slice(next)) {
      const poisonFile = path.join(inputs, fileName(next++, record));
      await writeFile(poisonFile, record.data);
      files.push(poisonFile);
    }
    expect(next).toBe(poison.length);
    const out = path.join(work, 'dev-out');
    const replayOut = path.join(work, 'replay-out');
    const replay = runCli(['replay', ...files, '--out', replayOut, '--rules', rules, '--no-progress']);
    expect({ status: replay.status, stderr: replay.stderr }).toMatchObject({ status: 0 });
    const session = await startDev(['--rules', rules, '--out', out, '--shards', '1', '--interval', '2']);
    dev = session.dev;
    const running = session.dev;

    // Act
    const send = startCli([
      'send',
      ...files,
      '--stream',
      'hookstream',
      '--endpoint',
      session.endpoint,
      '--partition-key',
      'host',
    ]);
    expect({ code: await exited(send.child), stderr: send.stderr() }).toMatchObject({ code: 0 });
    const sent = Number(/^sent (\d+) of \1 records/m.exec(send.stdout())?.[1] ?? Number.NaN);
    expect(sent).toBeGreaterThan(lines.length);
    // Quiet: both functions have read every record and no held connection is waiting (a safety net of minutes).
    await waitFor(
      'dev to read every record and empty its hold queue',
      () => isQuiet(running.stderr(), sent),
      240_000,
      running.log,
    );
    running.child.kill('SIGINT');
    const code = await exited(running.child);

    // Assess
    expect({ code, stderr: running.stderr().slice(-5000) }).toMatchObject({ code: 0 });
    expect(running.stderr()).toContain('hookstream dev: stopped');
    expect(lastCounts(running.stderr())).toMatchObject({ failedBatches: 0, holdQueued: 0 });
    expect(running.stderr()).not.toMatch(/retrying|failed; retried later|left unprocessed|stopped with records left/);
    const events = await readRows(path.join(out, 'events'));
    const alerts = await readRows(path.join(out, 'alerts'));
    const rejected = await readRows(path.join(out, 'rejected'));
    const replayEvents = await readRows(path.join(replayOut, 'events'));
    const replayAlerts = await readRows(path.join(replayOut, 'alerts'));
    const replayRejected = await readRows(path.join(replayOut, 'rejected'));

    // The ordinary events: each once, as replay writes it.
    const poisonHosts = new Set(poison.map((record) => record.host));
    const ordinary = (rows: Row[]) => rows.filter((row) => !poisonHosts.has(String(row.host)));
    expect(ordinary(events)).toHaveLength(lines.length);
    expect(compareRows(ordinary(events), ordinary(replayEvents), eventIdOfRow)).toEqual(SAME_ROWS);

    // Each poison record: the outcome its factory states.
    const outcomes = poison.map((record) => {
      const written = events.filter((row) => row.host === record.host).length;
      const whole = rejectedWith(rejected, record.data);
      return {
        name: record.name,
        written,
        rejectedWhole: whole.length,
        reasons: whole.map((row) => typeof row.reason === 'string' && row.reason !== ''),
        rejectedParts: record.rejectedRaw.map((raw) => rejectedWith(rejected, raw).length),
      };
    });
    expect(outcomes).toEqual(
      poison.map((record) => ({
        name: record.name,
        written: record.events,
        rejectedWhole: record.outcome === 'rejected' ? 1 : 0,
        reasons: record.outcome === 'rejected' ? [true] : [],
        rejectedParts: record.rejectedRaw.map(() => 1),
      })),
    );
    expect(rejected).toHaveLength(poison.reduce((n, record) => n + record.rejectedRaw.length, 0));

    // And everything as replay writes it: every event and alert row, field for field; the same bytes rejected.
    expect(compareRows(events, replayEvents)).toEqual(SAME_ROWS);
    expect(alerts.length).toBeGreaterThan(0);
    expect(compareRows(alerts, replayAlerts)).toEqual(SAME_ROWS);
    const rawOf = (row: Row) => String(row.raw_base64);
    expect(compareRows(rejected, replayRejected, rawOf)).toEqual(SAME_ROWS);
    console.log(
      `dev with poison records: ${sent} records sent (${lines.length} ordinary lines, ${poison.length} poison ` +
        `records in ${files.length - PARTS} files); events ${events.length}, alerts ${alerts.length}, ` +
        `rejected ${rejected.length} (${rejected.map((row) => row.reason).join('; ')}); ` +
        `hold messages re-checked ${lastCounts(running.stderr())?.holdRechecked}`,
    );
  }, 360_000);
});
