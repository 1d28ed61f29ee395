/**
 * The figures of the HTML report, read with DuckDB from the `events` and `alerts` views over an output folder (and
 * from `rejected/`, which has no Glue table). Everything the page shows comes from here; text from events is kept as
 * it is (the renderer escapes it).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { canonicalIp, isEnrichableDestination } from '../../src/dns/canonical-ip.js';
import { type ConnectionCounts, type EnrichedShare, enrichedShare } from '../../src/pipeline/enriched-share.js';

const SYSMON_CONNECTION = "channel = 'Microsoft-Windows-Sysmon/Operational' AND event_id = 3";
/** Sysmon writes `-` when it has no name. */
const NAME = "nullif(nullif(lower(destinationhostname), ''), '-')";
const ENRICHED = "coalesce(destinationhostnamesource, '') <> ''";

/** Sigma levels, most severe first; anything else sorts after them. */
export const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
/** The levels of the first table. */
export const SEVERE_LEVELS: readonly string[] = ['critical', 'high'];

/** 0 for critical ... 4 for informational, 5 for any other text. */
export function levelRank(level: string): number {
  const rank = (LEVELS as readonly string[]).indexOf(level.toLowerCase());
  return rank === -1 ? LEVELS.length : rank;
}

const LEVEL_RANK_SQL = `CASE lower(level) ${LEVELS.map((l, i) => `WHEN '${l}' THEN ${i}`).join(' ')} ELSE ${LEVELS.length} END`;

export interface ReportTotals {
  events: number;
  connections: number;
  hosts: number;
  alerts: number;
  /** Alerts per level (lower case), every level present. */
  alertsByLevel: Record<string, number>;
  /** ISO times of the first and last event; undefined with no events. */
  firstTime?: string;
  lastTime?: string;
}

/** One alert as a responder reads it: what fired, where, and the process and destination involved. */
export interface AlertRow {
  /** ISO event time as written; `ms` is it parsed (NaN when unreadable). */
  time: string;
  ms: number;
  host: string;
  rule: string;
  ruleId: string;
  level: string;
  image: string;
  commandLine: string;
  /** The destination name, else `ip:port`, for connections; '' otherwise. */
  destination: string;
  /** The object acted on when there is one: a file, registry key, DNS query name or target process. */
  target: string;
}

export interface RuleCount {
  rule: string;
  level: string;
  alerts: number;
  hosts: number;
}

/** Alerts per minute, host and level: the data of the time axis, which the page bins and filters itself. */
export interface AlertPoint {
  minute: number;
  host: string;
  level: string;
  alerts: number;
}

export interface HostSummary {
  host: string;
  events: number;
  connections: number;
  /** Alerts per level (lower case). */
  alerts: Record<string, number>;
}

export interface HostDestinations {
  host: string;
  connections: number;
  /** Top destinations: the name when known, else the IP (`named` false). */
  destinations: { destination: string; named: boolean; connections: number }[];
}

/** How a connection got (or did not get) its name. */
export type EnrichmentClass =
  | { kind: 'enriched'; source: string }
  | { kind: 'sysmon-name' }
  | { kind: 'no-name' }
  | { kind: 'not-looked-up' };

export interface UnresolvedDestination {
  /** Canonical text (IPv6 compressed as RFC 5952), or the raw text when it is not an IP. */
  ip: string;
  connections: number;
  hosts: number;
  ports: string;
  /** false: loopback, link-local, multicast, no IP: enrichment skips these on purpose. */
  lookedUp: boolean;
  sysmonName?: string;
}

/** What of the input did not become events: records rejected (by reason), as written to `rejected/`. */
export interface RejectedInputs {
  total: number;
  byReason: { reason: string; records: number }[];
  /** The input files (origins) with the most rejected records. */
  byOrigin: { origin: string; records: number }[];
}

