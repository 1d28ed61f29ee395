/**
 * The saved queries, as data: Athena named queries in infra/, and the same SQL run by the CLI with DuckDB.
 * Pure: no AWS, no I/O.
 *
 * SQL conventions, so one text serves both engines:
 * - tables are written `${events}` / `${alerts}` (and `${event_lines}` / `${alert_lines}`); {@link renderQuery} replaces them with a qualified table name
 *   (Athena: `"database"."events"`) or whatever the caller reads from (DuckDB: a view over `read_json`);
 * - user input is a positional `?` (Athena parameterised queries, DuckDB prepared statements); `parameters` lists
 *   them in order, and a name appears twice when its value is needed twice;
 * - dates are the `dt` partition strings (`yyyy-MM-dd`) so Athena prunes partitions; always bound a query by dt;
 * - column names are lower case (see src/query/schema.ts), `user` must be quoted; a field without a column is read
 *   from `${event_lines}` with `json_extract_scalar(line, '$.Name')` (a DuckDB macro of the same name in the CLI).
 * Engine-specific expressions are listed per query in `duckdb` with their translation.
 */

export interface QueryParameter {
  name: string;
  description: string;
  example: string;
}

export interface NamedQueryDefinition {
  /** Stable kebab-case id (the CLI's `hookstream query <id>`). */
  id: string;
  /** Athena display name. */
  name: string;
  description: string;
  /** Athena SQL with `${events}` / `${alerts}` placeholders and positional `?` parameters. */
  sql: string;
  /** One entry per `?`, in order. */
  parameters: readonly QueryParameter[];
  /** Athena-only expressions and their DuckDB equivalents; empty when the SQL runs unchanged. */
  duckdb: readonly { athena: string; duckdb: string }[];
}

const SYSMON = "'Microsoft-Windows-Sysmon/Operational'";
const FIRST_DAY: QueryParameter = {
  name: 'first_day',
  description: 'First UTC day (dt), inclusive',
  example: '2026-11-27',
};
const LAST_DAY: QueryParameter = {
  name: 'last_day',
  description: 'Last UTC day (dt), inclusive',
  example: '2026-11-28',
};

/** A name Sysmon or enrichment actually filled (Sysmon writes `-` when it has none). */
const HAS_NAME = "destinationhostname IS NOT NULL AND destinationhostname NOT IN ('', '-')";

