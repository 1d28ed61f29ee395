/** `hookstream query "<SQL>"` and `hookstream query --saved [id]`: SQL with DuckDB over the output of replay. */
import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { NAMED_QUERIES } from '../../src/query/named-queries.js';
import { writeOut } from '../command-output.js';
import { terminalText } from '../io/terminal-text.js';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../query/format-rows.js';
import { openLocalTables } from '../query/local-tables.js';
import { QueryFailedError, runSavedQuery, runSql } from '../query/run-sql.js';
import { dayRange, parameterNames, parseParams, resolveValues } from '../query/saved-parameters.js';

interface QueryFlags {
  out: string;
  format: OutputFormat;
  saved?: string | true;
  param: string[];
}

/** To the error output runCli gave the program (the process's stderr, or a test's buffer). */
function writeErr(command: Command, text: string): void {
  const write = command.configureOutput().writeErr;
  if (write) write(text);
  else process.stderr.write(text);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function requireFolder(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`no such output folder: ${out} (write one with hookstream replay)`);
}

function listSaved(format: OutputFormat): string {
  return formatRows(
    {
      columns: ['id', 'name', 'parameters'],
      rows: NAMED_QUERIES.map((q) => [q.id, q.name, parameterNames(q).join(' ')]),
    },
    format,
  );
}

export function register(program: Command): void {
  program
    .command('query')
    .description('run SQL (DuckDB) on the events and alerts tables over the output of replay, or a saved query')
    .argument(
      '[sql]',
      'SQL over the views events, alerts, event_lines and alert_lines (the Glue columns, plus dt and hour)',
    )
    .option('--out <dir>', 'output folder written by replay', 'out')
    .addOption(
      new Option(
        '--format <format>',
        'table (NULL shown as NULL), csv, json (one array) or jsonl (one object per line)',
      )
        .choices([...OUTPUT_FORMATS])
        .default('table'),
    )
    .option('--saved [id]', 'list the saved (Athena named) queries, or run the one with this id')
    .option(
      '--param <name=value>',
      'a saved query parameter (repeat); first_day/last_day default to the first/last day in the output',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  hookstream query "SELECT host, count(*) AS n FROM events GROUP BY host ORDER BY n DESC"
  hookstream query "SELECT TargetUserName, LogonType FROM events WHERE event_id = 4624"
  hookstream query "SELECT json_extract_scalar(line, '$.Data1') FROM event_lines"
  hookstream query --saved
  hookstream query --saved domains-by-host --param host=WORKSTATION5 --format csv
  hookstream query --format jsonl "SELECT * FROM alerts" | jq .rule_title

Exit code: 1 when DuckDB rejects or fails the SQL; non-zero for any usage mistake.`,
    )
    .action(async (sql: string | undefined, flags: QueryFlags, self: Command) => {
      if (flags.saved === true) {
        if (sql !== undefined) throw new Error('give either SQL or --saved <id>, not both');
        writeOut(self, listSaved(flags.format));
        return;
      }
      if (flags.saved !== undefined && sql !== undefined) throw new Error('give either SQL or --saved <id>, not both');
      if (flags.saved === undefined && (sql === undefined || sql.trim() === '')) {
        throw new Error('give the SQL to run, or --saved to list the saved queries');
      }
      if (flags.saved === undefined && flags.param.length > 0) throw new Error('--param goes with --saved <id>');
      const saved = flags.saved === undefined ? undefined : NAMED_QUERIES.find((q) => q.id === flags.saved);
      if (flags.saved !== undefined && saved === undefined) {
        throw new Error(`no saved query "${flags.saved}" (one of: ${NAMED_QUERIES.map((q) => q.id).join(', ')})`);
      }
      const params = parseParams(flags.param);
      await requireFolder(flags.out);
      const connection = await openLocalTables(flags.out);
      try {
        const result = saved
          ? await runSavedQuery(connection, saved, resolveValues(saved, params, await dayRange(connection)))
          : await runSql(connection, sql as string);
        writeOut(self, formatRows(result, flags.format));
      } catch (error) {
        if (!(error instanceof QueryFailedError)) throw error;
        // The query, not the command line, is wrong: exit 1, as documented (main exits 2 for usage errors).
        writeErr(self, `hookstream: ${terminalText(error.message)}\n`);
        process.exitCode = 1;
      } finally {
        connection.closeSync();
      }
    });
}
