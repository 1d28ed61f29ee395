/**
 * IOC containers in the deployed shape, on the emulators: the enrich function loads its containers from the output
 * bucket's iocs/ prefix (CONTAINERS_BUCKET/PREFIX, as infra sets them) at cold start, and after the file changes in
 * S3 the same running function (no new cold start, no redeploy) raises the blacklist alerts of both formats on the
 * enriched DestinationHostname, once its reload interval has passed.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BLACKLIST_GENE, BLACKLIST_SIGMA, BLACKLIST_SIGMA_ID } from '../helpers/blacklist-rules.js';
import { createFunctions, drainConsumers, drainHoldQueue } from '../helpers/lambda-functions.js';
import { type LambdaHarness, NAMES, startLambdaHarness } from '../helpers/lambda-harness.js';
import { testTempRoot } from '../helpers/test-temp.js';

describe('IOC containers reloaded from S3 by the running enrich function', () => {
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 1 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('alerts from both formats after the blacklist file changes, with no new cold start', async () => {
    // Prepare: the rules, a blacklist that does not name the domain yet, and a wall clock the test moves.
    const rules = await mkdtemp(join(testTempRoot(), 'hookstream-gene-lambda-'));
    await writeFile(join(rules, 'blacklisted-domain.yml'), BLACKLIST_SIGMA);
    await writeFile(join(rules, 'network.gen'), `${BLACKLIST_GENE}\n`);
    const putBlacklist = (text: string) =>
      harness.clients.s3.send(new PutObjectCommand({ Bucket: NAMES.bucket, Key: 'iocs/blacklist.txt', Body: text }));
    await putBlacklist('example.org\n');
    let offset = 0;
    const clocks = { wall: () => Date.now() + offset, store: () => Date.parse('2020-10-23T00:00:00Z') };
    const env = harness.env({
      RULES_DIR: rules,
      RETENTION_HOURS: '26280',
      CONTAINERS_BUCKET: NAMES.bucket,
      CONTAINERS_PREFIX: 'iocs/',
      CONTAINERS_RELOAD_SECONDS: '60',
      HOLD_WINDOW_SECONDS: '1',
    });
    const fns = createFunctions(harness, { env, clocks });
    const records = await Promise.all(
      ['events/scenario/sysmon22-raw-githubusercontent.json', 'events/nxlog/sysmon3-powershell.json'].map(
        async (file) => new Uint8Array(await readFile(join(process.cwd(), file))),
      ),
    );
    const pass = async () => {
      await harness.putRecords(records, () => 'WORKSTATION5');
      await drainConsumers(harness.consumers('dns-answers', fns.dnsAnswers), 100);
      await drainConsumers(harness.consumers('enrich', fns.enrich), 100);
      // A connection the function held (waiting for the DNS consumer) comes back through the hold function.
      await drainHoldQueue(harness.holdPoller(fns.hold));
      const alerts = (await harness.readJsonLines('alerts/')).flatMap((o) => o.rows);
      const events = (await harness.readJsonLines('events/')).flatMap((o) => o.rows);
      return {
        alerts: alerts.map((row) => `${row.rule_id} ${row.format}`).sort(),
        named: events.filter((e) => e.event_id === 3 && e.DestinationHostname === 'raw.githubusercontent.com').length,
      };
    };

    // Act and assess: each pass writes its connection named; before the change no alert; after it, none until the
    // reload interval has passed, then both formats.
    expect(await pass()).toEqual({ alerts: [], named: 1 });
    await putBlacklist('# now named\ngithubusercontent.com\n');
    offset += 30_000;
    expect(await pass()).toEqual({ alerts: [], named: 2 });
    offset += 31_000;
    const third = await pass();
    expect(third.named).toBe(3);
    expect(third.alerts).toEqual([`${BLACKLIST_SIGMA_ID} sigma`, 'BlacklistedDestination gene']);
  });
});
