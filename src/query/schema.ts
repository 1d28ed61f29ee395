/**
 * The Glue/Athena schema of the output areas, as data. infra/ turns it into Glue tables; the CLI turns the same
 * columns into DuckDB views. Pure: no AWS, no I/O.
 *
 * Every field is queryable, two ways (docs/cli.md, "Every field"):
 * - `events` has a column for every field name the event schemas know (the hand-written Sysmon and DNS-Client
 *   templates and the manifest templates of every event the rules route on, src/events/schemas.ts), after the
 *   common columns of before; `alerts.event` is a struct of the same fields;
 * - `event_lines` / `alert_lines` read the same objects as one JSON text column, `line`, for fields no schema
 *   names (`Data1`.. of an unknown event, an agent's extra fields): `json_extract_scalar(line, '$.Data1')`.
 * The output lines stay as they were (flat JSON, canonical fields first), so nothing is written twice.
 *
 * Column names are lower case because Glue stores them lower case. The JSON keys are mixed case (Windows names such
 * as `DestinationHostname`, sometimes in two spellings: `ProcessId` / `ProcessID`); the OpenX JSON SerDe matches
 * keys to columns case-insensitively by default (`case.insensitive` = true), which the tables rely on. DuckDB
 * matches JSON keys case-sensitively, so the CLI reads each column from every spelling in `jsonKeys`.
 */

import { MANIFEST_FIELDS } from '../events/schemas/manifest-fields.js';
import { DNS_CLIENT_3008_FIELDS, SYSMON_FIELDS } from '../events/schemas.js';
import { outputKeyOf } from '../pipeline/output-record.js';

/** A Hive/Athena column type used by the tables. */
export type ColumnType = 'string' | 'int' | 'bigint' | 'array<string>' | `struct<${string}>`;

export interface ColumnDefinition {
  /** Lower-case column name, as Glue stores it (letters, digits, `_`). */
  name: string;
  /** The key as written in the JSON lines (mixed case for Windows fields); the first of `jsonKeys`. */
  jsonKey: string;
  /** Every spelling of the key the schemas use (they differ only in case), `jsonKey` first. */
  jsonKeys: readonly string[];
  type: ColumnType;
  comment: string;
}

export interface PartitionKey {
  name: 'dt' | 'hour';
  type: 'string';
  comment: string;
}

/**
 * How the lines are read: `json` maps keys to columns (OpenX JSON SerDe; DuckDB `read_json`); `lines` gives each
 * whole line as the one column `line` (Athena: LazySimpleSerDe, whose field delimiter, U+0001, JSON.stringify
 * always escapes; DuckDB: `read_json` with `records = false`).
 */
export type TableStorage = 'json' | 'lines';

export interface TableDefinition {
  /** Glue table name. */
  name: string;
  /** Top-level prefix in the output bucket (see src/pipeline/partition.ts). */
  area: 'events' | 'alerts';
  storage: TableStorage;
  description: string;
  columns: readonly ColumnDefinition[];
  partitionKeys: readonly PartitionKey[];
}

