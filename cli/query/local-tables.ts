/**
 * The Glue tables over a local output folder, in DuckDB: `events`, `alerts`, `event_lines` and `alert_lines` as
 * views over the gzip JSON lines that `replay` (and the Lambda) write, with the same column names and types as
 * src/query/schema.ts, and the `dt` / `hour` partition columns from the paths (hive partitioning), so the Athena
 * named queries run here.
 *
 * DuckDB matches JSON keys case-sensitively and refuses two keys that differ only in case in one `columns` list,
 * so each line is read once as a MAP(VARCHAR, VARCHAR) (`records = false`) and every column takes the first of its
 * spellings that the line has: the Athena SerDe's case-insensitive match. Columns the query does not use are not
 * computed (DuckDB prunes them through the view).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LOCAL_TABLES, type NamedQueryDefinition, renderQuery } from '../../src/query/named-queries.js';
import {
  ALERT_EVENT_FIELDS,
  type ColumnDefinition,
  type ColumnType,
  TABLES,
  type TableDefinition,
} from '../../src/query/schema.js';

/** A Hive type as a DuckDB type; struct fields keep the Glue (lower-case) names. */
function duckType(type: ColumnType): string {
  if (type === 'string') return 'VARCHAR';
  if (type === 'int') return 'INTEGER';
  if (type === 'bigint') return 'BIGINT';
  if (type === 'array<string>') return 'VARCHAR[]';
  const fields = type.slice('struct<'.length, -1).split(',');
  return `STRUCT(${fields
    .map((field) => {
      const cut = field.indexOf(':');
      return `"${field.slice(0, cut)}" ${duckType(field.slice(cut + 1) as ColumnType)}`;
    })
    .join(', ')})`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A column's value from a MAP(VARCHAR, VARCHAR) of one object: the first spelling present, cast to its type. */
function fromMap(map: string, column: ColumnDefinition): string {
  const lookups = column.jsonKeys.map((key) => `${map}[${quote(key)}]`);
  const value = lookups.length === 1 ? (lookups[0] as string) : `coalesce(${lookups.join(', ')})`;
  return column.type === 'string' ? value : `CAST(${value} AS ${duckType(column.type)})`;
}

/** The alert's `event` struct from the map of the nested object, fields in the Glue struct's order. */
function eventStruct(map: string): string {
  return `struct_pack(${ALERT_EVENT_FIELDS.map((field) => `"${field.name}" := ${fromMap(map, field)}`).join(', ')})`;
}

async function hasObjects(folder: string): Promise<boolean> {
  const files = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  return files.some((file) => file.endsWith('.json.gz'));
}

const PARTITIONS = 'CAST(dt AS VARCHAR) AS dt, CAST(hour AS VARCHAR) AS hour';

function readJson(folder: string, options: string): string {
  return (
    `read_json(${quote(`${folder}/**/*.json.gz`)}, format = 'newline_delimited', hive_partitioning = true, ` +
    `hive_types_autocast = false, ${options})`
  );
}

/** The SELECT of one table over the objects under `folder`. */
function tableSelect(table: TableDefinition, folder: string): string {
  if (table.storage === 'lines') {
    return `SELECT json AS line, ${PARTITIONS} FROM ${readJson(folder, "records = false, columns = {'json': 'JSON'}")}`;
  }
  if (table.area === 'events') {
    const select = table.columns.map((column) => `${fromMap('m', column)} AS "${column.name}"`);
    const source = readJson(folder, "records = false, columns = {'json': 'MAP(VARCHAR, VARCHAR)'}");
    return `SELECT ${select.join(', ')}, dt, hour FROM (SELECT json AS m, ${PARTITIONS} FROM ${source})`;
  }
  // alerts: flat columns by their (lower-case) keys, the nested event as a map turned into the struct.
  const read = table.columns.map((column) =>
    column.name === 'event'
      ? `'event': 'MAP(VARCHAR, VARCHAR)'`
      : `${quote(column.jsonKey)}: ${quote(duckType(column.type))}`,
  );
  const select = table.columns.map((column) =>
    column.name === 'event' ? `${eventStruct('"event"')} AS "event"` : `"${column.jsonKey}" AS "${column.name}"`,
  );
  return `SELECT ${select.join(', ')}, ${PARTITIONS} FROM ${readJson(folder, `columns = {${read.join(', ')}}`)}`;
}

async function createView(connection: DuckDBConnection, out: string, table: TableDefinition): Promise<void> {
  const folder = path.join(out, table.area);
  if (await hasObjects(folder)) {
    await connection.run(`CREATE OR REPLACE VIEW ${table.name} AS ${tableSelect(table, folder)}`);
  } else {
    // No output yet: an empty view with the same columns, so queries still run.
    const nulls = table.columns.map((column) => `CAST(NULL AS ${duckType(column.type)}) AS "${column.name}"`);
    await connection.run(
      `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${nulls.join(', ')}, NULL::VARCHAR AS dt, NULL::VARCHAR AS hour WHERE false`,
    );
  }
}

/**
 * Athena's (Trino's) name for reading one JSON value as text, so the accessor of `event_lines` / `alert_lines` is
 * written the same in both engines: `json_extract_scalar(line, '$.Data1')`. A key with a space or another special
 * character is `$["Product Name"]` in Trino's JSON path and `$."Product Name"` in DuckDB's; the macro rewrites the
 * first into the second, so Trino's form works in both.
 */
const ATHENA_FUNCTIONS =
  'CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS ' +
  `json_extract_string(j, regexp_replace(p, '\\["([^"]*)"\\]', '."\\1"', 'g'))`;

/** An in-memory DuckDB with the tables of src/query/schema.ts over `out`. */
export async function openLocalTables(out: string): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(ATHENA_FUNCTIONS);
  for (const table of TABLES) await createView(connection, out, table);
  return connection;
}

/** A named query in DuckDB's dialect: the table placeholders, then each documented Athena -> DuckDB translation. */
export function toDuckDb(query: NamedQueryDefinition): string {
  let sql = renderQuery(query, LOCAL_TABLES);
  for (const { athena, duckdb } of query.duckdb) sql = sql.replaceAll(athena, duckdb);
  return sql;
}
