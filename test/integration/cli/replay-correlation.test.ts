/**
 * `hookstream replay --rules` and `rules check` with correlation rules: the specification's example in a rules
 * folder of its own, over Security events written as a responder's export would be.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { runCli } from '../../helpers/run-cli.js';

const RULES = `title: Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - TargetUserName
    timespan: 10m
level: high
---
title: Multiple failed logons
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
---
title: Successful login
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
`;

const T0 = Date.UTC(2026, 0, 1, 10);
const logon = (eventId: number, seconds: number, user: string) =>
  JSON.stringify({
    Hostname: 'DC01',
    Channel: 'Security',
    SourceName: 'Microsoft-Windows-Security-Auditing',
    EventID: eventId,
    TimeCreated: new Date(T0 + seconds * 1000).toISOString(),
    TargetUserName: user,
  });

async function readLines(root: string, area: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(path.join(root, area), { recursive: true })).filter((f) => f.endsWith('.json.gz'));
  const lines: Record<string, unknown>[] = [];
  for (const file of files.sort()) {
    const text = gunzipSync(await readFile(path.join(root, area, file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
  }
  return lines;
}

describe('replay with correlation rules', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookstream-correlation-'));
    await mkdir(path.join(dir, 'rules'));
    await mkdir(path.join(dir, 'in'));
    await writeFile(path.join(dir, 'rules', 'mr_failed_then_success.yml'), RULES);
    const lines = [...Array.from({ length: 10 }, (_, i) => logon(4625, i * 30, 'bob')), logon(4624, 320, 'bob')];
    // Two files, the success in the second: the state spans the whole replay, not one file.
    await writeFile(path.join(dir, 'in', 'a.json'), `${lines.slice(0, 6).join('\n')}\n`);
    await writeFile(path.join(dir, 'in', 'b.json'), `${lines.slice(6).join('\n')}\n`);
    await writeFile(
      path.join(dir, 'rules-bad.yml'),
      'title: Broken\ncorrelation:\n    type: event_count\n    rules: [nowhere]\n    group-by: [User]\n    timespan: 5x\n',
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one correlation alert at its level and none for the base rules', async () => {
    const out = path.join(dir, 'out');
    const result = await runReplay({
      inputs: [path.join(dir, 'in')],
      out,
      rules: [path.join(dir, 'rules')],
      enrich: true,
      enrichment: {},
      dedupeFields: ['host', 'destination'],
    });
    expect(result.summary.alerts).toMatchObject({ total: 1, byLevel: { high: 1 } });
    const alerts = await readLines(out, 'alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule_title: 'Multiple Failed Logins Followed by Successful Login',
      level: 'high',
      correlation: { type: 'temporal_ordered', group: { TargetUserName: 'bob' }, event_count: 2 },
    });
  });

  it('rules check rejects a bad correlation document with its reason', () => {
    const { status, stdout, stderr } = runCli(['rules', 'check', path.join(dir, 'rules-bad.yml')]);
    expect(status).toBe(1);
    expect(`${stdout}${stderr}`).toContain("bad correlation timespan '5x'");
  });

  it('rules check counts the correlation rules as compiled', () => {
    const { status, stdout } = runCli(['rules', 'check', path.join(dir, 'rules'), '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ compiled: 4, rejected: [] });
  });
});
