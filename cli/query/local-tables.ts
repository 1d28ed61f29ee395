/**
 * The Glue tables over a local output folder, in DuckDB: `events` and `alerts` as views over the gzip JSON lines
 * that `replay` (and the Lambda) write, with the same column names and types as src/query/schema.ts, and the
 * `dt` / `hour` partition columns from the paths (hive partitioning), so the Athena named queries run here.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type NamedQueryDefinition, renderQuery } from '../../src/query/named-queries.js';
import { type ColumnType, TABLES, type TableDefinition } from '../../src/query/schema.js';

/** A Hive type as a DuckDB type; struct field names keep the JSON keys' case (DuckDB matches them exactly). */
function duckType(type: ColumnType): string {
  if (type === 'string') return 'VARCHAR';
  if (type === 'int') return 'INTEGER';
  if (type === 'bigint') return 'BIGINT';
  if (type === 'array<string>') return 'VARCHAR[]';
  const fields = type.slice('struct<'.length, -1).split(',');
  return `STRUCT(${fields
    .map((field) => {
      const cut = field.indexOf(':');
      return `"${jsonKeyOf(field.slice(0, cut))}" ${duckType(field.slice(cut + 1) as ColumnType)}`;
    })
    .join(', ')})`;
}

/** The JSON key of a lower-case column name (the struct of `alerts.event` lists the events columns). */
function jsonKeyOf(name: string): string {
  for (const table of TABLES) for (const column of table.columns) if (column.name === name) return column.jsonKey;
  return name;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function hasObjects(folder: string): Promise<boolean> {
  const files = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  return files.some((file) => file.endsWith('.json.gz'));
}

async function createView(connection: DuckDBConnection, out: string, table: TableDefinition): Promise<void> {
  const folder = path.join(out, table.area);
  const columns = table.columns.map((column) => `${quote(column.jsonKey)}: ${quote(duckType(column.type))}`);
  const select = table.columns.map((column) => `"${column.jsonKey}" AS ${column.name}`);
  if (await hasObjects(folder)) {
    await connection.run(
      `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${select.join(', ')}, CAST(dt AS VARCHAR) AS dt, ` +
        `CAST(hour AS VARCHAR) AS hour FROM read_json(${quote(`${folder}/**/*.json.gz`)}, ` +
        `format = 'newline_delimited', hive_partitioning = true, hive_types_autocast = false, ` +
        `columns = {${columns.join(', ')}})`,
    );
  } else {
    // No output yet: an empty view with the same columns, so queries still run.
    const nulls = table.columns.map((column) => `CAST(NULL AS ${duckType(column.type)}) AS ${column.name}`);
    await connection.run(
      `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${nulls.join(', ')}, NULL::VARCHAR AS dt, NULL::VARCHAR AS hour WHERE false`,
    );
  }
}

/** An in-memory DuckDB with `events` and `alerts` over `out`. */
export async function openLocalTables(out: string): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const table of TABLES) await createView(connection, out, table);
  return connection;
}

/** A named query in DuckDB's dialect: the table placeholders, then each documented Athena -> DuckDB translation. */
export function toDuckDb(query: NamedQueryDefinition): string {
  let sql = renderQuery(query, { events: 'events', alerts: 'alerts' });
  for (const { athena, duckdb } of query.duckdb) sql = sql.replaceAll(athena, duckdb);
  return sql;
}

/** Runs a named query with its positional parameters; rows as plain objects. */
export async function runNamedQuery(
  connection: DuckDBConnection,
  query: NamedQueryDefinition,
  values: readonly string[],
): Promise<Record<string, unknown>[]> {
  if (values.length !== query.parameters.length) {
    throw new Error(`query ${query.id} takes ${query.parameters.length} parameters, got ${values.length}`);
  }
  const statement = await connection.prepare(toDuckDb(query));
  for (const [i, value] of values.entries()) statement.bindVarchar(i + 1, value);
  const reader = await statement.runAndReadAll();
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
