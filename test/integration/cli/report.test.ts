/**
 * `hookstream report`: one self-contained HTML page that leads with severity. On a replay of the project's events/
 * (figures, rejected records, self-containment); on hand-written outputs (IPv6 and unresolvable addresses, an
 * all-rejected run, hostile event text); and on OTRF recordings replayed with SigmaHQ rules that include critical
 * and high ones, where headless Chromium shows every critical and high alert in the page's first table.
 * The Chromium and ../shared parts are skipped, with the reason in their title, when those are absent here.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openLocalTables } from '../../../cli/query/local-tables.js';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { renderReport, scriptJson } from '../../../cli/report/render-report.js';
import { classify, displayIp, loadReportData, type ReportData } from '../../../cli/report/report-data.js';
import { replayProjectEvents } from '../../helpers/replay-events.js';
import { describeUnless, itUnless, missing, sharedPath } from '../../helpers/skip.js';
import { cli } from './cli-in-process.js';
import {
  bars,
  chromiumMissing,
  countColour,
  firstTableAlerts,
  firstTableId,
  renderInChromium,
  severeAlerts,
  tableRows,
  tickLabels,
} from './report-chromium.js';

async function load(out: string): Promise<ReportData> {
  const connection = await openLocalTables(out);
  try {
    return await loadReportData(connection, out);
  } finally {
    connection.closeSync();
  }
}

function section(html: string, id: string): string {
  const match = new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  if (match === null) throw new Error(`no section ${id}`);
  return match[1] as string;
}

/** An output folder written by hand: events (and alerts, rejected) as gzip JSON lines in one partition. */
async function writeOutput(areas: Partial<Record<'events' | 'alerts' | 'rejected', object[]>>): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'hookstream-report-hand-'));
  for (const [area, lines] of Object.entries(areas)) {
    const folder = path.join(out, area, 'dt=2020-10-22', 'hour=05');
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, 'test.json.gz'),
      gzipSync(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`),
    );
  }
  return out;
}

function connection(ip: string, extra: Record<string, string> = {}): object {
  return {
    host: 'WS1',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    event_id: 3,
    time: '2020-10-22T05:54:21.520Z',
    DestinationIp: ip,
    DestinationPort: '443',
    DestinationHostname: '-',
    ...extra,
  };
}

describe('hookstream report on the project events', () => {
  let out: string;
  let data: ReportData;
  let html: string;
  let file: string;
  /** The replay's own summary: the figures the report must agree with (events/ grows as formats are added). */
  let summary: Awaited<ReturnType<typeof replayProjectEvents>>['result']['summary'];

  beforeAll(async () => {
    const replay = await replayProjectEvents('hookstream-report-');
    out = replay.out;
    summary = replay.result.summary;
    data = await load(out);
    file = path.join(out, 'report.html');
    const result = await cli(['report', out]);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/^wrote .*report\.html/) });
    html = await readFile(file, 'utf8');
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('reads the figures of the output, with the enriched share of the replay summary', () => {
    const alerts = summary.alerts.total;
    expect(alerts).toBeGreaterThan(0);
    expect(summary.alerts.byLevel).toEqual({ medium: alerts });
    expect(data.totals).toMatchObject({ alerts, hosts: 2, alertsByLevel: { medium: alerts } });
    expect(data.severe).toEqual([]);
    expect(data.other).toHaveLength(alerts);
    expect(data.rules).toEqual([expect.objectContaining({ alerts, level: 'medium', hosts: 1 })]);
    expect(data.points.reduce((n, p) => n + p.alerts, 0)).toBe(alerts);
    expect(data.hosts.map((h) => h.host)).toEqual(['workstation5', 'desktop-5sua567']);
    const { enriched, unresolved } = summary.connections;
    expect(enriched).toBeGreaterThan(0);
    expect(data.share).toMatchObject({ enriched, unresolved, lookedUp: enriched + unresolved });
    // The replay summary of the same input prints the same share ("enriched N (100.0% of those looked up)").
    expect(html).toContain(`${(100 * (data.share.share ?? 0)).toFixed(1)}%`);
    expect(data.share.share).toBe(enriched / (enriched + unresolved));
  });

  it('shows the rejected records, by reason', () => {
    expect(data.rejected.total).toBe(10);
    expect(data.rejected.byReason).toContainEqual({ reason: 'truncated gzip', records: 1 });
    const rejected = section(html, 'rejected');
    expect(rejected).toMatch(/data-value="10">10 records were rejected/);
    expect(rejected).toMatch(/truncated gzip/);
  });

  it('leads with the table of critical and high alerts (empty here), the others on demand', () => {
    expect(firstTableId(html)).toBe('severe-alerts');
    expect(section(html, 'severe')).toMatch(/No critical or high alerts in this output/);
    expect(section(html, 'other')).toMatch(/<details id="other-details">/);
    expect(tableRows(html, 'other-alerts')).toHaveLength(summary.alerts.total);
  });

  it('is self-contained: inline script and styles only, nothing from elsewhere', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:|file:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(|fetch\(|XMLHttpRequest/i);
  });

  it('draws the server-side charts as inline SVG with bars sized by the data', async () => {
    const share = bars(section(html, 'enrichment'));
    expect(share).toEqual([expect.objectContaining({ value: data.totals.connections, width: 1000 })]);
    // One bar per (host, destination) the data ranks, sized by its connections: together every connection replayed.
    const destinations = bars(section(html, 'destinations')).map((b) => b.value);
    expect(destinations).toEqual(data.hosts.flatMap((h) => h.destinations.map((d) => d.connections)));
    expect(destinations.reduce((n, v) => n + v, 0)).toBe(summary.connections.total);
    expect(section(html, 'unresolved')).toMatch(/Every connection looked up was named/);
  });

  it.each([[['report', '--out', 'no/such/out'], /no such output folder: no\/such\/out/]])(
    '%j fails with a message and no stack trace',
    async (args, message) => {
      const { status, stderr } = await cli(args);
      expect(status).not.toBe(0);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('--help prints usage', async () => {
    const { status, stdout } = await cli(['report', '--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: hookstream report \[options\] \[out\]/);
  });
});

describe('hookstream report on outputs written by hand', () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('prints IPv6 compressed, and groups loopback, link-local and multicast apart from the unresolved', async () => {
    const out = await writeOutput({
      events: [
        connection('0:0:0:0:0:0:0:1'),
        connection('::1'),
        connection('fe80:0:0:0:1c2d:0:0:5'),
        connection('ff02:0:0:0:0:0:0:fb', { DestinationPort: '5353' }),
        connection('2001:db8:0:0:0:0:0:7'),
        connection('203.0.113.9', { DestinationHostname: 'edge.example.net' }),
        connection('198.51.100.1', { DestinationHostname: 'named.example', DestinationHostnameSource: 'dns-host' }),
      ],
    });
    folders.push(out);
    const data = await load(out);
    expect(data.notLookedUp.map((u) => [u.ip, u.connections])).toEqual([
      ['::1', 2],
      ['fe80::1c2d:0:0:5', 1],
      ['ff02::fb', 1],
    ]);
    expect(data.unresolved.map((u) => u.ip).sort()).toEqual(['2001:db8::7', '203.0.113.9']);
    expect(data.unresolved.find((u) => u.ip === '203.0.113.9')?.sysmonName).toBe('edge.example.net');
    expect(data.share).toMatchObject({ enriched: 1, unresolved: 2, notLookedUp: 4, lookedUp: 3 });
    const html = renderReport(data, { out, generatedAt: new Date(0) });
    expect(html).not.toMatch(/0:0:0:0/);
    expect(section(html, 'not-looked-up')).toMatch(/>::1</);
    expect(section(html, 'unresolved')).not.toMatch(/::1|fe80|ff02/);
    expect(displayIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(displayIp('not an ip')).toBe('not an ip');
    expect(classify('', '', '169.254.10.1')).toEqual({ kind: 'not-looked-up' });
    expect(classify('', 'edge.example.net', '203.0.113.9')).toEqual({ kind: 'sysmon-name' });
  });

  it('an all-rejected run says what was rejected, and never that every connection was named', async () => {
    const out = await writeOutput({
      rejected: [
        { reason: 'truncated JSON', origin: 'a.json', raw_base64: '' },
        { reason: 'truncated JSON', origin: 'a.json', raw_base64: '' },
        { reason: 'host missing', origin: 'b.json', raw_base64: '' },
      ],
    });
    folders.push(out);
    const data = await load(out);
    expect(data.rejected).toEqual({
      total: 3,
      byReason: [
        { reason: 'truncated JSON', records: 2 },
        { reason: 'host missing', records: 1 },
      ],
      byOrigin: [
        { origin: 'a.json', records: 2 },
        { origin: 'b.json', records: 1 },
      ],
    });
    const html = renderReport(data, { out, generatedAt: new Date(0) });
    expect(html).not.toMatch(/Every connection/);
    expect(section(html, 'unresolved')).toMatch(/No Sysmon network connections in this output/);
    expect(section(html, 'rejected')).toMatch(/3 records were rejected/);
  });

  it('escapes every text that comes from events, in the markup and in the embedded data', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const event = connection('203.0.113.9', {
      host: `${hostile}</script><script>alert(2)</script>`,
      Image: `C:\\${hostile}.exe`,
      CommandLine: `"<script>alert(3)</script>" & '"`,
      DestinationHostname: `${hostile}.example`,
    });
    const out = await writeOutput({
      events: [event],
      alerts: [
        {
          time: '2020-10-22T05:54:21.520Z',
          host: (event as { host: string }).host,
          rule_id: '1',
          rule_title: `Rule ${hostile}`,
          level: 'critical',
          event,
        },
      ],
      rejected: [{ reason: `bad ${hostile}`, origin: `</details>${hostile}`, raw_base64: '' }],
    });
    folders.push(out);
    const html = renderReport(await load(out), { out, generatedAt: new Date(0) });
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<script>alert/);
    expect(html.match(/<script/g)).toHaveLength(2); // the JSON data and the page's own script
    expect(html).toMatch(/&lt;img src=x onerror=alert\(1\)&gt;/);
    expect(tableRows(html, 'severe-alerts')).toHaveLength(1);
    expect(scriptJson({ a: '</script><!--\u2028' })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });
});

