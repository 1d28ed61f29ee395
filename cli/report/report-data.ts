/** The figures of the HTML report, read with DuckDB from the `events` and `alerts` views over an output folder. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { canonicalIp, isEnrichableDestination } from '../../src/dns/canonical-ip.js';

const SYSMON_CONNECTION = "channel = 'Microsoft-Windows-Sysmon/Operational' AND event_id = 3";
/** Sysmon writes `-` when it has no name. */
const NAME = "nullif(nullif(lower(destinationhostname), ''), '-')";
const ENRICHED = "coalesce(destinationhostnamesource, '') <> ''";

export interface ReportTotals {
  events: number;
  connections: number;
  hosts: number;
  alerts: number;
  /** ISO times of the first and last event; undefined with no events. */
  firstTime?: string;
  lastTime?: string;
}

export interface AlertTimeline {
  /** Hour starts, ISO UTC (`2020-10-22T05`), oldest first. */
  buckets: string[];
  /**
   * false: every hour from the first alert's to the last's, quiet ones included. true: the alerts span more hours
   * than a chart can show, so only the hours with alerts are listed (the latest ones).
   */
  gapsOmitted: boolean;
  /** Per level, one count per bucket. */
  byLevel: { level: string; counts: number[] }[];
}

export interface RuleCount {
  rule: string;
  level: string;
  alerts: number;
  hosts: number;
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
  ip: string;
  connections: number;
  hosts: number;
  ports: string;
  /** false: loopback, link-local, multicast...: enrichment skips these on purpose. */
  lookedUp: boolean;
  sysmonName?: string;
}

export interface ReportData {
  totals: ReportTotals;
  timeline: AlertTimeline;
  rules: RuleCount[];
  hosts: HostDestinations[];
  enrichment: { label: string; kind: EnrichmentClass['kind']; connections: number }[];
  unresolved: UnresolvedDestination[];
}

export interface ReportLimits {
  rules: number;
  hosts: number;
  destinationsPerHost: number;
  unresolved: number;
  /** Most buckets on the timeline (the latest are kept). */
  buckets: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  rules: 15,
  hosts: 6,
  destinationsPerHost: 8,
  unresolved: 15,
  buckets: 168,
};

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

const num = (value: unknown): number => Number(value ?? 0);
const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

async function loadTotals(connection: DuckDBConnection): Promise<ReportTotals> {
  const [events] = await rows(
    connection,
    `SELECT count(*) AS events, count(*) FILTER (WHERE ${SYSMON_CONNECTION}) AS connections,
            count(DISTINCT lower(host)) AS hosts, min(time) AS first, max(time) AS last FROM events`,
  );
  const [alerts] = await rows(connection, 'SELECT count(*) AS alerts FROM alerts');
  return {
    events: num(events?.events),
    connections: num(events?.connections),
    hosts: num(events?.hosts),
    alerts: num(alerts?.alerts),
    firstTime: events?.first ? str(events.first) : undefined,
    lastTime: events?.last ? str(events.last) : undefined,
  };
}

const HOUR = 3_600_000;

/** Alerts per hour and level; quiet hours shown while the span fits the chart, else only the hours with alerts. */
async function loadTimeline(connection: DuckDBConnection, maxBuckets: number): Promise<AlertTimeline> {
  const found = await rows(connection, 'SELECT dt, hour, level, count(*) AS alerts FROM alerts GROUP BY ALL');
  const hourOf = (row: Record<string, unknown>) =>
    Date.parse(`${str(row.dt)}T${str(row.hour).padStart(2, '0')}:00:00Z`) / HOUR;
  const hours = [...new Set(found.map(hourOf).filter((h) => !Number.isNaN(h)))].sort((a, b) => a - b);
  if (hours.length === 0) return { buckets: [], gapsOmitted: false, byLevel: [] };
  const first = hours[0] as number;
  const last = hours[hours.length - 1] as number;
  const gapsOmitted = last - first + 1 > maxBuckets;
  const shown = gapsOmitted ? hours.slice(-maxBuckets) : Array.from({ length: last - first + 1 }, (_v, i) => first + i);
  const index = new Map(shown.map((hour, i) => [hour, i]));
  const levels = new Map<string, number[]>();
  for (const row of found) {
    const i = index.get(hourOf(row));
    if (i === undefined) continue;
    const level = str(row.level) || 'unknown';
    const counts = levels.get(level) ?? new Array<number>(shown.length).fill(0);
    counts[i] = (counts[i] ?? 0) + num(row.alerts);
    levels.set(level, counts);
  }
  return {
    buckets: shown.map((hour) => new Date(hour * HOUR).toISOString().slice(0, 13)),
    gapsOmitted,
    byLevel: [...levels].map(([level, counts]) => ({ level, counts })),
  };
}

