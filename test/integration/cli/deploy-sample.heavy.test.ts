/**
 * The end-to-end check of docs/deploy.md: `hookstream send deploy/samples/high-alert.ndjson` into the stream raises
 * a high alert that the default e-mail filter lets through. Here the stream is `hookstream dev`'s, with the rules a
 * default deploy bundles and the settings' default e-mail level (both read from infra/settings.ts, so the test
 * follows the defaults if they change), and with `--wall-clock-expiry`: a DNS answer dated days ago is expired on
 * arrival, as DynamoDB's TTL would have it in AWS, so the connection must be named from the answer it shares its
 * enrich batch with (the same host, hence the same shard with send's default partition key), not from the table.
 * Needs nothing from ../shared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { levelsAtLeast, readSettings } from '../../../infra/settings.js';
import { exited, killIfRunning, readRows, startCli, startDev, waitFor } from '../../helpers/dev-session.js';

const root = path.resolve(import.meta.dirname, '../../..');
const SAMPLE = path.join(root, 'deploy/samples/high-alert.ndjson');
const defaults = readSettings(() => undefined);

const OFFICE_RAW_GITHUB = '0139ddd2-c3e7-430c-85fb-dfdf43bd6b47';
const HIGH_LINE =
  /^\[high\] Office Application Connecting To raw\.githubusercontent\.com by WINWORD\.EXE on FIN-WS042\.corp\.example\.com$/m;

describe('deploy guide sample through hookstream dev', () => {
  let out: string;
  let dev: ReturnType<typeof startCli> | undefined;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-deploy-sample-'));
  });

  afterAll(async () => {
    await killIfRunning(dev);
    await rm(out, { recursive: true, force: true });
  });

  it('raises the Office raw.githubusercontent.com alert at level high, which the default e-mail filter admits', async () => {
    // Prepare: the rules a default deploy bundles, AWS's expiry clock.
    const rules = defaults.rulePaths.map((folder) => path.join(root, folder));
    const started = await startDev(['--rules', ...rules, '--out', out, '--interval', '1', '--wall-clock-expiry']);
    dev = started.dev;
    const running = started.dev;

    // Act: the guide's command, with the endpoint and stream of dev.
    const send = startCli(['send', SAMPLE, '--stream', 'hookstream', '--endpoint', started.endpoint, '--no-progress']);
    expect({ code: await exited(send.child), stderr: send.stderr() }).toMatchObject({ code: 0 });
    expect(send.stdout()).toContain('sent 3 of 3 records');
    await waitFor('the high alert line', () => HIGH_LINE.test(running.stdout()), 90_000, running.log);
    running.child.kill('SIGINT');
    const code = await exited(running.child);

    // Assess: the alert as written, at its level, and that level passes the e-mail subscription's filter.
    expect({ code, stderr: running.stderr() }).toMatchObject({ code: 0 });
    const alerts = await readRows(path.join(out, 'alerts'));
    const high = alerts.filter((alert) => alert.rule_id === OFFICE_RAW_GITHUB);
    expect(high).toHaveLength(1);
    expect(high[0]).toMatchObject({ level: 'high', host: 'FIN-WS042.corp.example.com' });
    expect(levelsAtLeast(defaults.emailMinLevel)).toContain('high');
    // The connection was named from the host's own answer, not from its reverse-DNS name.
    const events = await readRows(path.join(out, 'events'));
    expect(events.find((event) => event.DestinationIp === '185.199.108.133')).toMatchObject({
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameOriginal: 'cdn-185-199-108-133.github.com',
      DestinationHostnameSource: 'dns-process',
    });
  }, 150_000);
});
