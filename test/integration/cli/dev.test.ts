/**
 * `hookstream dev`: the quick checks (start-up refusals, a dead session's folder, alert lines). The end-to-end run
 * (send a recording, see its alert, Ctrl-C, the mirrored events) is dev-pipeline.heavy.test.ts, in test:full.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { alertLine } from '../../../cli/dev/alert-printer.js';
import { OWNER_FILE, TEMP_PREFIX } from '../../../cli/dev/temp-folders.js';
import { OUTPUT_MARKER } from '../../../cli/io/output-folder.js';
import { exited, freePort, shareTsxCache, startCli, waitFor } from '../../helpers/dev-session.js';

const root = path.resolve(import.meta.dirname, '../../..');

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
    // With the signal and the log: one run in about ten (npm test, 2026-12-03) ended with no exit code here.
    expect({ code, signal: next.child.signalCode, log: next.log() }).toMatchObject({ code: 0, signal: null });
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

  it('shows the escapes and bidirectional overrides an event carries as text, on one line', () => {
    const hostile = { ...record, host: 'HOST\u001b[1A\u001b[2K', event: { Image: 'C:\\x\\\u202egpj.exe\u009b2J' } };
    const line = alertLine(JSON.stringify({ Subject: '[high] x', Message: `x\n\n${JSON.stringify(hostile)}` }));
    expect(line).toBe(
      '[high] A Rule With A Long Title That SNS Would Clip by \\u{202e}gpj.exe\\x9b2J on HOST\\x1b[1A\\x1b[2K',
    );
  });

  it('prints a body that is not an SNS envelope as it came', () => {
    expect(alertLine('not json\nat all')).toBe('[unknown] not json at all');
  });
});
