/**
 * `hookstream send` against kinesalite: a flood through one shard with throttling injected on a random subset of
 * entries arrives exactly once (a multiset of record ids), only the failed entries are retried with a jittered
 * exponential backoff, attempts are bounded, requests stay within the Kinesis limits, and the command line answers
 * mistakes with a message and a non-zero exit.
 *
 * kinesalite does not enforce per-shard write throughput, so throttling is injected by a middleware that removes
 * a random subset of entries from the request before it is sent and answers them with
 * ProvisionedThroughputExceededException, as Kinesis does: a throttled entry is not written.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { backoffDelay } from '../../../cli/send/put-records.js';
import { runSend } from '../../../cli/send/run-send.js';
import { type CanonicalEvent, encodeEvent, readRecord } from '../../../src/events/index.js';
import { LIMITS } from '../../../src/limits.js';
import { cliEntry } from '../../helpers/cli-entry.js';
import { EMULATOR_CREDENTIALS, type Emulators, startEmulators } from '../../helpers/emulators.js';
import { seededRandom, seedFrom } from '../../helpers/lambda-prng.js';
import { runCliInProcess } from '../../helpers/run-cli.js';
import { joinLines, mixedLines, mixedOutcomes } from '../../unit/events/factories.js';

const root = path.resolve(import.meta.dirname, '../../..');
const SEED = seedFrom('HOOKSTREAM_SEND_SEED');
const FLOOD = 3_200;

/** The event the flood is made of: the nxlog fixture, with a unique SourcePort and one of five hosts per record. */
async function fixtureEvent(): Promise<CanonicalEvent> {
  const [outcome] = readRecord(new Uint8Array(await readFile(path.join(root, 'events/nxlog/sysmon3-powershell.json'))));
  if (outcome?.kind !== 'event') throw new Error('the nxlog fixture no longer reads as an event');
  return outcome.event;
}

function floodLine(base: CanonicalEvent, i: number): string {
  return encodeEvent({ ...base, host: `FLOOD-HOST-${i % 5}`, data: { ...base.data, SourcePort: String(i) } }, 'nxlog');
}

/** The id of a received record: host and SourcePort of the event it reads as. */
function recordId(data: Uint8Array): string {
  const [outcome] = readRecord(data);
  return outcome?.kind === 'event' ? `${outcome.event.host}/${outcome.event.data.SourcePort}` : 'unreadable';
}

function multiset(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Every record in the stream, all shards, from the start. */
async function readStream(client: KinesisClient, stream: string): Promise<Uint8Array[]> {
  const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: stream }));
  const records: Uint8Array[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const got = page.Records ?? [];
      for (const record of got) records.push(record.Data as Uint8Array);
      if (got.length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

interface InjectionStats {
  requests: number;
  entries: number;
  throttled: number;
  /** Entries and data bytes of each request that reached kinesalite. */
  sizes: { entries: number; bytes: number }[];
}

/**
 * A Kinesis client to `endpoint` whose PutRecords answers `throttle(entry)` entries with
 * ProvisionedThroughputExceededException without sending them; the rest go to kinesalite.
 */
function throttlingClient(endpoint: string, throttle: (data: Uint8Array) => boolean) {
  const client = new KinesisClient({
    region: 'us-east-1',
    endpoint,
    credentials: EMULATOR_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  });
  const stats: InjectionStats = { requests: 0, entries: 0, throttled: 0, sizes: [] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsCommandInput;
      const entries = input.Records ?? [];
      const throttled = entries.map((entry) => throttle(entry.Data as Uint8Array));
      const kept = entries.filter((_entry, i) => !throttled[i]);
      stats.requests++;
      stats.entries += entries.length;
      stats.throttled += entries.length - kept.length;
      let answered: PutRecordsResultEntry[] = [];
      let result: Awaited<ReturnType<typeof next>> = { output: { $metadata: {} }, response: {} };
      if (kept.length > 0) {
        stats.sizes.push({ entries: kept.length, bytes: kept.reduce((n, e) => n + (e.Data?.byteLength ?? 0), 0) });
        result = await next({ ...args, input: { ...input, Records: kept } });
        answered = [...((result.output as PutRecordsCommandOutput).Records ?? [])];
      }
      const records = throttled.map((isThrottled) =>
        isThrottled
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'injected: rate exceeded for shard' }
          : (answered.shift() as PutRecordsResultEntry),
      );
      const failed = records.filter((r) => r.ErrorCode !== undefined).length;
      return {
        ...result,
        output: { ...(result.output as PutRecordsCommandOutput), Records: records, FailedRecordCount: failed },
      };
    },
    { step: 'initialize', name: 'injectThrottling' },
  );
  return { client, stats };
}