export interface ReportData {
  totals: ReportTotals;
  /** Every critical and high alert: critical first, then by time. */
  severe: AlertRow[];
  /** The other alerts, most severe level first then by time, at most `limits.otherAlerts`. */
  other: AlertRow[];
  /** How many other alerts there are in all (more than `other.length` when cut). */
  otherTotal: number;
  points: AlertPoint[];
  /** Alerts whose time does not parse (not on the time axis). */
  untimedAlerts: number;
  rules: RuleCount[];
  hostSummaries: HostSummary[];
  hosts: HostDestinations[];
  enrichment: { label: string; kind: EnrichmentClass['kind']; connections: number }[];
  /** The one definition of the enriched share (src/pipeline/enriched-share.ts), as the replay summary prints it. */
  share: EnrichedShare & ConnectionCounts & { notLookedUp: number };
  /** Looked up, no name found. */
  unresolved: UnresolvedDestination[];
  /** Not looked up on purpose (loopback, link-local, multicast, no IP). */
  notLookedUp: UnresolvedDestination[];
  rejected: RejectedInputs;
}

export interface ReportLimits {
  /** Most alerts in the table of other (medium, low, informational) alerts. */
  otherAlerts: number;
  rules: number;
  hosts: number;
  destinationsPerHost: number;
  unresolved: number;
  rejectedOrigins: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  otherAlerts: 2000,
  rules: 200,
  hosts: 6,
  destinationsPerHost: 8,
  unresolved: 15,
  rejectedOrigins: 10,
};

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

const num = (value: unknown): number => Number(value ?? 0);
const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/** An IP as the page prints it: canonical (IPv6 compressed) when it parses, else as written. */
export function displayIp(ip: string): string {
  return canonicalIp(ip) ?? ip;
}

async function loadTotals(connection: DuckDBConnection): Promise<ReportTotals> {
  const [events] = await rows(
    connection,
    `SELECT count(*) AS events, count(*) FILTER (WHERE ${SYSMON_CONNECTION}) AS connections,
            count(DISTINCT lower(host)) AS hosts, min(time) AS first, max(time) AS last FROM events`,
  );
  const levels = await rows(connection, 'SELECT lower(level) AS level, count(*) AS alerts FROM alerts GROUP BY 1');
  const alertsByLevel = Object.fromEntries(levels.map((row) => [str(row.level) || 'unknown', num(row.alerts)]));
  return {
    events: num(events?.events),
    connections: num(events?.connections),
    hosts: num(events?.hosts),
    alerts: Object.values(alertsByLevel).reduce((sum, n) => sum + n, 0),
    alertsByLevel,
    firstTime: events?.first ? str(events.first) : undefined,
    lastTime: events?.last ? str(events.last) : undefined,
  };
}

const ALERT_COLUMNS = `time, host, coalesce(rule_title, rule_id) AS rule, rule_id, lower(level) AS level,
  event.image AS image, event.commandline AS commandline, event.destinationhostname AS dname,
  event.destinationip AS dip, event.destinationport AS dport,
  coalesce(event.targetfilename, event.targetobject, event.queryname, event.targetimage) AS target`;

function alertRow(row: Record<string, unknown>): AlertRow {
  const name = str(row.dname);
  const ip = str(row.dip);
  const named = name !== '' && name !== '-';
  const port = str(row.dport);
  const destination = named ? name : ip === '' ? '' : `${displayIp(ip)}${port ? `:${port}` : ''}`;
  return {
    time: str(row.time),
    ms: Date.parse(str(row.time)),
    host: str(row.host),
    rule: str(row.rule),
    ruleId: str(row.rule_id),
    level: str(row.level) || 'unknown',
    image: str(row.image),
    commandLine: str(row.commandline),
    destination,
    target: str(row.target),
  };
}