export const NAMED_QUERIES: readonly NamedQueryDefinition[] = [
  {
    id: 'connections-to-domain',
    name: 'Connections to a domain',
    description: 'Sysmon network connections whose (enriched) destination name is the domain or one of its subdomains',
    sql: `SELECT time, host, image, "user", processid, protocol, destinationhostname, destinationip, destinationport,
       destinationhostnamesource, destinationhostnameoriginal
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = ${SYSMON} AND event_id = 3
  AND (lower(destinationhostname) = lower(?) OR lower(destinationhostname) LIKE '%.' || lower(?))
ORDER BY time
LIMIT 1000`,
    parameters: [
      FIRST_DAY,
      LAST_DAY,
      { name: 'domain', description: 'Domain name, e.g. example.com', example: 'example.com' },
      { name: 'domain', description: 'The same domain again (subdomain match)', example: 'example.com' },
    ],
    duckdb: [],
  },
  {
    id: 'domains-by-host',
    name: 'Domains contacted by a host',
    description: 'Destination names one host connected to, with counts and first/last time seen',
    sql: `SELECT lower(destinationhostname) AS domain, count(*) AS connections,
       count(DISTINCT destinationip) AS addresses, min(time) AS first_seen, max(time) AS last_seen
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = ${SYSMON} AND event_id = 3
  AND lower(host) = lower(?)
  AND ${HAS_NAME}
GROUP BY lower(destinationhostname)
ORDER BY connections DESC
LIMIT 500`,
    parameters: [
      FIRST_DAY,
      LAST_DAY,
      { name: 'host', description: 'Computer name (case-insensitive)', example: 'WORKSTATION5' },
    ],
    duckdb: [],
  },
  {
    id: 'alerts-last-24h',
    name: 'Alerts in the last 24 hours',
    description: 'Every rule match of the last 24 hours, newest first, with the enriched connection fields',
    sql: `SELECT time, level, rule_title, rule_id, host, event.image AS image,
       event.destinationhostname AS destination_hostname, event.destinationip AS destination_ip,
       event.destinationport AS destination_port, event.commandline AS command_line, dedupe_key
FROM \${alerts}
WHERE dt >= date_format(current_timestamp - interval '1' day, '%Y-%m-%d')
  AND from_iso8601_timestamp(time) >= current_timestamp - interval '1' day
ORDER BY time DESC`,
    parameters: [],
    duckdb: [
      {
        athena: "date_format(current_timestamp - interval '1' day, '%Y-%m-%d')",
        duckdb: "strftime(now() - INTERVAL 1 DAY, '%Y-%m-%d')",
      },
      { athena: 'from_iso8601_timestamp(time)', duckdb: 'CAST(time AS TIMESTAMPTZ)' },
      { athena: "current_timestamp - interval '1' day", duckdb: 'now() - INTERVAL 1 DAY' },
    ],
  },
  {
    id: 'unresolved-connections',
    name: 'Connections that stayed unresolved',
    description:
      'Outbound Sysmon connections enrichment found no DNS answer for (no DestinationHostnameSource), by destination. ' +
      'Includes private and link-local destinations, which enrichment skips on purpose.',
    sql: `SELECT destinationip, destinationport, protocol, count(*) AS connections, count(DISTINCT host) AS hosts,
       min(image) AS an_image, max(destinationhostname) AS sysmon_name, min(time) AS first_seen, max(time) AS last_seen
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = ${SYSMON} AND event_id = 3
  AND initiated = 'true'
  AND (destinationhostnamesource IS NULL OR destinationhostnamesource = '')
GROUP BY destinationip, destinationport, protocol
ORDER BY connections DESC
LIMIT 500`,
    parameters: [FIRST_DAY, LAST_DAY],
    duckdb: [],
  },
  {
    id: 'top-destinations',
    name: 'Top talkers by destination name',
    description:
      'Destinations with the most connections (name when known, else the IP), with the hosts talking to them',
    sql: `SELECT coalesce(nullif(nullif(lower(destinationhostname), ''), '-'), destinationip) AS destination,
       count(*) AS connections, count(DISTINCT host) AS hosts, count(DISTINCT image) AS images
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = ${SYSMON} AND event_id = 3
GROUP BY coalesce(nullif(nullif(lower(destinationhostname), ''), '-'), destinationip)
ORDER BY connections DESC
LIMIT 50`,
    parameters: [FIRST_DAY, LAST_DAY],
    duckdb: [],
  },
  {
    id: 'logons',
    name: 'Logons by host and user',
    description:
      'Successful (4624) and failed (4625) Security logons by host, account and logon type, with source addresses ' +
      'and first/last time; failures first',
    sql: `SELECT lower(host) AS host, targetdomainname AS domain, targetusername AS account, logontype AS logon_type,
       count_if(event_id = 4624) AS successes, count_if(event_id = 4625) AS failures,
       count(DISTINCT ipaddress) AS source_addresses, min(ipaddress) AS a_source_address,
       min(time) AS first_seen, max(time) AS last_seen
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = 'Security' AND event_id IN (4624, 4625)
GROUP BY lower(host), targetdomainname, targetusername, logontype
ORDER BY failures DESC, successes DESC, host, account
LIMIT 1000`,
    parameters: [FIRST_DAY, LAST_DAY],
    duckdb: [],
  },
  {
    id: 'powershell-script-blocks',
    name: 'PowerShell script blocks',
    description:
      'PowerShell script block logging (4104), parts in order, whose text contains a string (case-insensitive; ' +
      'empty for all)',
    sql: `SELECT time, host, scriptblockid, messagenumber, messagetotal, path, scriptblocktext
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = 'Microsoft-Windows-PowerShell/Operational' AND event_id = 4104
  AND strpos(lower(scriptblocktext), lower(?)) > 0
ORDER BY time, scriptblockid, try_cast(messagenumber AS integer)
LIMIT 1000`,
    parameters: [
      FIRST_DAY,
      LAST_DAY,
      {
        name: 'contains',
        description: 'Text the script block contains (case-insensitive; empty for all)',
        example: 'downloadstring',
      },
    ],
    duckdb: [],
  },
  {
    id: 'new-services',
    name: 'New services',
    description: 'Services installed (System 7045, Service Control Manager), with their image path and account',
    sql: `SELECT time, host, servicename, imagepath, servicetype, starttype, accountname
FROM \${events}
WHERE dt BETWEEN ? AND ?
  AND channel = 'System' AND event_id = 7045
ORDER BY time
LIMIT 1000`,
    parameters: [FIRST_DAY, LAST_DAY],
    duckdb: [],
  },
];

/** What `${events}` and `${alerts}` stand for in one engine. */
export interface QueryTables {
  events: string;
  alerts: string;
  event_lines: string;
  alert_lines: string;
}

/** A placeholder in the SQL that {@link renderQuery} does not know. */
export class UnknownPlaceholderError extends Error {
  constructor(
    readonly queryId: string,
    readonly placeholder: string,
  ) {
    super(`named query ${queryId}: unknown placeholder \${${placeholder}}`);
    this.name = 'UnknownPlaceholderError';
  }
}

/**
 * Replaces the table placeholders of a named query. Throws UnknownPlaceholderError on any other `${...}`, so a
 * typo fails at synth or in the CLI rather than as an Athena syntax error.
 */
export function renderQuery(query: NamedQueryDefinition, tables: QueryTables): string {
  return query.sql.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    if (Object.hasOwn(tables, name)) return tables[name as keyof QueryTables];
    throw new UnknownPlaceholderError(query.id, name);
  });
}

/** The tables by their own names (DuckDB's views). */
export const LOCAL_TABLES: QueryTables = {
  events: 'events',
  alerts: 'alerts',
  event_lines: 'event_lines',
  alert_lines: 'alert_lines',
};

/** Athena's quoting of `database.table`. */
export function athenaTables(database: string, names: QueryTables = LOCAL_TABLES): QueryTables {
  const quoted = (name: string) => `"${database}"."${name}"`;
  return {
    events: quoted(names.events),
    alerts: quoted(names.alerts),
    event_lines: quoted(names.event_lines),
    alert_lines: quoted(names.alert_lines),
  };
}