/** A Glue-safe lower-case column name for a JSON key: letters, digits and `_` (Defender's `Product Name`). */
export function columnName(jsonKey: string): string {
  return jsonKey.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function column(jsonKey: string, type: ColumnType, comment: string): ColumnDefinition {
  return { name: columnName(jsonKey), jsonKey, jsonKeys: [jsonKey], type, comment };
}

/** Whether the SerDe finds the column by its name alone (no `mapping.<column>` property needed). */
export function matchesByName(column: ColumnDefinition): boolean {
  return column.jsonKeys.every((key) => key.toLowerCase() === column.name);
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
 * The EventData fields people query most (Sysmon, DNS-Client, enrichment), with their own comments, in the order of
 * before; every other field a schema knows follows them ({@link schemaColumns}).
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

/** Where a field name comes from, for its column comment: the provider (`Security-Auditing 4624, 4625`). */
function sourceLabel(provider: string): string {
  return provider.replace(/^Microsoft-Windows-/, '');
}

/** Glue keeps at most 255 characters of a column comment. */
const MAX_COMMENT = 255;

function sourcesComment(sources: ReadonlyMap<string, ReadonlySet<number>>): string {
  const parts = [...sources].map(([source, ids]) => `${source} ${[...ids].sort((a, b) => a - b).join(', ')}`);
  const text = `EventData of ${parts.join('; ')}`;
  return text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - 1)}…`;
}

/**
 * One string column per EventData field name the schemas know, by lower-case column name: its spellings and where
 * it occurs. A name equal to a canonical column is written `data_<Name>` (src/pipeline/output-record.ts) and is
 * listed so.
 */
function knownFields(): Map<string, { keys: string[]; sources: Map<string, Set<number>> }> {
  const fields = new Map<string, { keys: string[]; sources: Map<string, Set<number>> }>();
  const add = (name: string, source: string, eventId: number) => {
    const key = outputKeyOf(name);
    const id = columnName(key);
    let field = fields.get(id);
    if (field === undefined) {
      field = { keys: [], sources: new Map() };
      fields.set(id, field);
    }
    if (!field.keys.includes(key)) field.keys.push(key);
    let ids = field.sources.get(source);
    if (ids === undefined) {
      ids = new Set();
      field.sources.set(source, ids);
    }
    ids.add(eventId);
  };
  for (const [eventId, names] of SYSMON_FIELDS) for (const name of names) add(name, 'Sysmon', eventId);
  for (const name of DNS_CLIENT_3008_FIELDS) add(name, 'DNS-Client', 3008);
  for (const [provider, events] of Object.entries(MANIFEST_FIELDS)) {
    for (const [eventId, versions] of Object.entries(events)) {
      for (const packed of Object.values(versions)) {
        for (const name of packed.split(',')) add(name, sourceLabel(provider), Number(eventId));
      }
    }
  }
  return fields;
}

/**
 * The columns of `events`: the canonical ones, the common EventData ones (each with every spelling the schemas
 * use), then every other known field, sorted by name. Keys that one Glue name merges other than by case (`A B`
 * and `A_B`) would share a column that Athena maps to the first key only; test/unit/query/schema.test.ts checks
 * that no two do.
 */
function schemaColumns(): ColumnDefinition[] {
  const fields = knownFields();
  const columns: ColumnDefinition[] = [];
  const seen = new Set<string>();
  for (const common of [...CANONICAL, ...EVENT_DATA]) {
    const spellings = fields.get(common.name)?.keys ?? [];
    columns.push({ ...common, jsonKeys: [common.jsonKey, ...spellings.filter((key) => key !== common.jsonKey)] });
    seen.add(common.name);
  }
  const rest = [...fields].filter(([name]) => !seen.has(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, field] of rest) {
    const [first, ...others] = field.keys as [string, ...string[]];
    columns.push({
      name,
      jsonKey: first,
      jsonKeys: [first, ...others],
      type: 'string',
      comment: sourcesComment(field.sources),
    });
  }
  return columns;
}

const EVENT_COLUMNS = schemaColumns();

export const EVENTS_TABLE: TableDefinition = {
  name: 'events',
  area: 'events',
  storage: 'json',
  description: 'Every decoded Windows event, enriched, one JSON object per line (gzip): a column per known field',
  columns: EVENT_COLUMNS,
  partitionKeys: PARTITION_KEYS,
};

/**
 * `event` is a struct with the fields of the events table's columns, not a map<string,string>: with
 * `case.insensitive` the Rcongiu OpenX SerDe lower-cases every JSON key while parsing, nested ones included, so map
 * keys would have to be written lower case (`event['destinationhostname']`) while the JSON says
 * `DestinationHostname`, which reads like a bug and differs from DuckDB. Struct fields are resolved like columns:
 * `event.targetusername` in Athena and in DuckDB. Left out: columns the SerDe finds only through a
 * `mapping.<column>` property (a key with a space), which applies to top-level columns only; those fields, and any
 * no schema knows, are in `alert_lines` (`json_extract_scalar(line, '$.event.Data1')`).
 */
const EVENT_STRUCT_FIELDS = EVENT_COLUMNS.filter(matchesByName);
const EVENT_STRUCT: ColumnType = `struct<${EVENT_STRUCT_FIELDS.map((c) => `${c.name}:${c.type}`).join(',')}>`;

/** The fields of the `alerts.event` struct, in order (the events columns the SerDe matches by name). */
export const ALERT_EVENT_FIELDS: readonly ColumnDefinition[] = EVENT_STRUCT_FIELDS;

/** One line per rule match (src/pipeline/alert-record.ts). */
export const ALERTS_TABLE: TableDefinition = {
  name: 'alerts',
  area: 'alerts',
  storage: 'json',
  description: 'One line per Sigma rule match, with the matched enriched event',
  columns: [
    column('time', 'string', 'Event time, ISO 8601 UTC'),
    column('host', 'string', 'Computer name as logged'),
    column('rule_id', 'string', 'Sigma rule id'),
    column('rule_title', 'string', 'Sigma rule title'),
    column('level', 'string', 'informational, low, medium, high or critical'),
    column('tags', 'array<string>', 'Sigma tags'),
    column('rule_file', 'string', 'Rule file the rule came from'),
    column('format', 'string', 'Rule language: sigma, or gene for Gene rules'),
    column('channel', 'string', 'Event log channel'),
    column('event_id', 'int', 'Windows event ID'),
    column('dedupe_key', 'string', 'Key under which repeated notifications collapse'),
    column('event', EVENT_STRUCT, 'The matched output record (the events table fields, as a struct)'),
  ],
  partitionKeys: PARTITION_KEYS,
};

const LINE: ColumnDefinition = column(
  'line',
  'string',
  "The whole JSON line as text: json_extract_scalar(line, '$.Data1')",
);

/** Every events line as JSON text: the fields no column names. Same objects and partitions as `events`. */
export const EVENT_LINES_TABLE: TableDefinition = {
  name: 'event_lines',
  area: 'events',
  storage: 'lines',
  description: 'The events objects as whole JSON lines, for fields without a column (json_extract_scalar)',
  columns: [LINE],
  partitionKeys: PARTITION_KEYS,
};

/** Every alerts line as JSON text (the matched event under `$.event`). */
export const ALERT_LINES_TABLE: TableDefinition = {
  name: 'alert_lines',
  area: 'alerts',
  storage: 'lines',
  description: 'The alerts objects as whole JSON lines, for fields without a column (json_extract_scalar)',
  columns: [LINE],
  partitionKeys: PARTITION_KEYS,
};

export const TABLES: readonly TableDefinition[] = [EVENTS_TABLE, ALERTS_TABLE, EVENT_LINES_TABLE, ALERT_LINES_TABLE];
