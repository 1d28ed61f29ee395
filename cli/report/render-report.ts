/**
 * The report as one self-contained HTML page that leads with severity: every critical and high alert in the first
 * table, then the time axis, the other alerts on demand, rules by level, hosts, rejected input, enrichment. Inline
 * CSS, inline SVG and one inline script (the time axis and filters, cli/report/page-script.ts); no fonts, images or
 * links from elsewhere, so it opens from a mail attachment or an air-gapped share the same way. The tables are in
 * the HTML itself and readable without the script.
 *
 * Every text that comes from events (hosts, rules, command lines, reasons, origins) is escaped, in markup and in the
 * embedded JSON alike: event fields are hostile.
 */
import { formatEnrichedShare } from '../../src/pipeline/enriched-share.js';
import { PAGE_SCRIPT, TIME_AXIS_SCRIPT } from './page-script.js';
import { type AlertRow, LEVELS, levelRank, type ReportData } from './report-data.js';
import { escapeXml, formatCount, horizontalBarChart, shareBar } from './svg-charts.js';

const LEVEL_COLORS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#f59e0b',
  low: '#3b82f6',
  informational: '#94a3b8',
};
const OTHER_LEVEL = '#64748b';

const SOURCE_COLORS = ['#15803d', '#22c55e', '#86efac', '#4d7c0f'];
const CLASS_COLORS = { 'sysmon-name': '#fb923c', 'no-name': '#ef4444', 'not-looked-up': '#cbd5e1' } as const;
const NAMED = '#2563eb';
const IP_ONLY = '#94a3b8';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:28px 24px 40px}
header h1{margin:0;font-size:26px;letter-spacing:-.01em}
header p{margin:4px 0 0;color:#475569}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:22px 0}
.kpi{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.kpi .n{font-size:24px;font-weight:650}
.kpi .t{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi.alarm .n{color:#b91c1c}
section{background:#fff;border-radius:10px;padding:18px 20px 14px;margin:0 0 16px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
section h2{margin:0 0 2px;font-size:17px}
section p.caption{margin:0 0 12px;color:#64748b;font-size:13px}
.notice{background:#fef3c7;border-left:4px solid #f59e0b;padding:8px 12px;margin:0 0 12px;border-radius:4px}
.filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:end;font-size:13px}
.filters label{display:flex;flex-direction:column;color:#475569;gap:2px}
.filters input,.filters select,.filters button{font:inherit;padding:3px 6px}
#filter-shown{color:#b91c1c;font-weight:600}
table.alerts,table.list{border-collapse:collapse;width:100%;font-size:13px}
table th{text-align:left;color:#475569;font-weight:600;border-bottom:2px solid #e2e8f0;padding:4px 6px;white-space:nowrap}
table td{border-bottom:1px solid #f1f5f9;padding:4px 6px;vertical-align:top}
table th.n{text-align:right}
table.list td.n:first-child{width:6em}
table td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
table code{display:block;max-height:5.8em;overflow:auto;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;white-space:pre-wrap;color:#334155}
table.alerts td.rule{min-width:190px}
table .image{font-weight:600;word-break:break-all}
.level{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
.level.medium{color:#0f172a}
.meter{display:inline-block;height:10px;border-radius:2px;vertical-align:-1px}
details summary{cursor:pointer;font-weight:600;margin:4px 0 8px}
a[data-filter-host]{color:#1d4ed8;cursor:pointer}
.hosts{display:grid;grid-template-columns:1fr 1fr;gap:10px 24px}
.hosts h3{margin:6px 0 2px;font-size:14px}
.hosts h3 span{color:#64748b;font-weight:400}
svg.chart{display:block;overflow:visible}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:12px;fill:#334155}
svg text.value{fill:#0f172a;font-weight:600}
svg tspan.note{fill:#475569;font-weight:400}
svg text.axis{fill:#64748b;font-size:11px}
svg text.inside{fill:#fff;font-weight:650;font-size:13px}
svg text.legend{font-size:13px}
svg text.strong{font-weight:650}
svg text.empty{fill:#94a3b8;font-size:14px}
svg line.grid{stroke:#e2e8f0;stroke-width:1}
svg line.baseline,svg line.tick{stroke:#94a3b8;stroke-width:1}
.key{display:flex;gap:16px;color:#475569;font-size:12px;margin:4px 0 8px}
.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
footer{color:#94a3b8;font-size:12px;text-align:center;margin-top:18px}
`;

function levelColor(level: string): string {
  return LEVEL_COLORS[level.toLowerCase()] ?? OTHER_LEVEL;
}

/** `443` or `53, 88, 135 +4`, numerically. */
function portList(ports: string): string {
  const sorted = [...new Set(ports.split(',').filter(Boolean))].sort((a, b) => Number(a) - Number(b));
  if (sorted.length === 0) return 'port ?';
  const shown = sorted.slice(0, 3).join(', ');
  return `${sorted.length === 1 ? 'port' : 'ports'} ${shown}${sorted.length > 3 ? ` +${sorted.length - 3}` : ''}`;
}

function key(entries: readonly [string, string][]): string {
  return `<div class="key">${entries.map(([color, label]) => `<span><i style="background:${color}"></i>${escapeXml(label)}</span>`).join('')}</div>`;
}

function section(title: string, caption: string, body: string, id: string): string {
  return `<section id="${id}"><h2>${escapeXml(title)}</h2><p class="caption">${escapeXml(caption)}</p>${body}</section>`;
}

function levelBadge(level: string): string {
  const known = (LEVELS as readonly string[]).includes(level) ? ` ${level}` : '';
  return `<span class="level${known}" style="background:${levelColor(level)}">${escapeXml(level)}</span>`;
}

/** `2020-10-22T08:29:52.016Z` -> `2020-10-22 08:29:52.016` (UTC, as written). */
function timeText(time: string): string {
  return time.replace('T', ' ').replace(/Z$/, '');
}

/** JSON inside a `<script>` element: no `<` at all, so no `</script>` or `<!--` can come from the data. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function alertTable(id: string, alerts: readonly AlertRow[], empty: string): string {
  const head =
    '<thead><tr><th>time (UTC)</th><th>host</th><th>level</th><th>rule</th><th>process and command line</th><th>destination</th><th>target</th></tr></thead>';
  const body =
    alerts.length === 0
      ? `<tr class="none"><td colspan="7">${escapeXml(empty)}</td></tr>`
      : alerts
          .map(
            (a) =>
              `<tr data-t="${Number.isNaN(a.ms) ? '' : a.ms}" data-host="${escapeXml(a.host.toLowerCase())}" data-level="${escapeXml(a.level)}">` +
              `<td class="time">${escapeXml(timeText(a.time))}</td>` +
              `<td>${escapeXml(a.host)}</td>` +
              `<td>${levelBadge(a.level)}</td>` +
              `<td class="rule" title="${escapeXml(a.ruleId)}">${escapeXml(a.rule)}</td>` +
              `<td>${a.image ? `<div class="image">${escapeXml(a.image)}</div>` : ''}${a.commandLine ? `<code>${escapeXml(a.commandLine)}</code>` : ''}</td>` +
              `<td>${escapeXml(a.destination)}</td>` +
              `<td>${a.target ? `<code>${escapeXml(a.target)}</code>` : ''}</td></tr>`,
          )
          .join('');
  return `<table class="alerts" id="${id}">${head}<tbody>${body}</tbody></table>`;
}

function rulesTable(data: ReportData): string {
  if (data.rules.length === 0) return '<p>No alerts in this output.</p>';
  const max = Math.max(...data.rules.map((r) => r.alerts), 1);
  const rows = data.rules
    .map(
      (r) =>
        `<tr data-level="${escapeXml(r.level)}"><td>${levelBadge(r.level)}</td><td>${escapeXml(r.rule)}</td>` +
        `<td class="n">${formatCount(r.alerts)}</td><td><span class="meter" style="width:${Math.max(2, (160 * r.alerts) / max).toFixed(0)}px;background:${levelColor(r.level)}"></span></td>` +
        `<td class="n">${formatCount(r.hosts)}</td></tr>`,
    )
    .join('');
  return `<table class="list" id="rules"><thead><tr><th>level</th><th>rule</th><th class="n">alerts</th><th></th><th class="n">hosts</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function hostsTable(data: ReportData): string {
  if (data.hostSummaries.length === 0) return '<p>No hosts in this output.</p>';
  const levels = [...LEVELS];
  const rows = data.hostSummaries
    .map(
      (h) =>
        `<tr><td><a data-filter-host="${escapeXml(h.host)}" href="#filters">${escapeXml(h.host)}</a></td>` +
        levels.map((level) => `<td class="n">${h.alerts[level] ? formatCount(h.alerts[level]) : ''}</td>`).join('') +
        `<td class="n">${formatCount(h.events)}</td><td class="n">${formatCount(h.connections)}</td></tr>`,
    )
    .join('');
  return `<table class="list" id="host-table"><thead><tr><th>host</th>${levels.map((l) => `<th class="n">${l}</th>`).join('')}<th class="n">events</th><th class="n">connections</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function rejectedSection(data: ReportData): string {
  const r = data.rejected;
  if (r.total === 0) {
    return section(
      'Rejected input',
      'Records that did not read as events are written to rejected/ with their reason.',
      '<p id="rejected-count" data-value="0">No record was rejected.</p>',
      'rejected',
    );
  }
  const reasons = r.byReason
    .map((x) => `<tr><td class="n">${formatCount(x.records)}</td><td>${escapeXml(x.reason)}</td></tr>`)
    .join('');
  const origins = r.byOrigin
    .map((x) => `<tr><td class="n">${formatCount(x.records)}</td><td><code>${escapeXml(x.origin)}</code></td></tr>`)
    .join('');
  const body =
    `<p class="notice" id="rejected-count" data-value="${r.total}">${formatCount(r.total)} ${r.total === 1 ? 'record was' : 'records were'} rejected: not in the events, alerts or figures above. They are kept under rejected/ with their reason and bytes.</p>` +
    `<table class="list" id="rejected-reasons"><thead><tr><th class="n">records</th><th>reason</th></tr></thead><tbody>${reasons}</tbody></table>` +
    `<details><summary>Input files with the most rejected records</summary><table class="list"><thead><tr><th class="n">records</th><th>input</th></tr></thead><tbody>${origins}</tbody></table></details>`;
  return section('Rejected input', 'Records that did not read as events, by reason.', body, 'rejected');
}

/** Days (or months, when there are more than 60 days) with alerts, for the period filter. */
function periods(data: ReportData): { from: number; to: number; label: string }[] {
  const day = 86_400_000;
  const byDay = new Map<number, number>();
  for (const p of data.points) {
    const start = Math.floor((p.minute * 60_000) / day) * day;
    byDay.set(start, (byDay.get(start) ?? 0) + p.alerts);
  }
  if (byDay.size <= 60) {
    return [...byDay]
      .sort((a, b) => a[0] - b[0])
      .map(([start, n]) => ({
        from: start,
        to: start + day - 1000,
        label: `${new Date(start).toISOString().slice(0, 10)} (${formatCount(n)} alerts)`,
      }));
  }
  const byMonth = new Map<string, number>();
  for (const [start, n] of byDay) {
    const month = new Date(start).toISOString().slice(0, 7);
    byMonth.set(month, (byMonth.get(month) ?? 0) + n);
  }
  return [...byMonth]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([month, n]) => {
      const from = Date.parse(`${month}-01T00:00:00Z`);
      const next = new Date(from);
      next.setUTCMonth(next.getUTCMonth() + 1);
      return { from, to: next.getTime() - 1000, label: `${month} (${formatCount(n)} alerts)` };
    });
}

/** What the page's script reads: the alert points (minute, host index, level index, count) and the filter lists. */
function pageData(data: ReportData) {
  const hosts = [...new Set(data.points.map((p) => p.host))].sort();
  const levels = [...new Set(data.points.map((p) => p.level))].sort((a, b) => levelRank(a) - levelRank(b));
  const minutes = data.points.map((p) => p.minute);
  return {
    first: minutes.length === 0 ? null : Math.min(...minutes) * 60_000,
    last: minutes.length === 0 ? null : Math.max(...minutes) * 60_000,
    hosts,
    levels,
    colors: levels.map(levelColor),
    points: data.points.map((p) => [p.minute, hosts.indexOf(p.host), levels.indexOf(p.level), p.alerts]),
    periods: periods(data),
  };
}

export interface RenderOptions {
  /** The output folder the figures come from, for the header. */
  out: string;
  generatedAt: Date;
}

export function renderReport(data: ReportData, options: RenderOptions): string {
  const t = data.totals;
  const share = data.share;
  const range = t.firstTime && t.lastTime ? `events from ${t.firstTime} to ${t.lastTime}` : 'no events';
  const critical = t.alertsByLevel.critical ?? 0;
  const high = t.alertsByLevel.high ?? 0;
  const kpis = [
    [
      formatCount(critical + high),
      `critical ${formatCount(critical)} · high ${formatCount(high)}`,
      critical + high > 0,
    ],
    [formatCount(t.alerts), 'alerts', false],
    [formatCount(t.events), 'events', false],
    [
      formatEnrichedShare(share),
      `enriched (${formatCount(share.enriched)} of ${formatCount(share.lookedUp)} looked up)`,
      false,
    ],
    [formatCount(t.hosts), 'hosts', false],
    [formatCount(data.rejected.total), 'records rejected', data.rejected.total > 0],
  ]
    .map(
      ([n, label, alarm]) =>
        `<div class="kpi${alarm ? ' alarm' : ''}"><div class="n">${escapeXml(n as string)}</div><div class="t">${escapeXml(label as string)}</div></div>`,
    )
    .join('');

  const filters = `<section id="filters" hidden><h2>Filter</h2><p class="caption">Time range (UTC, event time) and host: applies to the time axis and both alert tables.</p>
<div class="filters"><label>period<select id="filter-period"><option value="">whole output</option></select></label>
<label>from<input type="datetime-local" step="1" id="filter-from"></label>
<label>to<input type="datetime-local" step="1" id="filter-to"></label>
<label>host<select id="filter-host"><option value="">every host</option></select></label>
<button type="button" id="filter-reset">reset</button><span id="filter-shown"></span></div></section>`;

  const severeCaption =
    'Every alert of a critical or high rule, critical first, then by event time. The process, its command line and the destination come from the matched event.';
  const severe = section(
    `Critical and high alerts (${formatCount(data.severe.length)})`,
    severeCaption,
    alertTable('severe-alerts', data.severe, 'No critical or high alerts in this output.'),
    'severe',
  );

  const untimed =
    data.untimedAlerts > 0 ? ` ${formatCount(data.untimedAlerts)} alerts have no readable time and are not drawn.` : '';
  const timeline = `<section id="alerts-over-time"><h2>Alerts over time</h2><p class="caption" id="timeline-caption">UTC, event time, stacked by level.${escapeXml(untimed)}</p><div id="timeline-chart"></div><noscript><p>The time axis is drawn by the page's script; the tables list every alert.</p></noscript></section>`;

  const cut =
    data.otherTotal > data.other.length
      ? ` The first ${formatCount(data.other.length)} of ${formatCount(data.otherTotal)} are listed (hookstream timeline lists them all).`
      : '';
  const other = section(
    `Other alerts (${formatCount(data.otherTotal)})`,
    `Medium, low and informational alerts, by level then event time.${cut}`,
    `<details id="other-details"><summary>Show the ${formatCount(data.other.length)} other alerts</summary>${alertTable('other-alerts', data.other, 'No other alerts.')}</details>`,
    'other',
  );

  let sourceIndex = 0;
  const enrichment = shareBar(
    data.enrichment.map((e) => ({
      label: e.label,
      value: e.connections,
      color:
        e.kind === 'enriched' ? (SOURCE_COLORS[sourceIndex++ % SOURCE_COLORS.length] as string) : CLASS_COLORS[e.kind],
    })),
    {
      emptyMessage: 'No Sysmon network connections in this output',
      ariaLabel: 'Share of connections enriched, by source',
    },
  );
  const enrichmentCaption = `Sysmon network connections (event 3) by where their destination name came from. Enriched: ${formatEnrichedShare(share)} of the ${formatCount(share.lookedUp)} connections looked up (${formatCount(share.notLookedUp)} not looked up on purpose), the share the replay summary prints.`;

  const destinations =
    data.hosts.length === 0
      ? horizontalBarChart([], {
          emptyMessage: 'No Sysmon network connections in this output',
          ariaLabel: 'Top destinations per host',
        })
      : `${key([
          [NAMED, 'destination name'],
          [IP_ONLY, 'IP only (no name)'],
        ])}<div class="hosts">${data.hosts
          .map(
            (h) =>
              `<div><h3>${escapeXml(h.host)} <span>${formatCount(h.connections)} connections</span></h3>${horizontalBarChart(
                h.destinations.map((d) => ({
                  label: d.destination,
                  value: d.connections,
                  color: d.named ? NAMED : IP_ONLY,
                })),
                {
                  width: 520,
                  labelWidth: 230,
                  valueWidth: 50,
                  emptyMessage: 'none',
                  ariaLabel: `Top destinations of ${h.host}`,
                },
              )}</div>`,
          )
          .join('')}</div>`;

  const noConnections = t.connections === 0;
  const unresolvedChart = horizontalBarChart(
    data.unresolved.map((u) => ({
      label: u.ip,
      value: u.connections,
      color: CLASS_COLORS[u.sysmonName ? 'sysmon-name' : 'no-name'],
      note: `${portList(u.ports)} · ${u.hosts} ${u.hosts === 1 ? 'host' : 'hosts'}${u.sysmonName ? ` · Sysmon: ${u.sysmonName}` : ''}`,
    })),
    {
      labelWidth: 260,
      emptyMessage: noConnections
        ? 'No Sysmon network connections in this output'
        : 'Every connection looked up was named: nothing unresolved',
      ariaLabel: 'Unresolved connections by destination IP',
    },
  );
  const unresolved =
    (data.unresolved.length > 0
      ? key([
          [CLASS_COLORS['sysmon-name'], "no DNS answer, Sysmon's own name"],
          [CLASS_COLORS['no-name'], 'no DNS answer, no name'],
        ])
      : '') + unresolvedChart;
  const notLookedUp = horizontalBarChart(
    data.notLookedUp.map((u) => ({
      label: u.ip,
      value: u.connections,
      color: CLASS_COLORS['not-looked-up'],
      note: `${portList(u.ports)} · ${u.hosts} ${u.hosts === 1 ? 'host' : 'hosts'}`,
    })),
    {
      labelWidth: 260,
      emptyMessage: noConnections ? 'No Sysmon network connections in this output' : 'None',
      ariaLabel: 'Connections not looked up, by destination IP',
    },
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>hookstream report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>hookstream report</h1><p>${escapeXml(`${options.out} · ${range} · generated ${options.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`)}</p></header>
<div class="kpis">${kpis}</div>
${severe}
${filters}
${timeline}
${other}
${section('Alerts by rule', 'Every rule that fired, most severe level first, then most alerts.', rulesTable(data), 'alerts-by-rule')}
${section('Hosts', 'Alerts per level and events of each host; a host name filters the time axis and the alert tables.', hostsTable(data), 'hosts')}
${rejectedSection(data)}
${section('Connections enriched', enrichmentCaption, enrichment, 'enrichment')}
${section('Top destinations per host', 'The busiest hosts and the destinations they connected to most: the name when known, else the IP.', destinations, 'destinations')}
${section('Unresolved connections', 'Destination IPs of the connections enrichment looked up but could not name (no DNS answer on the host), most connections first.', unresolved, 'unresolved')}
${section('Not looked up', 'Loopback, link-local, multicast and connections with no IP: enrichment does not look these up, so they are not counted as unresolved.', notLookedUp, 'not-looked-up')}
<footer>hookstream · figures computed locally with DuckDB from the events/, alerts/ and rejected/ output · no external resources</footer>
</main>
<script type="application/json" id="report-data">${scriptJson(pageData(data))}</script>
<script>${TIME_AXIS_SCRIPT}${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
