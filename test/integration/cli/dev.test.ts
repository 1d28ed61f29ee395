/**
 * `hookstream dev` as a user runs it (acceptance): start it, wait for the ready line, `hookstream send` an OTRF
 * recording into its stream from another process, wait for the dead-drop-resolver alert on its stdout, Ctrl-C, and
 * find the enriched connection in the mirrored bucket. Needs ../shared (the recordings and the Sigma rules).
 *
 * The recording goes in two sends: everything but the two connections (Sysmon 3), and once the enrich function has
 * read all of that, the connections. Sent whole, powershell.exe's connection and its answer (two lines apart) share
 * an enrich batch and are named inside it; split, the name must come from the resolution table, which is where a
 * 2020 answer would be expired by today's clock (see docs/dev.md, --retention and --wall-clock-expiry).
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { alertLine } from '../../../cli/dev/alert-printer.js';
import { OWNER_FILE, TEMP_PREFIX } from '../../../cli/dev/temp-folders.js';
import { OUTPUT_MARKER } from '../../../cli/io/output-folder.js';
import { exited, freePort, readRows, shareTsxCache, startCli, waitFor } from '../../helpers/dev-session.js';
import { runCli } from '../../helpers/run-cli.js';
import { describeUnless, missing, sharedPath } from '../../helpers/skip.js';

const root = path.resolve(import.meta.dirname, '../../..');
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
describe('hookstream dev on disk', () => {
  const ruleFiles = [
    'rules/windows/network_connection/net_connection_win_office_raw_github.yml',
    'rules/windows/network_connection/net_connection_win_paste_site_resolved_hostname.yml',
  ];
  let work: string;
  let temp: string;
  const started: ReturnType<typeof startCli>[] = [];

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-disk-'));
    temp = path.join(work, 'tmp');
    await mkdir(temp);
    await shareTsxCache(temp);
  });

  afterEach(async () => {
    // Only if a test failed before stopping its dev: never leave the servers running.
    for (const dev of started.splice(0)) {
      if (dev.child.exitCode === null && dev.child.signalCode === null) {
        dev.child.kill('SIGKILL');
        await exited(dev.child);
      }
    }
    await rm(work, { recursive: true, force: true });
  });

  /** Our temporary folders under the test's TMPDIR (tsx keeps its cache there too). */
  async function ours(): Promise<string[]> {
    return (await readdir(temp)).filter((name) => name.startsWith(TEMP_PREFIX)).sort();
  }

  async function startReady(args: readonly string[]): Promise<ReturnType<typeof startCli>> {
    const port = await freePort();
    const dev = startCli(['dev', '--port', String(port), ...args], { env: { TMPDIR: temp } });
    started.push(dev);
    const log = () => `stdout:\n${dev.stdout()}\nstderr:\n${dev.stderr()}`;
    await waitFor('the ready line', () => dev.stdout().includes('hookstream dev: ready;'), 60_000, log);
    return dev;
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'keeps its files in one owned temporary folder and removes it on %s, exit 0',
    async (signal) => {
      // Prepare
      const out = path.join(work, 'out');
      const dev = await startReady(['--rules', ...ruleFiles, '--out', out]);
      const [folder, ...others] = await ours();
      expect(others).toEqual([]);
      expect(folder).toMatch(new RegExp(`^${TEMP_PREFIX}dev-`));
      const inside = path.join(temp, folder ?? '');
      expect(JSON.parse(await readFile(path.join(inside, OWNER_FILE), 'utf8'))).toMatchObject({ pid: dev.child.pid });
      expect((await readdir(inside)).sort()).toEqual([OWNER_FILE, 'rules', 's3']);

      // Act
      dev.child.kill(signal);
      const code = await exited(dev.child);

      // Assess
      expect({ code, stderr: dev.stderr() }).toMatchObject({ code: 0, stderr: expect.stringContaining('stopped') });
      expect(await ours()).toEqual([]);
      expect(JSON.parse(await readFile(path.join(out, OUTPUT_MARKER), 'utf8'))).toMatchObject({ command: 'dev' });
    },
    120_000,
  );

  it("after a crash, the next start removes the dead session's folder and keeps a live process's", async () => {
    // Prepare: a session killed outright, and a folder of a process that is still running (this test).
    const crashed = await startReady(['--rules', ...ruleFiles]);
    crashed.child.kill('SIGKILL');
    await exited(crashed.child);
    const leftover = await ours();
    expect(leftover).toHaveLength(1);
    const live = path.join(temp, `${TEMP_PREFIX}test-live`);
    await mkdir(live);
    await writeFile(
      path.join(live, OWNER_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), purpose: 'test' }),
    );

    // Act
    const next = await startReady(['--rules', ...ruleFiles]);
    const during = await ours();
    next.child.kill('SIGINT');
    const code = await exited(next.child);

    // Assess
    const removed = path.join(temp, leftover[0] ?? '');
    expect(next.stderr()).toContain(`removed ${removed}, left by pid ${crashed.child.pid}, which is no longer running`);
    expect(during).not.toContain(leftover[0]);
    expect(during).toContain(path.basename(live));
    expect(during).toHaveLength(2);
    expect(code).toBe(0);
    expect(await ours()).toEqual([path.basename(live)]);
  }, 180_000);

  it.each([
    ['is a rules folder', (w: string) => ['--rules', path.join(w, 'rules'), '--out', path.join(w, 'rules')]],
    ['contains a rules folder', (w: string) => ['--rules', path.join(w, 'rules'), '--out', w]],
    ['is inside a rules folder', (w: string) => ['--rules', path.join(w, 'rules'), '--out', path.join(w, 'rules/o')]],
    [
      'holds files hookstream did not write',
      (w: string) => ['--rules', path.join(w, 'rules'), '--out', path.join(w, 'notes')],
    ],
  ])('refuses an --out that %s before starting anything', async (_name, args) => {
    // Prepare
    await cp(path.join(root, 'rules'), path.join(work, 'rules'), { recursive: true });
    await mkdir(path.join(work, 'notes'));
    await writeFile(path.join(work, 'notes/todo.txt'), 'keep me');
    // tmp/ is the child's TMPDIR, where tsx keeps its cache: checked for our folders alone.
    const files = async () => (await readdir(work, { recursive: true })).filter((f) => !f.startsWith('tmp')).sort();
    const before = await files();

    // Act
    const dev = startCli(['dev', '--port', String(await freePort()), ...args(work)], { env: { TMPDIR: temp } });
    started.push(dev);
    const code = await exited(dev.child);

    // Assess
    expect({ code, stdout: dev.stdout() }).toEqual({ code: 2, stdout: '' });
    expect(dev.stderr()).toMatch(/^hookstream: refusing --out [^\n]+\n$/);
    expect(await files()).toEqual(before);
    expect(await ours()).toEqual([]);
  });

  /** A rules folder with one rule that compiles and one whose logsource the taxonomy does not define. */
  async function rulesWithOneInvalid(): Promise<string> {
    const dir = path.join(work, 'mixed-rules');
    await mkdir(dir);
    await cp(path.join(root, 'rules'), path.join(dir, 'project'), { recursive: true });
    await writeFile(
      path.join(dir, 'invalid.yml'),
      [
        'title: A service the taxonomy does not define',
        'id: 00000000-0000-4000-8000-0000000000aa',
        'status: test',
        'level: high',
        'logsource: { product: windows, service: no-such-service }',
        'detection: { selection: { EventID: 1 }, condition: selection }',
      ].join('\n'),
    );
    return dir;
  }

  it('refuses a rule that does not compile before starting anything, one line naming the file and the reason', async () => {
    // Prepare
    const rules = await rulesWithOneInvalid();

    // Act
    const dev = startCli(['dev', '--port', String(await freePort()), '--rules', rules], { env: { TMPDIR: temp } });
    started.push(dev);
    const code = await exited(dev.child);

    // Assess: our lines only (Node may warn about the AWS SDK's engines on stderr too).
    const ourLines = dev
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('hookstream'));
    expect({ code, stdout: dev.stdout() }).toEqual({ code: 2, stdout: '' });
    expect(ourLines).toEqual([
      `hookstream: rule rejected: ${path.join(rules, 'invalid.yml')}: unknown logsource service: no-such-service`,
      'hookstream: 1 rule(s) do not compile; --skip-invalid-rules loads the rest',
    ]);
    expect(dev.stderr()).not.toMatch(/\n\s+at /);
    expect(await ours()).toEqual([]);
  });

  it('with --skip-invalid-rules and a selection, starts and lists the skipped rule', async () => {
    // Prepare
    const rules = await rulesWithOneInvalid();

    // Act
    const dev = await startReady(['--rules', rules, '--skip-invalid-rules', '--min-level', 'medium']);
    dev.child.kill('SIGINT');
    const code = await exited(dev.child);

    // Assess
    expect(code).toBe(0);
    expect(dev.stderr()).toContain(
      `hookstream dev: rule skipped (--skip-invalid-rules): ${path.join(rules, 'invalid.yml')}: unknown logsource service: no-such-service`,
    );
  }, 120_000);
});

describe('alertLine', () => {
  const record = {
    level: 'high',
    rule_title: 'A Rule With A Long Title That SNS Would Clip',
    host: 'WORKSTATION5.theshire.local',
    event: { Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' },
  };

  it.each([
    [
      'rebuilds the whole subject from the alert record',
      { Subject: '[high] A Rule With...', Message: `A Rule (high)\n\n${JSON.stringify(record)}` },
      '[high] A Rule With A Long Title That SNS Would Clip by powershell.exe on WORKSTATION5.theshire.local',
    ],
    [
      'prints the subject when the body holds no record',
      { Subject: '[low] Something on HOST', Message: 'text', MessageAttributes: { level: { Value: 'low' } } },
      '[low] Something on HOST',
    ],
    [
      'prefixes the level when the subject lacks it',
      { Subject: 'Something', Message: 'text', MessageAttributes: { level: { Value: 'medium' } } },
      '[medium] Something',
    ],
  ])('%s', (_name, envelope, expected) => {
    expect(alertLine(JSON.stringify(envelope))).toBe(expected);
  });

  it('prints a body that is not an SNS envelope as it came', () => {
    expect(alertLine('not json\nat all')).toBe('[unknown] not json at all');
  });
});