/** OTRF recordings with some of the SigmaHQ rules that fire on them: critical, high and the frequent lower ones. */
const RECORDINGS = ['purplesharp_ad_playbook_I.zip', 'psh_cmstp_execution_bypassuac.zip'].map((name) =>
  sharedPath('datasets/otrf', name),
);
const RULES = [
  'process_creation/proc_creation_win_hktl_purplesharp_indicators.yml', // critical
  'process_creation/proc_creation_win_uac_bypass_cmstp.yml', // high
  'process_creation/proc_creation_win_uac_bypass_cmstp_com_object_access.yml', // high
  'registry/registry_event/registry_event_cmstp_execution_by_registry.yml', // high
  'builtin/security/win_security_audit_log_cleared.yml', // high
  'powershell/powershell_module/posh_pm_alternate_powershell_hosts.yml', // medium, 273 alerts
  'registry/registry_set/registry_set_persistence_ie.yml', // low, 168 alerts
  'builtin/security/win_security_user_logoff.yml', // informational
].map((rule) => sharedPath('sigma/rules/windows', rule));

describeUnless(missing(...RECORDINGS, ...RULES))('hookstream report on OTRF recordings with SigmaHQ rules', () => {
  let out: string;
  let file: string;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-report-otrf-'));
    await runReplay({ inputs: RECORDINGS, out, rules: RULES, enrich: true, enrichment: {}, dedupeFields: ['host'] });
    file = path.join(out, 'report.html');
    await writeFile(file, renderReport(await load(out), { out, generatedAt: new Date() }));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('puts every critical and high alert in the first table of the page, critical first', async () => {
    const expected = await severeAlerts(out);
    expect(expected.filter((a) => a.endsWith('|critical'))).toHaveLength(2);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const found = firstTableAlerts(await readFile(file, 'utf8'));
    expect(found).toEqual({ first: 'severe-alerts', alerts: expected, criticalFirst: true });
  });

  itUnless(chromiumMissing)(
    'in headless Chromium: the first table holds every critical and high alert, the time axis is drawn with ticks that do not overlap',
    async () => {
      const expected = await severeAlerts(out);
      const { dom, png } = await renderInChromium(file, path.join(out, 'report.png'));

      expect(firstTableAlerts(dom)).toEqual({ first: 'severe-alerts', alerts: expected, criticalFirst: true });
      // The page's script drew the time axis: bars for every alert, labelled ticks left to right, none touching.
      const chart = section(dom, 'alerts-over-time');
      const drawn = bars(chart);
      expect(drawn.reduce((n, b) => n + b.value, 0)).toBe((await load(out)).totals.alerts);
      expect(drawn.every((b) => b.width > 0 && b.height > 0)).toBe(true);
      const ticks = tickLabels(chart);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < ticks.length; i++) {
        const [a, b] = [ticks[i - 1], ticks[i]] as [(typeof ticks)[0], (typeof ticks)[0]];
        expect(b.x - b.width / 2).toBeGreaterThan(a.x + a.width / 2);
      }
      // Painted: the critical level's badge colour is on screen (the first table is at the top).
      expect(countColour(png as Buffer, [0x7f, 0x1d, 0x1d])).toBeGreaterThan(200);
    },
  );
});
