/**
 * `hookstream dev --containers <folder>` in this process (startDev): the container files are uploaded to the
 * emulated output bucket's iocs/ prefix, the functions load them from there as in AWS, and a domain blacklist
 * matched on the enriched DestinationHostname prints the Sigma and the Gene alert. In test:full (about 10 s of
 * emulators); the S3 reload itself is covered in npm test by gene-lambda.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EMULATOR_CREDENTIALS, S3RVER_CREDENTIALS } from '../../cli/dev/emulators.js';
import { LOCAL_NAMES } from '../../cli/dev/local-stack.js';
import { type DevSession, startDev } from '../../cli/dev/run-dev.js';
import { BLACKLIST_GENE, BLACKLIST_SIGMA } from '../helpers/blacklist-rules.js';
import { freePort, waitFor } from '../helpers/dev-session.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('hookstream dev --containers', () => {
  let dir: string;
  let session: DevSession | undefined;
  const printed: string[] = [];
  const reported: string[] = [];

  const saved = { log: process.env.POWERTOOLS_LOG_LEVEL, metrics: process.env.POWERTOOLS_METRICS_DISABLED };

  beforeAll(() => {
    // As `hookstream dev` does: the functions' JSON logs and metrics stay out of the test output.
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    dir = mkdtempSync(path.join(tmpdir(), 'hookstream-gene-dev-'));
    mkdirSync(path.join(dir, 'rules'));
    mkdirSync(path.join(dir, 'iocs'));
    writeFileSync(path.join(dir, 'rules', 'blacklisted-domain.yml'), BLACKLIST_SIGMA);
    writeFileSync(path.join(dir, 'rules', 'network.gen'), `${BLACKLIST_GENE}\n`);
    writeFileSync(path.join(dir, 'iocs', 'blacklist.txt'), '# test\ngithubusercontent.com\n');
  });

  afterAll(async () => {
    await session?.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const [name, value] of [
      ['POWERTOOLS_LOG_LEVEL', saved.log],
      ['POWERTOOLS_METRICS_DISABLED', saved.metrics],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('uploads the containers and prints both formats’ alerts for the enriched connection', async () => {
    session = await startDev({
      rules: [path.join(dir, 'rules')],
      containers: [path.join(dir, 'iocs')],
      port: await freePort(),
      host: '127.0.0.1',
      shards: 1,
      holdWindowSeconds: 1,
      retentionHours: 26_280,
      wallClockExpiry: false,
      intervalMs: 0,
      print: (line) => printed.push(line),
      report: (line) => reported.push(line),
    });
    const s3 = new S3Client({
      region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
      endpoint: session.endpoints.s3,
      forcePathStyle: true,
    });
    const uploaded = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: 'iocs/blacklist.txt' }));
    expect(await uploaded.Body?.transformToString()).toContain('githubusercontent.com');
    const kinesis = new KinesisClient({
      region: 'us-east-1',
      credentials: EMULATOR_CREDENTIALS,
      endpoint: session.kinesisEndpoint,
      // kinesalite speaks HTTP/1.1 only.
      requestHandler: new NodeHttpHandler(),
    });
    const files = ['events/scenario/sysmon22-raw-githubusercontent.json', 'events/nxlog/sysmon3-powershell.json'];
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: session.streamName,
        Records: files.map((file) => ({ Data: readFileSync(path.join(ROOT, file)), PartitionKey: 'WORKSTATION5' })),
      }),
    );
    await waitFor(
      'two alerts',
      () => printed.length >= 2,
      90_000,
      () => [...printed, ...reported].join('\n'),
    );
    await session.stop();
    session = undefined;
    expect(printed.sort()).toEqual([
      expect.stringMatching(/^\[high\] BlacklistedDestination .*on WORKSTATION5/),
      expect.stringMatching(/^\[high\] Connection to a blacklisted domain .*on WORKSTATION5/),
    ]);
  });
});