async function loadAlerts(
  connection: DuckDBConnection,
  limit: number,
): Promise<Pick<ReportData, 'severe' | 'other' | 'otherTotal'>> {
  const severeList = SEVERE_LEVELS.map((l) => `'${l}'`).join(', ');
  const severe = await rows(
    connection,
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE lower(level) IN (${severeList})
     ORDER BY ${LEVEL_RANK_SQL}, time, host, rule`,
  );
  const other = await rows(
    connection,
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE lower(level) NOT IN (${severeList}) OR level IS NULL
     ORDER BY ${LEVEL_RANK_SQL}, time, host, rule LIMIT ${limit}`,
  );
  const [count] = await rows(
    connection,
    `SELECT count(*) AS n FROM alerts WHERE lower(level) NOT IN (${severeList}) OR level IS NULL`,
  );
  return { severe: severe.map(alertRow), other: other.map(alertRow), otherTotal: num(count?.n) };
}

async function loadPoints(connection: DuckDBConnection): Promise<Pick<ReportData, 'points' | 'untimedAlerts'>> {
  const found = await rows(
    connection,
    `WITH a AS (SELECT epoch_ms(try_cast(time AS TIMESTAMPTZ)) AS ms, lower(host) AS host, lower(level) AS level FROM alerts)
     SELECT ms // 60000 AS minute, host, level, count(*) AS alerts FROM a GROUP BY ALL ORDER BY minute`,
  );
  let untimedAlerts = 0;
  const points: AlertPoint[] = [];
  for (const row of found) {
    if (row.minute === null || row.minute === undefined) untimedAlerts += num(row.alerts);
    else
      points.push({
        minute: num(row.minute),
        host: str(row.host),
        level: str(row.level) || 'unknown',
        alerts: num(row.alerts),
      });
  }
  return { points, untimedAlerts };
}

/** Every rule that fired, most severe level first, then most alerts. */
async function loadRules(connection: DuckDBConnection, limit: number): Promise<RuleCount[]> {
  const found = await rows(
    connection,
    `SELECT coalesce(rule_title, rule_id) AS rule, lower(level) AS level, count(*) AS alerts,
            count(DISTINCT lower(host)) AS hosts
     FROM alerts GROUP BY 1, 2 ORDER BY ${LEVEL_RANK_SQL}, alerts DESC, rule LIMIT ${limit}`,
  );
  return found.map((r) => ({
    rule: str(r.rule),
    level: str(r.level) || 'unknown',
    alerts: num(r.alerts),
    hosts: num(r.hosts),
  }));
}

/** Every host of the events or alerts, those with the most severe alerts first. */
async function loadHostSummaries(connection: DuckDBConnection): Promise<HostSummary[]> {
  const events = await rows(
    connection,
    `SELECT lower(host) AS host, count(*) AS events, count(*) FILTER (WHERE ${SYSMON_CONNECTION}) AS connections
     FROM events GROUP BY 1`,
  );
  const alerts = await rows(
    connection,
    'SELECT lower(host) AS host, lower(level) AS level, count(*) AS alerts FROM alerts GROUP BY ALL',
  );
  const hosts = new Map<string, HostSummary>();
  const entry = (host: string) => {
    const found = hosts.get(host) ?? { host, events: 0, connections: 0, alerts: {} };
    hosts.set(host, found);
    return found;
  };
  for (const row of events)
    Object.assign(entry(str(row.host)), { events: num(row.events), connections: num(row.connections) });
  for (const row of alerts) entry(str(row.host)).alerts[str(row.level) || 'unknown'] = num(row.alerts);
  const key = (h: HostSummary) => [...LEVELS, 'unknown'].map((level) => h.alerts[level] ?? 0);
  return [...hosts.values()].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (kb[i] ?? 0) - (ka[i] ?? 0);
    return b.events - a.events || (a.host < b.host ? -1 : 1);
  });
}