describe('hookstream send', () => {
  let emulators: Emulators;
  let dir: string;
  let base: CanonicalEvent;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['kinesis'] });
    dir = await mkdtemp(path.join(tmpdir(), 'hookstream-send-'));
    base = await fixtureEvent();
  });

  afterAll(async () => {
    await emulators.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`delivers a flood of ${FLOOD} records through one throttled shard exactly once (seed ${SEED})`, async () => {
    // Prepare
    await emulators.createStream('flood', 1);
    const lines = Array.from({ length: FLOOD }, (_v, i) => floodLine(base, i));
    const file = path.join(dir, 'flood.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const random = seededRandom(SEED);
    const { client, stats } = throttlingClient(emulators.endpoints.kinesis as string, () => random() < 0.3);
    const delays: number[] = [];

    // Act
    const result = await runSend({
      inputs: [file],
      client,
      streamName: 'flood',
      partitionKey: 'host',
      maxAttempts: 30,
      random: seededRandom(SEED + 1),
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const received = await readStream(emulators.clients.kinesis, 'flood');
    client.destroy();

    // Assess
    expect(result).toMatchObject({ records: FLOOD, sent: FLOOD, failed: [], oversize: [] });
    expect(stats.throttled).toBeGreaterThan(FLOOD * 0.2);
    expect(result.retried).toBe(stats.throttled); // only the throttled entries were put again
    expect(stats.entries).toBe(FLOOD + stats.throttled);
    expect(Math.max(...stats.sizes.map((s) => s.entries))).toBeLessThanOrEqual(500);
    expect(multiset(received.map(recordId))).toEqual(multiset(lines.map((_l, i) => `FLOOD-HOST-${i % 5}/${i}`)));
    expect(delays.length).toBeGreaterThan(0);
    expect(new Set(delays).size).toBeGreaterThan(1); // jittered
  });

  it('puts records as the inputs are read, every one once, and tells the input files it did not read', async () => {
    // Prepare: a folder of six files of ten events and a README; puts of at most seven entries; 30% throttled.
    await emulators.createStream('streamed', 1);
    const folder = path.join(dir, 'streamed');
    await mkdir(folder);
    const lines = Array.from({ length: 60 }, (_v, i) => floodLine(base, 10_000 + i));
    for (let f = 0; f < 6; f++) {
      await writeFile(path.join(folder, `part-${f}.ndjson`), `${lines.slice(10 * f, 10 * f + 10).join('\n')}\n`);
    }
    await writeFile(path.join(folder, 'README.txt'), 'what these files are');
    let total = 0;
    let bytesRead = 0;
    const readAtRequest: number[] = [];
    const random = seededRandom(SEED + 2);
    const { client } = throttlingClient(emulators.endpoints.kinesis as string, () => random() < 0.3);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRecordsCommand') readAtRequest.push(bytesRead);
        return next(args);
      },
      { step: 'initialize', name: 'recordReadBytes', priority: 'high' },
    );

    // Act
    const result = await runSend({
      inputs: [folder],
      client,
      streamName: 'streamed',
      partitionKey: 'host',
      maxAttempts: 30,
      random: seededRandom(SEED + 3),
      sleep: async () => {},
      flush: { entries: 7, bytes: 1024 * 1024 },
      onListed: (bytes) => {
        total = bytes;
      },
      onBytes: (bytes) => {
        bytesRead += bytes;
      },
    });
    const received = await readStream(emulators.clients.kinesis, 'streamed');
    client.destroy();

    // Assess: the first requests went before the last file was read; nothing lost or doubled.
    expect(result).toMatchObject({ records: 60, sent: 60, failed: [], oversize: [], skipped: [] });
    expect(result.skippedInputs).toEqual([
      { source: path.join(folder, 'README.txt'), reason: expect.stringContaining('not a supported extension') },
    ]);
    // The size of the files read (the README is not one), every byte of it read.
    expect(total).toBe(lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0));
    expect(bytesRead).toBe(total);
    expect(Math.min(...readAtRequest)).toBeLessThan(total / 2);
    expect(multiset(received.map(recordId))).toEqual(
      multiset(lines.map((_l, i) => `FLOOD-HOST-${i % 5}/${10_000 + i}`)),
    );
  });

  it('counts what earlier puts sent when a whole request fails', async () => {
    await emulators.createStream('broken', 1);
    const file = path.join(dir, 'broken.ndjson');
    await writeFile(file, `${Array.from({ length: 30 }, (_v, i) => floodLine(base, i)).join('\n')}\n`);
    const { client } = throttlingClient(emulators.endpoints.kinesis as string, () => false);
    let requests = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRecordsCommand' && ++requests === 3) {
          throw Object.assign(new Error('injected: stream deleted'), { name: 'ResourceNotFoundException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failThirdRequest', priority: 'high' },
    );
    const send = runSend({
      inputs: [file],
      client,
      streamName: 'broken',
      partitionKey: 'host',
      flush: { entries: 7, bytes: 1024 * 1024 },
    });
    await expect(send).rejects.toMatchObject({
      name: 'PutRecordsFailedError',
      sentBefore: 14,
      message: expect.stringContaining('failed after 14 records were sent: ResourceNotFoundException'),
    });
    client.destroy();
    expect(await readStream(emulators.clients.kinesis, 'broken')).toHaveLength(14);
  });

  it('gives up on an entry after --max-attempts and reports it, sending the rest once', async () => {
    await emulators.createStream('poison', 1);
    const lines = Array.from({ length: 40 }, (_v, i) => floodLine(base, i));
    const file = path.join(dir, 'poison.ndjson');
    await writeFile(file, lines.join('\n'));
    const poison = new TextEncoder().encode(lines[7]);
    const isPoison = (data: Uint8Array) => Buffer.from(data).equals(poison);
    const { client, stats } = throttlingClient(emulators.endpoints.kinesis as string, isPoison);
    const delays: number[] = [];

    const result = await runSend({
      inputs: [file],
      client,
      streamName: 'poison',
      partitionKey: 'random',
      maxAttempts: 4,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const received = await readStream(emulators.clients.kinesis, 'poison');
    client.destroy();

    expect(result.sent).toBe(39);
    expect(result.failed).toEqual([
      {
        source: `${file}:8`,
        errorCode: 'ProvisionedThroughputExceededException',
        errorMessage: 'injected: rate exceeded for shard',
        attempts: 4,
      },
    ]);
    expect(stats.requests).toBe(4);
    expect(received.map(recordId).sort()).toEqual(
      lines
        .map((_l, i) => `FLOOD-HOST-${i % 5}/${i}`)
        .filter((id) => id !== 'FLOOD-HOST-2/7')
        .sort(),
    );
    // Exponential: each ceiling doubles (100, 200, 400 ms), the delay in its upper half.
    expect(delays).toHaveLength(3);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it('splits requests at 5 MB and refuses a record over 1 MB, naming its file, without sending it', async () => {
    await emulators.createStream('big', 1);
    const pad = 'x'.repeat(600 * 1024);
    const big = Array.from({ length: 12 }, (_v, i) => JSON.stringify({ id: i, pad }));
    await writeFile(path.join(dir, 'big.ndjson'), big.join('\n'));
    await writeFile(path.join(dir, 'huge.json'), JSON.stringify({ pad: 'y'.repeat(1024 * 1024) }));
    const { client, stats } = throttlingClient(emulators.endpoints.kinesis as string, () => false);

    const result = await runSend({
      inputs: [path.join(dir, 'big.ndjson'), path.join(dir, 'huge.json')],
      client,
      streamName: 'big',
      partitionKey: 'host',
    });
    const received = await readStream(emulators.clients.kinesis, 'big');
    client.destroy();

    expect(result).toMatchObject({ records: 13, sent: 12, failed: [] });
    expect(result.oversize).toEqual([
      { source: path.join(dir, 'huge.json'), bytes: 1024 * 1024 + '{"pad":""}'.length },
    ]);
    expect(stats.sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of stats.sizes) expect(size.bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(received.map((data) => JSON.parse(Buffer.from(data).toString('utf8')).id).sort((a, b) => a - b)).toEqual(
      big.map((_l, i) => i),
    );
  });

  it('sends every line of a file of good lines with bad ones between them, and counts a line too big to send', async () => {
    // Prepare: the mixed lines, then one line over the record limit, then a last good one.
    await emulators.createStream('mixed', 1);
    const lines = mixedLines();
    const huge = new TextEncoder().encode(JSON.stringify({ pad: 'z'.repeat(LIMITS.kinesisRecordBytes) }));
    const last = { bytes: new TextEncoder().encode(floodLine(base, 4242)), expected: 'event:4242' };
    const file = path.join(dir, 'mixed.ndjson');
    await writeFile(file, joinLines([...lines, { bytes: huge, expected: 'oversize' }, last]));
    const { client } = throttlingClient(emulators.endpoints.kinesis as string, () => false);

    // Act
    const result = await runSend({ inputs: [file], client, streamName: 'mixed', partitionKey: 'host' });
    const received = await readStream(emulators.clients.kinesis, 'mixed');
    client.destroy();

    // Assess: one record per line, in order (one shard), each the line's exact bytes; the huge one counted.
    const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
    expect(result).toMatchObject({ records: lines.length + 2, sent: lines.length + 1, failed: [] });
    expect(result.oversize).toEqual([{ source: `${file}:${lines.length + 1}`, bytes: huge.length }]);
    expect(received.map(hex)).toEqual([...lines, last].map((line) => hex(line.bytes)));
    const read = received.flatMap((data) => readRecord(data));
    expect(mixedOutcomes(read)).toEqual([...lines, last].map((line) => line.expected));
  });

  it('--format re-encodes every event as the shipper format, one record per event', async () => {
    await emulators.createStream('reencode', 1);
    const { client } = throttlingClient(emulators.endpoints.kinesis as string, () => false);

    const result = await runSend({
      inputs: [path.join(root, 'events/ndjson'), path.join(root, 'events/invalid/not-json.json')],
      client,
      streamName: 'reencode',
      partitionKey: 'host',
      format: 'winlogbeat',
    });
    const received = await readStream(emulators.clients.kinesis, 'reencode');
    client.destroy();

    expect(result).toMatchObject({ records: 3, sent: 3 });
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.source).toMatch(/not-json\.json#1$/);
    const formats = received.map((data) => {
      const [outcome] = readRecord(data);
      return outcome?.kind === 'event' ? outcome.event.format : outcome?.kind;
    });
    expect(formats).toEqual(['winlogbeat', 'winlogbeat', 'winlogbeat']);
  });

  it('the command line sends to an --endpoint with dummy credentials and prints the counts', async () => {
    await emulators.createStream('cli', 1);
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', AWS_EC2_METADATA_DISABLED: 'true' };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete env[name];
    }
    // Asynchronously: kinesalite runs in this process and must answer while the CLI waits.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...cliEntry(),
        'send',
        'events/ndjson/sysmon3-three-shippers.ndjson',
        '--stream',
        'cli',
        '--endpoint',
        emulators.endpoints.kinesis as string,
        '--json',
      ],
      { cwd: root, env, timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ stream: 'cli', records: 3, sent: 3, failed: [], oversize: [] });
    expect(await readStream(emulators.clients.kinesis, 'cli')).toHaveLength(3);
  });

  it('the command line reports the lines too big to send in one line, with the count and the reason', async () => {
    // Prepare: two good lines and three over the record limit.
    await emulators.createStream('cli-big', 1);
    const huge = JSON.stringify({ pad: 'z'.repeat(LIMITS.kinesisRecordBytes) });
    const file = path.join(dir, 'cli-big.ndjson');
    await writeFile(file, [floodLine(base, 1), huge, huge, floodLine(base, 2), huge].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', AWS_EC2_METADATA_DISABLED: 'true' };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete env[name];
    }
    // Act
    const run = promisify(execFile)(
      process.execPath,
      [...cliEntry(), 'send', file, '--stream', 'cli-big', '--endpoint', emulators.endpoints.kinesis as string],
      { cwd: root, env, timeout: 60_000 },
    );
    const failure = await run.then(
      () => undefined,
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );
    // Assess: exit 1 (something was not sent), one line naming the count and the reason, the good lines sent.
    expect(failure?.code).toBe(1);
    const reported = (failure?.stdout ?? '').split('\n').filter((line) => line.includes('not sent'));
    expect(reported).toEqual([
      `  not sent 3: over the ${LIMITS.kinesisRecordBytes}-byte limit of one Kinesis record (the first: ${file}:2, ${huge.length} bytes)`,
    ]);
    expect(failure?.stdout).toMatch(/^sent 2 of 5 records/);
    expect(await readStream(emulators.clients.kinesis, 'cli-big')).toHaveLength(2);
  });

  it('backs off exponentially up to the ceiling, in the upper half of each step', () => {
    expect(backoffDelay(1, 100, 5000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 5000, () => 0.999_999)).toBe(400);
    expect(backoffDelay(20, 100, 5000, () => 0)).toBe(2500);
  });

  it.each([
    [['send', 'no/such/file.json', '--stream', 's'], /no such file or folder: no\/such\/file\.json/],
    [['send', 'events'], /required option '--stream <name>' not specified/],
    [['send', 'events', '--stream', 's', '--partition-key', 'shard'], /argument 'shard' is invalid/],
    [['send', 'events', '--stream', 's', '--format', 'csv'], /argument 'csv' is invalid/],
    [['send', 'events', '--stream', 's', '--max-attempts', '0'], /"0" is not a whole number from 1 to 100/],
    [['send', 'events', '--stream', 's', '--endpoint', 'not a url'], /--endpoint "not a url" is not a URL/],
  ])('%j fails with a message and no stack trace', async (args, message) => {
    const { status, stderr } = await runCliInProcess(args);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints usage', async () => {
    const { status, stdout } = await runCliInProcess(['send', '--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: hookstream send/);
    expect(stdout).toMatch(/--partition-key/);
  });
});
