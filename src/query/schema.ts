/**
 * The Glue/Athena schema of the output areas, as data. infra/ turns it into Glue tables; the CLI can turn the same
 * columns into DuckDB `read_json` column types. Pure: no AWS, no I/O.
 *
 * Column names are lower case because Glue stores them lower case. The JSON keys are mixed case (Windows names such
 * as `DestinationHostname`); the OpenX JSON SerDe matches keys to columns case-insensitively by default
 * (`case.insensitive` = true), which the tables rely on. DuckDB's `read_json` matches keys case-sensitively, so
 * the CLI must map each column to its `jsonKey`.
 */

/** A Hive/Athena column type used by the tables. */
export type ColumnType = 'string' | 'int' | 'bigint' | 'array<string>' | `struct<${string}>`;

export interface ColumnDefinition {
  /** Lower-case column name, as Glue stores it. */
  name: string;
  /** The key as written in the JSON lines (mixed case for Windows fields). */
  jsonKey: string;
  type: ColumnType;
  comment: string;
}

export interface PartitionKey {
  name: 'dt' | 'hour';
  type: 'string';
  comment: string;
}

export interface TableDefinition {
  /** Glue table name. */
  name: string;
  /** Top-level prefix in the output bucket (see src/pipeline/partition.ts). */
  area: 'events' | 'alerts';
  description: string;
  columns: readonly ColumnDefinition[];
  partitionKeys: readonly PartitionKey[];
}

function column(jsonKey: string, type: ColumnType, comment: string): ColumnDefinition {
  return { name: jsonKey.toLowerCase(), jsonKey, type, comment };
}

/** `dt=YYYY-MM-DD/hour=HH`, UTC event time: the layout `partitionOf` writes. Both are strings in the path. */
export const PARTITION_KEYS: readonly PartitionKey[] = [
  { name: 'dt', type: 'string', comment: 'UTC event date, yyyy-MM-dd (partition, projected)' },
  { name: 'hour', type: 'string', comment: 'UTC event hour, 00-23 (partition, projected)' },
];

/** The canonical columns every output line starts with (CANONICAL_COLUMNS in src/pipeline/output-record.ts). */
const CANONICAL: readonly ColumnDefinition[] = [
  column('host', 'string', 'Computer name as logged'),
  column('channel', 'string', 'Event log channel'),
  column('provider', 'string', 'Event provider'),
  column('event_id', 'int', 'Windows event ID'),
  column('time', 'string', 'Event time, ISO 8601 UTC with milliseconds (Sysmon UtcTime)'),
  column('record_id', 'bigint', 'EventRecordID when the shipper kept it'),
  column('format', 'string', 'Shipper format the record was recognised as'),
];

/**
 * The EventData fields people query (Sysmon and DNS-Client), as strings the way Windows renders them.
 * Fields not listed are still in the objects; add a column here to query them.
 */