async function loadHosts(connection: DuckDBConnection, limits: ReportLimits): Promise<HostDestinations[]> {
  const found = await rows(
    connection,
    `WITH c AS (
       SELECT lower(host) AS host, coalesce(${NAME}, destinationip, '?') AS destination, ${NAME} IS NOT NULL AS named
       FROM events WHERE ${SYSMON_CONNECTION}),
     top_hosts AS (SELECT host, count(*) AS total FROM c GROUP BY host ORDER BY total DESC, host LIMIT ${limits.hosts}),
     ranked AS (
       SELECT c.host, t.total, destination, bool_or(named) AS named, count(*) AS connections,
              row_number() OVER (PARTITION BY c.host ORDER BY count(*) DESC, destination) AS rank
       FROM c JOIN top_hosts t USING (host) GROUP BY c.host, t.total, destination)
     SELECT * FROM ranked WHERE rank <= ${limits.destinationsPerHost} ORDER BY total DESC, host, rank`,
  );
  const hosts = new Map<string, HostDestinations>();
  for (const row of found) {
    const host = str(row.host);
    const entry = hosts.get(host) ?? { host, connections: num(row.total), destinations: [] };
    const named = row.named === true;
    entry.destinations.push({
      destination: named ? str(row.destination) : displayIp(str(row.destination)),
      named,
      connections: num(row.connections),
    });
    hosts.set(host, entry);
  }
  return [...hosts.values()];
}

/** Classifies a connection by what enrichment did with it. */
export function classify(source: string, sysmonName: string, ip: string): EnrichmentClass {
  if (source !== '') return { kind: 'enriched', source };
  const canonical = canonicalIp(ip);
  if (canonical === undefined || !isEnrichableDestination(canonical)) return { kind: 'not-looked-up' };
  return sysmonName !== '' ? { kind: 'sysmon-name' } : { kind: 'no-name' };
}

const CLASS_LABELS: Record<Exclude<EnrichmentClass['kind'], 'enriched'>, string> = {
  'sysmon-name': "no DNS answer: Sysmon's own (reverse-DNS) name kept",
  'no-name': 'no DNS answer, no name',
  'not-looked-up': 'not looked up (loopback, link-local, multicast, no IP)',
};

