/**
 * Gene rules and IOC containers from the command line: `rules check` reads .gen files and `--containers`, and
 * `replay --rules <folder with .yml and .gen> --containers <folder>` writes alerts of both formats for a domain
 * blacklist matched on the enriched DestinationHostname, and none with --no-enrich.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BLACKLIST_GENE_RULE, BLACKLIST_SIGMA, BLACKLIST_SIGMA_ID } from '../helpers/blacklist-rules.js';
import { cli } from './cli/cli-in-process.js';

const GENE = [
  BLACKLIST_GENE_RULE,
  {
    Name: 'PowershellConnects',
    Meta: { Events: { 'Microsoft-Windows-Sysmon/Operational': [3] }, Criticality: 3 },
    Matches: ["$ps: Image ~= '(?i:\\\\powershell\\.exe$)'"],
    Condition: '$ps',
  },
]
  .map((rule) => JSON.stringify(rule))
  .join('\n');

function alertLines(out: string): Record<string, unknown>[] {
  const dir = path.join(out, 'alerts');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json.gz'));
  return files.flatMap((f) =>
    gunzipSync(readFileSync(path.join(dir, f)))
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

describe('Gene rules and containers on the command line', () => {
  let dir: string;
  let rules: string;
  let iocs: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hookstream-gene-cli-'));
    rules = path.join(dir, 'rules');
    iocs = path.join(dir, 'iocs');
    mkdirSync(rules);
    mkdirSync(iocs);
    writeFileSync(path.join(rules, 'blacklisted-domain.yml'), BLACKLIST_SIGMA);
    writeFileSync(path.join(rules, 'network.gen'), `${GENE}\n`);
    writeFileSync(path.join(iocs, 'blacklist.txt'), '# test IOCs\ngithubusercontent.com\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rules check compiles .gen files beside Sigma ones, with --containers', async () => {
    const { status, stdout } = await cli(['rules', 'check', rules, '--containers', iocs]);
    expect(stdout).toMatch(/^2 files: 3 rules compiled, 0 skipped, 0 rejected/);
    expect(stdout).not.toContain('warning');
    expect(status).toBe(0);
  });

  it('rules check without --containers: the Sigma placeholder rejects its rule, the Gene rule waits (a warning)', async () => {
    const { status, stdout } = await cli(['rules', 'check', rules]);
    expect(stdout).toContain('rejected');
    expect(stdout).toContain('unresolved placeholder %blacklist%');
    expect(stdout).toMatch(/warning .*network\.gen:1: inactive while container\(s\) blacklist are not loaded/);
    expect(status).toBe(1);
  });

  it('rules check names a missing containers folder', async () => {
    const { status, stderr } = await cli(['rules', 'check', rules, '--containers', path.join(dir, 'nope')]);
    expect(stderr).toContain('containers folder not found');
    expect(status).not.toBe(0);
  });

  it('replay with --containers keeps a compile record in the rule cache, and its |expand rule follows the containers', async () => {
    // Prepare: a cache of this test's own, and a containers folder whose list changes between runs.
    const cache = path.join(dir, 'cache');
    const ours = path.join(dir, 'iocs-changing');
    mkdirSync(ours);
    writeFileSync(path.join(ours, 'blacklist.txt'), 'githubusercontent.com\n');
    const inputs = ['events/scenario/sysmon22-raw-githubusercontent.json', 'events/nxlog/sysmon3-powershell.json'];
    const before = process.env.HOOKSTREAM_CACHE_DIR;
    process.env.HOOKSTREAM_CACHE_DIR = cache;
    try {
      const run = async (name: string) => {
        const out = path.join(dir, name);
        const { status, stderr } = await cli([
          'replay',
          ...inputs,
          '--rules',
          rules,
          '--containers',
          ours,
          '--out',
          out,
          '--no-progress',
        ]);
        expect([status, stderr]).toEqual([0, '']);
        return alertLines(out)
          .map((a) => `${a.rule_id} ${a.format}`)
          .sort();
      };
      const all = [`${BLACKLIST_SIGMA_ID} sigma`, 'BlacklistedDestination gene', 'PowershellConnects gene'].sort();
      // Act + Assert: the first run (a miss) writes the record; the second (a hit) defers with it, the same alerts.
      expect(await run('c1')).toEqual(all);
      expect(readdirSync(path.join(cache, 'rules')).some((f) => f.endsWith('.record'))).toBe(true);
      expect(await run('c2')).toEqual(all);
      // The domain leaves the list: neither blacklist rule alerts, though the record was made while it was listed.
      writeFileSync(path.join(ours, 'blacklist.txt'), 'example.org\n');
      expect(await run('c3')).toEqual(['PowershellConnects gene']);
    } finally {
      if (before === undefined) delete process.env.HOOKSTREAM_CACHE_DIR;
      else process.env.HOOKSTREAM_CACHE_DIR = before;
    }
  });

  it.each([
    [
      'with the enrichment',
      [],
      [`${BLACKLIST_SIGMA_ID} sigma high`, 'BlacklistedDestination gene high', 'PowershellConnects gene low'],
    ],
    ['without it (--no-enrich)', ['--no-enrich'], ['PowershellConnects gene low']],
  ])('replay %s', async (_title, extra, expected) => {
    const out = path.join(dir, `out${extra.length}`);
    const inputs = ['events/scenario/sysmon22-raw-githubusercontent.json', 'events/nxlog/sysmon3-powershell.json'];
    const args = ['replay', ...inputs, '--rules', rules, '--containers', iocs, '--out', out, '--no-progress', ...extra];
    const { status, stderr } = await cli(args);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const alerts = alertLines(out).map((a) => `${a.rule_id} ${a.format} ${a.level}`);
    expect(alerts.sort()).toEqual([...expected].sort());
  });
});