async function loadRules(connection: DuckDBConnection, limit: number): Promise<RuleCount[]> {
  const found = await rows(
    connection,
    `SELECT coalesce(rule_title, rule_id) AS rule, level, count(*) AS alerts, count(DISTINCT lower(host)) AS hosts
     FROM alerts GROUP BY ALL ORDER BY alerts DESC, rule LIMIT ${limit}`,
  );
  return found.map((r) => ({ rule: str(r.rule), level: str(r.level), alerts: num(r.alerts), hosts: num(r.hosts) }));
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
    entry.destinations.push({
      destination: str(row.destination),
      named: row.named === true,
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

async function loadEnrichment(connection: DuckDBConnection): Promise<ReportData['enrichment']> {
  const found = await rows(
    connection,
    `SELECT coalesce(destinationhostnamesource, '') AS source, coalesce(destinationip, '') AS ip,
            ${NAME} IS NOT NULL AS named, count(*) AS connections
     FROM events WHERE ${SYSMON_CONNECTION} GROUP BY ALL`,
  );
  const shares = new Map<string, { label: string; kind: EnrichmentClass['kind']; connections: number }>();
  for (const row of found) {
    const kind = classify(str(row.source), row.named === true ? 'named' : '', str(row.ip));
    const label = kind.kind === 'enriched' ? `enriched from ${kind.source}` : CLASS_LABELS[kind.kind];
    const share = shares.get(label) ?? { label, kind: kind.kind, connections: 0 };
    share.connections += num(row.connections);
    shares.set(label, share);
  }
  const order: EnrichmentClass['kind'][] = ['enriched', 'sysmon-name', 'no-name', 'not-looked-up'];
  return [...shares.values()].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.connections - a.connections,
  );
}

/** Destinations of the connections enrichment did not name, most connections first. */
async function loadUnresolved(connection: DuckDBConnection, limit: number): Promise<UnresolvedDestination[]> {
  const found = await rows(
    connection,
    `SELECT coalesce(destinationip, '') AS ip, count(*) AS connections, count(DISTINCT lower(host)) AS hosts,
            string_agg(DISTINCT destinationport, ',' ORDER BY destinationport) AS ports, max(${NAME}) AS name
     FROM events WHERE ${SYSMON_CONNECTION} AND NOT (${ENRICHED})
     GROUP BY 1 ORDER BY connections DESC, ip LIMIT ${limit}`,
  );
  return found.map((row) => {
    const kind = classify('', '', str(row.ip));
    return {
      ip: str(row.ip) || '(no IP)',
      connections: num(row.connections),
      hosts: num(row.hosts),
      ports: str(row.ports),
      lookedUp: kind.kind !== 'not-looked-up',
      sysmonName: row.name ? str(row.name) : undefined,
    };
  });
}

export async function loadReportData(
  connection: DuckDBConnection,
  limits: ReportLimits = DEFAULT_LIMITS,
): Promise<ReportData> {
  return {
    totals: await loadTotals(connection),
    timeline: await loadTimeline(connection, limits.buckets),
    rules: await loadRules(connection, limits.rules),
    hosts: await loadHosts(connection, limits),
    enrichment: await loadEnrichment(connection),
    unresolved: await loadUnresolved(connection, limits.unresolved),
  };
}