const EVENT_DATA: readonly ColumnDefinition[] = [
  column('UtcTime', 'string', 'Sysmon UtcTime as rendered'),
  column('RuleName', 'string', 'Sysmon rule name'),
  column('Image', 'string', 'Process image path'),
  column('ProcessGuid', 'string', 'Sysmon process GUID'),
  column('ProcessId', 'string', 'Process ID'),
  column('User', 'string', 'Account of the process (quote as "user" in SQL)'),
  column('CommandLine', 'string', 'Process command line (Sysmon 1)'),
  column('CurrentDirectory', 'string', 'Working directory (Sysmon 1)'),
  column('IntegrityLevel', 'string', 'Integrity level (Sysmon 1)'),
  column('ParentImage', 'string', 'Parent process image (Sysmon 1)'),
  column('ParentProcessGuid', 'string', 'Parent process GUID (Sysmon 1)'),
  column('ParentProcessId', 'string', 'Parent process ID (Sysmon 1)'),
  column('ParentCommandLine', 'string', 'Parent command line (Sysmon 1)'),
  column('OriginalFileName', 'string', 'PE original file name'),
  column('Hashes', 'string', 'Hashes as configured in Sysmon (e.g. SHA256=...)'),
  column('TargetFilename', 'string', 'File path (Sysmon 11, 23, 26)'),
  column('TargetObject', 'string', 'Registry key or value (Sysmon 12-14)'),
  column('Details', 'string', 'Registry value data (Sysmon 13)'),
  column('ImageLoaded', 'string', 'Loaded module (Sysmon 7)'),
  column('Signed', 'string', 'Module signed flag (Sysmon 7)'),
  column('Signature', 'string', 'Module signer (Sysmon 7)'),
  column('SourceImage', 'string', 'Source process (Sysmon 8, 10)'),
  column('TargetImage', 'string', 'Target process (Sysmon 8, 10)'),
  column('GrantedAccess', 'string', 'Access mask (Sysmon 10)'),
  column('Protocol', 'string', 'tcp or udp (Sysmon 3)'),
  column('Initiated', 'string', 'true when the host opened the connection (Sysmon 3)'),
  column('SourceIsIpv6', 'string', 'Sysmon 3'),
  column('SourceIp', 'string', 'Sysmon 3'),
  column('SourceHostname', 'string', 'Sysmon 3'),
  column('SourcePort', 'string', 'Sysmon 3'),
  column('DestinationIsIpv6', 'string', 'Sysmon 3'),
  column('DestinationIp', 'string', 'Sysmon 3'),
  column('DestinationPort', 'string', 'Sysmon 3'),
  column('DestinationHostname', 'string', 'Name the host resolved for DestinationIp (enriched) or Sysmon own value'),
  column('DestinationHostnameOriginal', 'string', 'Sysmon own DestinationHostname before enrichment'),
  column('DestinationHostnameSource', 'string', 'dns-process or dns-host when enriched; absent when not'),
  column('DestinationHostnameCnames', 'string', 'CNAME chain of the chosen answer, ;-joined'),
  column('QueryName', 'string', 'DNS query name (Sysmon 22, DNS-Client 3008)'),
  column('QueryStatus', 'string', 'DNS status code (0 = success)'),
  column('QueryResults', 'string', 'DNS answers as rendered by Windows'),
  column('QueryType', 'string', 'DNS record type (DNS-Client 3008)'),
  column('QueryOptions', 'string', 'DNS-Client 3008'),
];

export const EVENTS_TABLE: TableDefinition = {
  name: 'events',
  area: 'events',
  description: 'Every decoded Windows event, enriched, one JSON object per line (gzip)',
  columns: [...CANONICAL, ...EVENT_DATA],
  partitionKeys: PARTITION_KEYS,
};

/**
 * `event` is a struct with the same fields as the events table's columns, not a map<string,string>: with
 * `case.insensitive` the OpenX SerDe lower-cases every JSON key while parsing, nested ones included, so map keys
 * would have to be written lower case (`event['destinationhostname']`) while the JSON says `DestinationHostname`,
 * which reads like a bug and differs from DuckDB. Struct fields are resolved like columns: `event.destinationhostname`
 * in Athena and (case-insensitive identifiers) in DuckDB. Fields of the matched event not in the struct are not
 * queryable; add them to EVENT_DATA.
 */
const EVENT_STRUCT: ColumnType = `struct<${[...CANONICAL, ...EVENT_DATA].map((c) => `${c.name}:${c.type}`).join(',')}>`;

/** One line per rule match (src/pipeline/alert-record.ts). */
export const ALERTS_TABLE: TableDefinition = {
  name: 'alerts',
  area: 'alerts',
  description: 'One line per Sigma rule match, with the matched enriched event',
  columns: [
    column('time', 'string', 'Event time, ISO 8601 UTC'),
    column('host', 'string', 'Computer name as logged'),
    column('rule_id', 'string', 'Sigma rule id'),
    column('rule_title', 'string', 'Sigma rule title'),
    column('level', 'string', 'informational, low, medium, high or critical'),
    column('tags', 'array<string>', 'Sigma tags'),
    column('rule_file', 'string', 'Rule file the rule came from'),
    column('channel', 'string', 'Event log channel'),
    column('event_id', 'int', 'Windows event ID'),
    column('dedupe_key', 'string', 'Key under which repeated notifications collapse'),
    column('event', EVENT_STRUCT, 'The matched output record (same fields as the events table)'),
  ],
  partitionKeys: PARTITION_KEYS,
};

export const TABLES: readonly TableDefinition[] = [EVENTS_TABLE, ALERTS_TABLE];
