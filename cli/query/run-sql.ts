/** Runs SQL on the local tables and keeps the column order, so every output format prints what the user asked for. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { LOCAL_TABLES, type NamedQueryDefinition, renderQuery } from '../../src/query/named-queries.js';
import type { ResultRows } from './format-rows.js';
import { toDuckDb } from './local-tables.js';

/** DuckDB refused or failed the SQL: the user's query is wrong, not the program (exit 1, no stack trace). */
export class QueryFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryFailedError';
  }
}

function failed(error: unknown, what: string): QueryFailedError {
  // Not `instanceof Error`: DuckDB's errors may come from another realm (a test's VM context), and would print as
  // "Error: Parser Error: ..." through String().
  const message =
    typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message
      : String(error);
  return new QueryFailedError(`${what} failed: ${message.trim()}`);
}

/** One SQL text (the last statement's rows when there are several). */
export async function runSql(connection: DuckDBConnection, sql: string): Promise<ResultRows> {
  try {
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() };
  } catch (error) {
    throw failed(error, 'query');
  }
}

/** A named query with its positional values bound in order (see src/query/named-queries.ts). */
export async function runSavedQuery(
  connection: DuckDBConnection,
  query: NamedQueryDefinition,
  values: readonly string[],
): Promise<ResultRows> {
  renderQuery(query, LOCAL_TABLES); // throws on an unknown placeholder, before DuckDB
  try {
    const statement = await connection.prepare(toDuckDb(query));
    values.forEach((value, i) => {
      statement.bindVarchar(i + 1, value);
    });
    const reader = await statement.runAndReadAll();
    return { columns: reader.columnNames(), rows: reader.getRowsJS() };
  } catch (error) {
    throw failed(error, `saved query ${query.id}`);
  }
}

/**
 * The same as {@link runSavedQuery} (what `query --saved` runs), with the parameter count checked first and the rows
 * as plain objects keyed by column name: for callers that read columns by name.
 */
export async function runNamedQuery(
  connection: DuckDBConnection,
  query: NamedQueryDefinition,
  values: readonly string[],
): Promise<Record<string, unknown>[]> {
  if (values.length !== query.parameters.length) {
    throw new Error(`query ${query.id} takes ${query.parameters.length} parameters, got ${values.length}`);
  }
  const { columns, rows } = await runSavedQuery(connection, query, values);
  return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
}
