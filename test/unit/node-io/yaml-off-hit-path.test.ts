/**
 * The built CLI does not load the `yaml` package when the rule set is read back from the rule cache (issue 13): the
 * package costs about 55 ms of CPU to load and parses nothing on a hit. Bundled as scripts/build-cli.mjs bundles it
 * (scripts/cli-build-options.mjs: chunks, packages external), run twice in fresh processes with a preload that records every module loaded
 * (record-module-loads.mjs): the first run misses and parses, the second hits.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtCliBundle } from '../../helpers/cli-entry.js';
import { runRecordingModules } from '../../helpers/module-loads.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EVENTS = path.join(ROOT, 'events/evtx-json/sysmon3-data-pairs.json');
const YAML_PACKAGE = /\/node_modules\/yaml\/|^require yaml(\/|$)/;

const RULE = `title: PowerShell connects
id: 6c0c2b53-8f8e-4d2a-9b7e-0d4c1b6a5e01
status: test
level: high
logsource:
  product: windows
  category: network_connection
detection:
  selection:
    Image|endswith: '\\powershell.exe'
  condition: selection
`;

describe('the built CLI on a rule cache hit', () => {
  let cli: string;
  let disposeBundle = () => {};
  let work: string;

  beforeAll(async () => {
    const bundle = await builtCliBundle();
    cli = bundle.file;
    disposeBundle = bundle.dispose;
    work = mkdtempSync(path.join(tmpdir(), 'hookstream-yaml-hit-'));
    mkdirSync(path.join(work, 'rules'));
    writeFileSync(path.join(work, 'rules', 'powershell.yml'), RULE);
  });
  afterAll(() => {
    disposeBundle();
    rmSync(work, { recursive: true, force: true });
  });

  /** One `replay --rules` in a fresh process: its summary and the modules it loaded. */
  const replay = (run: string): { alerts: number; loaded: string[] } => {
    const { stdout, loaded } = runRecordingModules(
      cli,
      [
        'replay',
        EVENTS,
        '--out',
        path.join(work, `out-${run}`),
        '--rules',
        path.join(work, 'rules'),
        '--json',
        '--no-progress',
      ],
      {
        cwd: work,
        log: path.join(work, `${run}.modules`),
        env: { HOOKSTREAM_CACHE_DIR: path.join(work, 'cache'), HOOKSTREAM_NO_CACHE: '' },
      },
    );
    const summary = JSON.parse(stdout) as { alerts: { total: number } };
    return { alerts: summary.alerts.total, loaded };
  };

  it('parses the YAML on the miss and loads no yaml module on the hit, with the same alerts', () => {
    const miss = replay('miss');
    expect(readdirSync(path.join(work, 'cache', 'rules')).filter((name) => name.endsWith('.json'))).toHaveLength(1);
    const hit = replay('hit');

    // The recorder saw both runs: the replay command's chunk, and on the miss the parser.
    for (const run of [miss, hit]) expect(run.loaded.some((line) => /\/chunks\/replay-/.test(line))).toBe(true);
    expect(miss.loaded.filter((line) => YAML_PACKAGE.test(line))).not.toEqual([]);
    expect(hit.loaded.filter((line) => YAML_PACKAGE.test(line))).toEqual([]);
    expect(miss.alerts).toBe(1);
    expect(hit.alerts).toBe(1);
  });
});
