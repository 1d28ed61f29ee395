/**
 * The timeline as CSV (for spreadsheets and Timeline Explorer: safe against formula injection, through csv-stringify),
 * JSON lines (for SIEMs and jq), or an aligned table (for a terminal).
 */
import { stringify } from 'csv/sync';
import { terminalJson } from '../io/terminal-text.js';
import { formatTable } from '../query/format-rows.js';
import { details, fieldText } from './profiles.js';
import type { TimelineRow } from './read-timeline.js';

export const TIMELINE_FORMATS = ['csv', 'jsonl', 'table'] as const;
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

/** The columns hookstream names itself; any other column name is an event field (`CommandLine`, `QueryName`...). */
const STANDARD: Record<string, (row: TimelineRow) => string> = {
  time: (row) => row.time,
  host: (row) => row.host,
  kind: (row) => row.kind,
  level: (row) => row.level,
  rule: (row) => row.rule,
  rule_id: (row) => row.ruleId,
  tags: (row) => row.tags,
  channel: (row) => row.channel,
  event_id: (row) => row.eventId,
  details: (row) => details(row.event),
};

export const STANDARD_COLUMNS: readonly string[] = Object.keys(STANDARD);

/** The default columns: `kind` only when events are listed too. */
export function defaultColumns(allEvents: boolean): string[] {
  return ['time', 'host', ...(allEvents ? ['kind'] : []), 'level', 'rule', 'channel', 'event_id', 'details'];
}

/** An event field by name: exactly, else ignoring case (`commandline` finds `CommandLine`). */
function field(event: Readonly<Record<string, unknown>>, name: string): string {
  if (name in event) return fieldText(event[name]);
  const lower = name.toLowerCase();
  const key = Object.keys(event).find((k) => k.toLowerCase() === lower);
  return key === undefined ? '' : fieldText(event[key]);
}

/** One cell of a row. */
export function cell(row: TimelineRow, column: string): string {
  const standard = STANDARD[column.toLowerCase()];
  return standard ? standard(row) : field(row.event, column);
}

/**
 * A spreadsheet reads a cell beginning with `=`, `+`, `-` or `@` as a formula (and tab or CR as the start of one):
 * such a cell gets a leading `'`, which spreadsheets show as text and hide. The value is otherwise unchanged.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Excel's limit for one cell is 32,767 characters; a longer one breaks the row, so CSV cells are cut below it. */
export const MAX_CSV_CELL = 32_000;
const CUT_MARK = '…[cut]';

function csvCell(text: string): string {
  const safe = neutraliseFormula(text);
  return safe.length > MAX_CSV_CELL ? `${safe.slice(0, MAX_CSV_CELL - CUT_MARK.length)}${CUT_MARK}` : safe;
}

/** How many rows are written per piece: the output streams out instead of being built whole. */
const CHUNK = 2000;

/** The timeline in `format`, as pieces of text to write in order. */
export function* formatTimeline(
  rows: readonly TimelineRow[],
  columns: readonly string[],
  format: TimelineFormat,
  options: { bom?: boolean } = {},
): Generator<string> {
  if (format === 'table') {
    yield formatTable({ columns, rows: rows.map((row) => columns.map((column) => cell(row, column))) });
    return;
  }
  if (format === 'jsonl') {
    for (let i = 0; i < rows.length; i += CHUNK) {
      yield rows
        .slice(i, i + CHUNK)
        .map(
          (row) =>
            `${terminalJson(JSON.stringify(Object.fromEntries(columns.map((column) => [column, cell(row, column)]))))}\n`,
        )
        .join('');
    }
    return;
  }
  yield stringify([columns.map(csvCell)], { bom: options.bom === true });
  for (let i = 0; i < rows.length; i += CHUNK) {
    yield stringify(rows.slice(i, i + CHUNK).map((row) => columns.map((column) => csvCell(cell(row, column)))));
  }
}
