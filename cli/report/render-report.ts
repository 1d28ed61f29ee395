/**
 * The report as one self-contained HTML page: inline CSS and inline SVG, no scripts, no fonts, no links out, so it
 * opens from a mail attachment or an air-gapped share the same way.
 */
import type { ReportData } from './report-data.js';
import { escapeXml, formatCount, horizontalBarChart, shareBar, stackedColumnChart } from './svg-charts.js';

const LEVEL_COLORS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#f59e0b',
  low: '#3b82f6',
  informational: '#94a3b8',
};
const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];
const OTHER_LEVEL = '#64748b';

const SOURCE_COLORS = ['#15803d', '#22c55e', '#86efac', '#4d7c0f'];
const CLASS_COLORS = { 'sysmon-name': '#fb923c', 'no-name': '#ef4444', 'not-looked-up': '#cbd5e1' } as const;
const NAMED = '#2563eb';
const IP_ONLY = '#94a3b8';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 40px}
header h1{margin:0;font-size:26px;letter-spacing:-.01em}
header p{margin:4px 0 0;color:#475569}
.kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:22px 0}
.kpi{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.kpi .n{font-size:24px;font-weight:650}
.kpi .t{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
section{background:#fff;border-radius:10px;padding:18px 20px 14px;margin:0 0 16px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
section h2{margin:0 0 2px;font-size:17px}
section p.caption{margin:0 0 12px;color:#64748b;font-size:13px}
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
svg line.baseline{stroke:#94a3b8;stroke-width:1}
.key{display:flex;gap:16px;color:#475569;font-size:12px;margin:4px 0 8px}
.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
footer{color:#94a3b8;font-size:12px;text-align:center;margin-top:18px}
`;

function levelColor(level: string): string {
  return LEVEL_COLORS[level.toLowerCase()] ?? OTHER_LEVEL;
}

function levelRank(level: string): number {
  const rank = LEVEL_ORDER.indexOf(level.toLowerCase());
  return rank === -1 ? LEVEL_ORDER.length : rank;
}

/** `2020-10-22T05` -> `10-22 05:00`, with the year when the hours span more than one. */
function bucketLabel(bucket: string, withYear: boolean): string {
  return `${bucket.slice(withYear ? 0 : 5, 10)} ${bucket.slice(11, 13)}:00`;
}

/** `443` or `53, 88, 135 +4`, numerically. */
function portList(ports: string): string {
  const sorted = [...new Set(ports.split(',').filter(Boolean))].sort((a, b) => Number(a) - Number(b));
  if (sorted.length === 0) return 'port ?';
  const shown = sorted.slice(0, 3).join(', ');
  return `${sorted.length === 1 ? 'port' : 'ports'} ${shown}${sorted.length > 3 ? ` +${sorted.length - 3}` : ''}`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}

function key(entries: readonly [string, string][]): string {
  return `<div class="key">${entries.map(([color, label]) => `<span><i style="background:${color}"></i>${escapeXml(label)}</span>`).join('')}</div>`;
}

function section(title: string, caption: string, body: string, id: string): string {
  return `<section id="${id}"><h2>${escapeXml(title)}</h2><p class="caption">${escapeXml(caption)}</p>${body}</section>`;
}

export interface RenderOptions {
  /** The output folder the figures come from, for the header. */
  out: string;
  generatedAt: Date;
}

export function renderReport(data: ReportData, options: RenderOptions): string {
  const t = data.totals;
  const enriched = data.enrichment.filter((e) => e.kind === 'enriched').reduce((n, e) => n + e.connections, 0);
  const range = t.firstTime && t.lastTime ? `events from ${t.firstTime} to ${t.lastTime}` : 'no events';
  const kpis = [
    [formatCount(t.events), 'events'],
    [formatCount(t.connections), 'network connections'],
    [percent(enriched, t.connections), `enriched (${formatCount(enriched)})`],
    [formatCount(t.alerts), 'alerts'],
    [formatCount(t.hosts), 'hosts'],
  ]
    .map(
      ([n, label]) =>
        `<div class="kpi"><div class="n">${escapeXml(n as string)}</div><div class="t">${escapeXml(label as string)}</div></div>`,
    )
    .join('');

  const levels = [...data.timeline.byLevel].sort((a, b) => levelRank(a.level) - levelRank(b.level));
  const timeline = stackedColumnChart(
    data.timeline.buckets.map((b) => bucketLabel(b, new Set(data.timeline.buckets.map((x) => x.slice(0, 4))).size > 1)),
    levels.map((l) => ({ name: l.level, color: levelColor(l.level), values: l.counts })),
    { emptyMessage: 'No alerts in this output', ariaLabel: 'Alerts per hour by level' },
  );
  const rules = horizontalBarChart(
    data.rules.map((r) => ({
      label: r.rule,
      value: r.alerts,
      color: levelColor(r.level),
      note: `${r.level} · ${r.hosts} ${r.hosts === 1 ? 'host' : 'hosts'}`,
    })),
    { labelWidth: 430, emptyMessage: 'No alerts in this output', ariaLabel: 'Alerts by rule' },
  );
  let sourceIndex = 0;
  const share = shareBar(
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
  const hosts =
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
  const unresolved =
    (data.unresolved.length > 0
      ? key([
          [CLASS_COLORS['sysmon-name'], "no DNS answer, Sysmon's own name"],
          [CLASS_COLORS['no-name'], 'no DNS answer, no name'],
          [CLASS_COLORS['not-looked-up'], 'not looked up (loopback, link-local, multicast)'],
        ])
      : '') +
    horizontalBarChart(
      data.unresolved.map((u) => ({
        label: u.ip,
        value: u.connections,
        color: CLASS_COLORS[u.lookedUp ? (u.sysmonName ? 'sysmon-name' : 'no-name') : 'not-looked-up'],
        note: `${portList(u.ports)} · ${u.hosts} ${u.hosts === 1 ? 'host' : 'hosts'}${u.sysmonName ? ` · Sysmon: ${u.sysmonName}` : ''}`,
      })),
      {
        labelWidth: 220,
        emptyMessage: 'Every connection was named: nothing unresolved',
        ariaLabel: 'Unresolved connections by destination IP',
      },
    );

  const timelineCaption = data.timeline.gapsOmitted
    ? 'Rule matches per hour (UTC, event time), stacked by level: the alerts span too many hours to draw, so only the hours with alerts are shown (the latest 72 at most).'
    : 'Rule matches per hour (UTC, event time), stacked by level.';
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
${section('Alerts over time', timelineCaption, timeline, 'alerts-over-time')}
${section('Alerts by rule', 'Most frequent rules; colour is the rule level.', rules, 'alerts-by-rule')}
${section('Connections enriched', 'Sysmon network connections (event 3) by where their destination name came from.', share, 'enrichment')}
${section('Top destinations per host', 'The busiest hosts and the destinations they connected to most: the name when known, else the IP.', hosts, 'destinations')}
${section('Unresolved connections', 'Destination IPs of the connections that got no name from DNS, most connections first.', unresolved, 'unresolved')}
<footer>hookstream · figures computed locally with DuckDB from the events/ and alerts/ output · no external resources</footer>
</main>
</body>
</html>
`;
}