async function loadEnrichment(connection: DuckDBConnection): Promise<Pick<ReportData, 'enrichment' | 'share'>> {
  const found = await rows(
    connection,
    `SELECT coalesce(destinationhostnamesource, '') AS source, coalesce(destinationip, '') AS ip,
            ${NAME} IS NOT NULL AS named, count(*) AS connections
     FROM events WHERE ${SYSMON_CONNECTION} GROUP BY ALL`,
  );
  const shares = new Map<string, { label: string; kind: EnrichmentClass['kind']; connections: number }>();
  const counts = { enriched: 0, unresolved: 0, notLookedUp: 0 };
  for (const row of found) {
    const kind = classify(str(row.source), row.named === true ? 'named' : '', str(row.ip));
    const label = kind.kind === 'enriched' ? `enriched from ${kind.source}` : CLASS_LABELS[kind.kind];
    const share = shares.get(label) ?? { label, kind: kind.kind, connections: 0 };
    share.connections += num(row.connections);
    shares.set(label, share);
    if (kind.kind === 'enriched') counts.enriched += num(row.connections);
    else if (kind.kind === 'not-looked-up') counts.notLookedUp += num(row.connections);
    else counts.unresolved += num(row.connections);
  }
  const order: EnrichmentClass['kind'][] = ['enriched', 'sysmon-name', 'no-name', 'not-looked-up'];
  return {
    enrichment: [...shares.values()].sort(
      (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.connections - a.connections,
    ),
    share: { ...counts, ...enrichedShare(counts) },
  };
}

/**
 * Destinations of the connections enrichment did not name, most connections first, in two groups: looked up with
 * no answer (worth a look), and not looked up on purpose (loopback, link-local, multicast, no IP). IPs are merged
 * by their canonical text, so `0:0:0:0:0:0:0:1` and `::1` are one destination.
 */
async function loadUnresolved(
  connection: DuckDBConnection,
  limit: number,
): Promise<Pick<ReportData, 'unresolved' | 'notLookedUp'>> {
  const found = await rows(
    connection,
    `SELECT coalesce(destinationip, '') AS ip, lower(host) AS host, destinationport AS port, max(${NAME}) AS name,
            count(*) AS connections
     FROM events WHERE ${SYSMON_CONNECTION} AND NOT (${ENRICHED}) GROUP BY ALL`,
  );
  const merged = new Map<string, { entry: UnresolvedDestination; hosts: Set<string>; ports: Set<string> }>();
  for (const row of found) {
    const raw = str(row.ip);
    const ip = raw === '' ? '(no IP)' : displayIp(raw);
    const item = merged.get(ip) ?? {
      entry: { ip, connections: 0, hosts: 0, ports: '', lookedUp: classify('', '', raw).kind !== 'not-looked-up' },
      hosts: new Set<string>(),
      ports: new Set<string>(),
    };
    item.entry.connections += num(row.connections);
    item.hosts.add(str(row.host));
    if (str(row.port) !== '') item.ports.add(str(row.port));
    if (row.name && !item.entry.sysmonName) item.entry.sysmonName = str(row.name);
    merged.set(ip, item);
  }
  const all = [...merged.values()]
    .map(({ entry, hosts, ports }) => ({
      ...entry,
      hosts: hosts.size,
      ports: [...ports].sort((a, b) => Number(a) - Number(b)).join(','),
    }))
    .sort((a, b) => b.connections - a.connections || (a.ip < b.ip ? -1 : 1));
  return {
    unresolved: all.filter((u) => u.lookedUp).slice(0, limit),
    notLookedUp: all.filter((u) => !u.lookedUp).slice(0, limit),
  };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The rejected records replay (or the Lambda) wrote under `<out>/rejected/`, by reason and by input file. */
export async function loadRejected(connection: DuckDBConnection, out: string, limit: number): Promise<RejectedInputs> {
  const folder = path.join(out, 'rejected');
  const files = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  if (!files.some((file) => file.endsWith('.json.gz'))) return { total: 0, byReason: [], byOrigin: [] };
  const source = `read_json(${quote(`${folder}/**/*.json.gz`)}, format = 'newline_delimited', columns = {reason: 'VARCHAR', origin: 'VARCHAR'})`;
  const byReason = await rows(
    connection,
    `SELECT coalesce(reason, '(no reason)') AS reason, count(*) AS n FROM ${source} GROUP BY 1 ORDER BY n DESC, reason`,
  );
  const byOrigin = await rows(
    connection,
    `SELECT coalesce(origin, '(unknown)') AS origin, count(*) AS n FROM ${source} GROUP BY 1 ORDER BY n DESC, origin LIMIT ${limit}`,
  );
  return {
    total: byReason.reduce((sum, row) => sum + num(row.n), 0),
    byReason: byReason.map((row) => ({ reason: str(row.reason), records: num(row.n) })),
    byOrigin: byOrigin.map((row) => ({ origin: str(row.origin), records: num(row.n) })),
  };
}

/** Every figure of the report over the output folder `out` (whose views `connection` has open). */
export async function loadReportData(
  connection: DuckDBConnection,
  out: string,
  limits: ReportLimits = DEFAULT_LIMITS,
): Promise<ReportData> {
  return {
    totals: await loadTotals(connection),
    ...(await loadAlerts(connection, limits.otherAlerts)),
    ...(await loadPoints(connection)),
    rules: await loadRules(connection, limits.rules),
    hostSummaries: await loadHostSummaries(connection),
    hosts: await loadHosts(connection, limits),
    ...(await loadEnrichment(connection)),
    ...(await loadUnresolved(connection, limits.unresolved)),
    rejected: await loadRejected(connection, out, limits.rejectedOrigins),
  };
}
