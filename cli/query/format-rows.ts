/** Query results as a person or a program reads them: an aligned table, CSV (RFC 4180), JSON or JSON lines. */
import { terminalCell, terminalJson } from '../io/terminal-text.js';

/** What `hookstream query` prints. */
export type OutputFormat = 'table' | 'csv' | 'json' | 'jsonl';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json', 'jsonl'];

/** How a table shows SQL NULL, so that it never reads like an empty string. */
export const TABLE_NULL = 'NULL';

/** A result: column names in order (possibly repeated, as SQL allows) and one array of values per row. */
export interface ResultRows {
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
}

/** Longest cell a table shows before cutting it with an ellipsis (CSV and JSON are never cut). */
const MAX_TABLE_CELL = 80;

/**
 * A DuckDB JS value as plain JSON data: BIGINT/HUGEINT become numbers when they fit exactly, else decimal strings;
 * dates become ISO strings; bytes become hex; lists and structs recurse.
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** One cell as text: null is empty, nested values are compact JSON. */
function cellText(value: unknown): string {
  const plain = toPlain(value);
  if (plain === null) return '';
  if (typeof plain === 'string') return plain;
  if (typeof plain === 'number' || typeof plain === 'boolean') return String(plain);
  return JSON.stringify(plain);
}

function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** A cell on one line, with what a terminal would act on shown (event text is hostile: terminal-text.ts), cut. */
function cut(text: string): string {
  const oneLine = terminalCell(text.replace(/\r?\n/g, '\n'));
  return oneLine.length > MAX_TABLE_CELL ? `${oneLine.slice(0, MAX_TABLE_CELL - 1)}…` : oneLine;
}

/** An aligned text table: header, rule, rows (numbers right-aligned), then the row count. NULL shows as `NULL`. */
export function formatTable(result: ResultRows): string {
  const header = result.columns.map(cut);
  const cells = result.rows.map((row) =>
    result.columns.map((_c, i) => (row[i] === null || row[i] === undefined ? TABLE_NULL : cut(cellText(row[i])))),
  );
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)));
  const numeric = result.columns.map((_c, i) => result.rows.some((row) => isNumeric(row[i])));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  lines.push(`(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})`);
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV with a header line; fields quoted only when they need it; CRLF-free (one `\n` per line). */
export function formatCsv(result: ResultRows): string {
  const lines = [result.columns.map(csvField).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((_c, i) => csvField(cellText(row[i]))).join(','));
  return `${lines.join('\n')}\n`;
}

/** A JSON array of row objects keyed by column name (a repeated name keeps its last value). */
export function formatJson(result: ResultRows): string {
  const objects = result.rows.map((row) =>
    Object.fromEntries(result.columns.map((name, i) => [name, toPlain(row[i])])),
  );
  return `${terminalJson(JSON.stringify(objects, null, 2))}\n`;
}

/** JSON lines: one compact row object per line (what SIEM tools and `jq -c` read), keyed as formatJson. */
export function formatJsonLines(result: ResultRows): string {
  return result.rows
    .map(
      (row) =>
        `${terminalJson(JSON.stringify(Object.fromEntries(result.columns.map((name, i) => [name, toPlain(row[i])]))))}\n`,
    )
    .join('');
}

export function formatRows(result: ResultRows, format: OutputFormat): string {
  if (format === 'csv') return formatCsv(result);
  if (format === 'json') return formatJson(result);
  if (format === 'jsonl') return formatJsonLines(result);
  return formatTable(result);
}
