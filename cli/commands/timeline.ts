/** `hookstream timeline [out]`: the detections (and optionally every event) of an output folder, by event time. */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { writeOut } from '../command-output.js';
import { defaultColumns, formatTimeline, TIMELINE_FORMATS, type TimelineFormat } from '../timeline/format-timeline.js';
import { LEVELS, type Level, readTimeline } from '../timeline/read-timeline.js';

interface TimelineFlags {
  format: TimelineFormat;
  allEvents?: boolean;
  columns?: string;
  minLevel?: Level;
  host: string[];
  rule: string[];
  from?: string;
  to?: string;
  output?: string;
  bom?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/**
 * `2020-10-22`, `2020-10-22T05:30`, `2020-10-22 05:30:00.5Z`, `...+02:00`: UTC unless a zone is given. A bare date
 * or minute is the start of it for `--from` and its end for `--to`, so `--from D --to D` is the whole day D.
 */
export function parseTime(text: string, end: boolean): number {
  const value = text.trim().replace(' ', 'T');
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (match === null) throw new Error(`not a time: "${text}" (e.g. 2020-10-22 or 2020-10-22T05:30:00Z)`);
  const [, day, hour, minute, second, fraction, zone] = match;
  const start = Date.parse(`${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}${fraction ?? ''}${zone ?? 'Z'}`);
  if (Number.isNaN(start)) throw new Error(`not a time: "${text}"`);
  if (!end || fraction !== undefined) return start;
  const unit = hour === undefined ? 86_400_000 : second === undefined ? 60_000 : 1000;
  return start + unit - 1;
}

/** To the error output runCli gave the program (the process's stderr, or a test's buffer). */
function writeErr(command: Command, text: string): void {
  const write = command.configureOutput().writeErr;
  if (write) write(text);
  else process.stderr.write(text);
}

async function write(command: Command, pieces: Iterable<string>, output: string | undefined): Promise<void> {
  if (output === undefined) {
    for (const piece of pieces) {
      writeOut(command, piece);
      // When the output is the process's stdout (a pipe to a slow reader), let it drain instead of queueing it all.
      if (process.stdout.writableNeedDrain)
        await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
    return;
  }
  const file = createWriteStream(output);
  const failed = new Promise<never>((_resolve, reject) =>
    file.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot write ${output}: ${error.code ?? error.message}`)),
    ),
  );
  const done = (async () => {
    for (const piece of pieces) {
      if (!file.write(piece)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => file.end(() => resolve()));
  })();
  await Promise.race([done, failed]);
}

export function register(program: Command): void {
  program
    .command('timeline')
    .description('the detections (and with --all-events every event) of an output folder, ordered by event time')
    .argument('[out]', 'output folder written by replay or dev', 'out')
    .addOption(
      new Option('--format <format>', 'csv, jsonl or an aligned table').choices([...TIMELINE_FORMATS]).default('table'),
    )
    .option('--all-events', 'every event too, not only detections')
    .option(
      '--columns <list>',
      'comma-separated columns: time, host, kind, level, rule, rule_id, tags, channel, event_id, details, or any event field (CommandLine, QueryName, ...)',
    )
    .addOption(new Option('--min-level <level>', 'only detections of this level or above').choices([...LEVELS]))
    .option('--host <name>', 'only this host (repeat, or comma-separated; case-insensitive)', collect, [])
    .option('--rule <id or title>', 'only detections of this rule: its id, or part of its title (repeat)', collect, [])
    .option('--from <time>', 'from this event time (UTC unless a zone is given), e.g. 2020-10-22 or 2020-10-22T05:30')
    .option('--to <time>', 'up to this event time, inclusive (a date: the whole day)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--bom', 'CSV: begin with a UTF-8 byte order mark (Excel then reads non-ASCII text right)')
    .addHelpText(
      'after',
      `
details: the fields responders look at first for each kind of event (a connection's destination name, IP and port,
a process's command line, a DNS query name ...), "Field: value" joined by " ¦ ".
CSV cells beginning with = + - @, a tab or CR get a leading ' so that a spreadsheet never runs them as formulas.

Examples:
  hookstream timeline out --format csv -o timeline.csv
  hookstream timeline out --min-level high --host WORKSTATION5
  hookstream timeline out --all-events --from 2020-10-22T05:00 --to 2020-10-22T06:00 --format jsonl
  hookstream timeline out --columns time,host,rule,Image,CommandLine,DestinationHostname`,
    )
    .action(async (out: string, flags: TimelineFlags, self: Command) => {
      const from = flags.from === undefined ? undefined : parseTime(flags.from, false);
      const to = flags.to === undefined ? undefined : parseTime(flags.to, true);
      if (from !== undefined && to !== undefined && from > to) throw new Error('--from is after --to');
      const columns =
        flags.columns === undefined
          ? defaultColumns(flags.allEvents === true)
          : flags.columns
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean);
      if (columns.length === 0) throw new Error('--columns names no column');
      const info = await stat(out).catch(() => undefined);
      if (!info?.isDirectory()) throw new Error(`no such output folder: ${out} (write one with hookstream replay)`);
      const { rows, unreadable } = await readTimeline(out, {
        allEvents: flags.allEvents === true,
        minLevel: flags.minLevel,
        hosts: flags.host,
        rules: flags.rule,
        from,
        to,
      });
      await write(self, formatTimeline(rows, columns, flags.format, { bom: flags.bom }), flags.output);
      if (unreadable > 0) writeErr(self, `hookstream: skipped ${unreadable} lines that are not JSON objects\n`);
      if (flags.output !== undefined) writeErr(self, `wrote ${rows.length} rows to ${flags.output}\n`);
    });
}
