/**
 * `hookstream dev` as a user runs it, end to end (acceptance; test:full, about 40 s of emulators and child processes):
 * start it, wait for the ready line, `hookstream send` an OTRF recording into its stream from another process, wait
 * for the dead-drop-resolver alert on its stdout, Ctrl-C, and find the enriched connection in the mirrored bucket.
 * The quick dev checks (start-up refusals, stale folders, alert lines) are in dev.test.ts.
 *
 * The recording goes in two sends: everything but the two connections (Sysmon 3), and once the enrich function has
 * read all of that, the connections. Sent whole, powershell.exe's connection and its answer (two lines apart) share
 * an enrich batch and are named inside it; split, the name must come from the resolution table, which is where a
 * 2020 answer would be expired by today's clock (see docs/dev.md, --retention and --wall-clock-expiry).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { exited, freePort, readRows, startCli, waitFor } from '../../helpers/dev-session.js';
import { runCli } from '../../helpers/run-cli.js';
import { describeUnless, missing, sharedPath } from '../../helpers/skip.js';

const recording = sharedPath('datasets/otrf/psh_cmstp_execution_bypassuac.zip');
const rules = sharedPath('sigma/rules/windows/network_connection');

const DEAD_DROP_ALERT =
  /^\[high\] New Connection Initiated To Potential Dead Drop Resolver Domain by powershell\.exe on /m;
const DEAD_DROP_RULE_ID = '297ae038-edc2-4b2e-bb3e-7c5fc94dd5c7';

/** The recording's lines as two JSON-lines files: the connections (Sysmon 3), and everything else. */
async function splitRecording(folder: string): Promise<{ rest: string; connections: string; restCount: number }> {
  const lines = Object.values(unzipSync(await readFile(recording))).flatMap((member) =>
    strFromU8(member)
      .split('\n')
      .filter((line) => line.trim() !== ''),
  );
  const isConnection = (line: string) => (JSON.parse(line) as { EventID?: number }).EventID === 3;
  const rest = lines.filter((line) => !isConnection(line));
  const connections = lines.filter(isConnection);
  const files = { rest: path.join(folder, 'rest.ndjson'), connections: path.join(folder, 'connections.ndjson') };
  await writeFile(files.rest, `${rest.join('\n')}\n`);
  await writeFile(files.connections, `${connections.join('\n')}\n`);
  return { ...files, restCount: rest.length };
}

function send(file: string, endpoint: string): ReturnType<typeof startCli> {
  return startCli([
    'send',
    file,
    '--stream',
    'hookstream',
    '--endpoint',
    endpoint,
    '--partition-key',
    'random',
    '--no-progress',
  ]);
}

describeUnless(missing(recording, rules))('hookstream dev', () => {
  let out: string;
  let inputs: string;
  let dev: ReturnType<typeof startCli> | undefined;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-'));
    inputs = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-inputs-'));
  });

  afterAll(async () => {
    // Only if the test failed before its own SIGINT: never leave the servers running.
    if (dev && dev.child.exitCode === null && dev.child.signalCode === null) {
      dev.child.kill('SIGKILL');
      await exited(dev.child);
    }
    await rm(out, { recursive: true, force: true });
    await rm(inputs, { recursive: true, force: true });
  });

  it('runs the pipeline: send a recording, print its alert, stop on SIGINT, mirror the enriched events', async () => {
    // Prepare
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    dev = startCli(['dev', '--rules', rules, '--out', out, '--port', String(port), '--interval', '2']);
    const running = dev;
    const log = () => `stdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`;
    await waitFor('the ready line', () => running.stdout().includes('hookstream dev: ready;'), 30_000, log);
    expect(running.stdout()).toContain(`--stream hookstream --endpoint ${endpoint}`);

    const split = await splitRecording(inputs);

    // Act: another process sends, spreading records over both shards (answers and connections on different shards).
    const first = send(split.rest, endpoint);
    expect({ code: await exited(first.child), stderr: first.stderr() }).toMatchObject({ code: 0 });
    expect(first.stdout()).toContain(`sent ${split.restCount} of ${split.restCount} records`);
    const enriched = new RegExp(`enrich ${split.restCount} \\(`);
    await waitFor('enrich to read the first send', () => enriched.test(running.stderr()), 60_000, log);
    const second = send(split.connections, endpoint);
    expect({ code: await exited(second.child), stderr: second.stderr() }).toMatchObject({ code: 0 });
    expect(second.stdout()).toContain('sent 2 of 2 records');
    await waitFor('the dead drop resolver alert', () => DEAD_DROP_ALERT.test(running.stdout()), 90_000, log);
    running.child.kill('SIGINT');
    const code = await exited(running.child);

    // Assess
    expect({ code, stderr: running.stderr() }).toMatchObject({ code: 0 });
    expect(running.stderr()).toContain('hookstream dev: stopped');
    const events = await readRows(path.join(out, 'events'));
    expect(events).toHaveLength(1166);
    const connection = events.find(
      (row) => row.DestinationIp === '151.101.248.133' && String(row.Image).toLowerCase().endsWith('powershell.exe'),
    );
    expect(connection).toMatchObject({
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameSource: 'dns-process',
    });
    const alerts = await readRows(path.join(out, 'alerts'));
    expect(alerts.map((alert) => alert.rule_id)).toContain(DEAD_DROP_RULE_ID);
    // And as a user checks it: `hookstream query` over the mirrored output.
    const query = runCli([
      'query',
      "SELECT image, destinationhostname, destinationhostnamesource FROM events WHERE destinationip = '151.101.248.133'",
      '--out',
      out,
      '--format',
      'json',
    ]);
    expect(query.status).toBe(0);
    expect(JSON.parse(query.stdout)).toContainEqual({
      image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      destinationhostname: 'raw.githubusercontent.com',
      destinationhostnamesource: 'dns-process',
    });
  }, 150_000);
});

/**
 * What dev leaves on disk: its temporary folder (rules copy, the bucket's objects) under TMPDIR, owned by its pid.
 * Each test gives dev a TMPDIR of its own, so other sessions and test runs are out of sight. Project rules, two
 * files: dev copies them into its temporary folder (one folder would be used in place).
 */
