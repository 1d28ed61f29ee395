/** `hookstream cost`: the monthly AWS cost per component at a given load (src/cost, formulas in docs/cost.md). */
import { type Command, Option } from 'commander';
import { type CostEstimate, checkInputs, estimateCost, type StreamMode } from '../../src/cost/index.js';
import { writeOut } from '../command-output.js';

/** Mean bytes of one OTRF event as compact JSON, one event per record (`npx tsx bench/aggregation.ts`). */
export const DEFAULT_EVENT_BYTES = 2860;

interface CostFlags {
  eventsPerSecond?: string;
  gbPerDay?: string;
  eventBytes: string;
  stream: StreamMode;
  aggregation: string;
  shards?: string;
  connectionPercent?: string;
  format: 'table' | 'json';
}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag}: "${text}" is not a number`);
  return value;
}

const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The estimate as an aligned table: one line per component, per month and per TB, then the total. */
export function formatCostTable(estimate: CostEstimate): string {
  const { inputs } = estimate;
  const perTb = (n: number) => usd(n / estimate.tbPerMonth);
  const rows = [
    ['component', 'per month', 'per TB', 'how'],
    ...estimate.lines.map((line) => [line.component, usd(line.perMonth), perTb(line.perMonth), line.how]),
    ['total', usd(estimate.perMonth), usd(estimate.perTb), ''],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const body = rows.map((row) =>
    row
      .map((cell, i) => (i === 3 ? cell : i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const gbPerDay = estimate.bytesPerDay / 1e9;
  const head = [
    `load: ${inputs.eventsPerSecond.toLocaleString('en-US', { maximumFractionDigits: 1 })} events/s x ${inputs.eventBytes} bytes = ${gbPerDay.toLocaleString('en-US', { maximumFractionDigits: 1 })} GB/day, ${estimate.tbPerMonth.toFixed(3)} TB/month`,
    `stream: ${inputs.stream}, ${estimate.shards} shards (the load needs ${estimate.requiredShards}), aggregation ${inputs.aggregation} events/record (${estimate.recordBytes} bytes), ${estimate.recordsPerSecond.toLocaleString('en-US', { maximumFractionDigits: 1 })} records/s`,
    '',
  ];
  const tail = [
    '',
    ...estimate.warnings.map((w) => `warning: ${w}`),
    'us-east-1 list prices, no free tier; formulas and assumptions: docs/cost.md',
  ];
  return `${[...head, ...body, ...tail].join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('cost')
    .description('the monthly AWS cost of a deployment per component, per month and per TB, at a given load')
    .option('--events-per-second <n>', 'events per second, all hosts together')
    .option('--gb-per-day <n>', 'or the load in GB (10^9 bytes) of events per day')
    .option(
      '--event-bytes <b>',
      'mean bytes of one event as shipped (default: the OTRF recordings mean)',
      String(DEFAULT_EVENT_BYTES),
    )
    .addOption(
      new Option('--stream <mode>', 'Kinesis capacity mode').choices(['on-demand', 'provisioned']).default('on-demand'),
    )
    .option('--aggregation <k>', 'events per Kinesis record (Fluent Bit simple_aggregation, KPL)', '1')
    .option('--shards <n>', 'provisioned shards (default: the fewest the per-shard limits allow)')
    .option('--connection-percent <p>', 'percent of events that are network connections, each held once (default 7.5)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  hookstream cost --events-per-second 2000
  hookstream cost --gb-per-day 5000 --stream provisioned --aggregation 8
  hookstream cost --events-per-second 20000 --event-bytes 1200 --format json`,
    )
    .action((flags: CostFlags, self: Command) => {
      if ((flags.eventsPerSecond === undefined) === (flags.gbPerDay === undefined)) {
        throw new Error('give the load: --events-per-second N or --gb-per-day N (one of them)');
      }
      const eventBytes = number('--event-bytes', flags.eventBytes);
      const eventsPerSecond =
        flags.eventsPerSecond !== undefined
          ? number('--events-per-second', flags.eventsPerSecond)
          : (number('--gb-per-day', flags.gbPerDay ?? '') * 1e9) / 86_400 / eventBytes;
      const inputs = {
        eventsPerSecond,
        eventBytes,
        stream: flags.stream,
        aggregation: number('--aggregation', flags.aggregation),
        ...(flags.shards === undefined ? {} : { shards: number('--shards', flags.shards) }),
        ...(flags.connectionPercent === undefined
          ? {}
          : { connectionShare: number('--connection-percent', flags.connectionPercent) / 100 }),
      };
      const invalid = checkInputs(inputs);
      if (invalid !== undefined) throw new Error(invalid);
      const estimate = estimateCost(inputs);
      writeOut(self, flags.format === 'json' ? `${JSON.stringify(estimate, null, 2)}\n` : formatCostTable(estimate));
    });
}
