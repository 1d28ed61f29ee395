/** `hookstream send <inputs...> --stream <name>`: put event files into a Kinesis stream, as a shipper would. */

import { stat } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ENCODERS, type ShipperFormat } from '../../src/events/index.js';
import { LIMITS } from '../../src/limits.js';
import { InputNotFoundError } from '../io/input-files.js';
import { terminalJson, terminalText } from '../io/terminal-text.js';
import { createKinesisClient } from '../send/kinesis-client.js';
import { type PartitionKeyMode, runSend, type SendResult } from '../send/run-send.js';

interface SendFlags {
  stream: string;
  endpoint?: string;
  region?: string;
  partitionKey: PartitionKeyMode;
  format?: ShipperFormat;
  maxAttempts: number;
  progress: boolean;
  json?: boolean;
}

function attempts(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100) {
    throw new InvalidArgumentError(`"${value}" is not a whole number from 1 to 100`);
  }
  return number;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

/** At most this many failures are listed one by one; the count says the rest. */
const LISTED = 20;

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function summary(result: SendResult, stream: string): string {
  const lines = [
    `sent ${result.sent} of ${result.records} records to stream ${stream} in ${result.requests} requests ` +
      `(${result.retried} entries retried); failed ${result.failed.length + result.oversize.length}`,
  ];
  for (const [code, n] of countBy(result.failed, (f) => f.errorCode)) lines.push(`  failed ${n}: ${code}`);
  for (const failure of result.failed.slice(0, LISTED)) {
    lines.push(`  ${failure.source}: ${failure.errorCode} after ${failure.attempts} attempts ${failure.errorMessage}`);
  }
  const [first] = result.oversize;
  if (first !== undefined) {
    // One line however many: the count, the reason, and the first to look at (--json lists them all).
    lines.push(
      `  not sent ${result.oversize.length}: over the ${LIMITS.kinesisRecordBytes}-byte limit of one Kinesis record ` +
        `(the first: ${first.source}, ${first.bytes} bytes)`,
    );
  }
  if (result.skippedInputs.length > 0) {
    lines.push(`input files skipped: ${result.skippedInputs.length}`);
    for (const [reason, n] of countBy(result.skippedInputs, (s) => s.reason)) lines.push(`  ${n}  ${reason}`);
  }
  if (result.skipped.length > 0) {
    lines.push(`skipped ${result.skipped.length} documents that are not events (cannot be re-encoded):`);
    for (const [reason, n] of countBy(result.skipped, (s) => s.reason)) lines.push(`  ${n}  ${reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('send')
    .description('put event files into a Kinesis stream (PutRecords, in batches, retrying throttled entries)')
    .argument('<inputs...>', 'files or folders, read like replay: .json .ndjson .xml .evtx .gz .zst .kpl .zip .tar.gz')
    .requiredOption('--stream <name>', 'Kinesis stream name')
    .option('--endpoint <url>', 'Kinesis endpoint (an emulator such as kinesalite); dummy credentials if none found')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile; us-east-1 with --endpoint)')
    .addOption(
      new Option('--partition-key <mode>', "host: the event's host, lower case; random: spread over the shards")
        .choices(['host', 'random'])
        .default('host'),
    )
    .addOption(
      new Option(
        '--format <format>',
        're-encode every event as this shipper format, one record each (default: send records as read)',
      ).choices(Object.keys(ENCODERS)),
    )
    .option('--max-attempts <n>', 'attempts per record, the first included, for throttled entries', attempts, 10)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Records: a text file of several JSON documents (JSON lines, concatenated or pretty-printed) gives one record per
document, a broken line included as its own; any other file is one record, its bytes as they are (gzip, zstd,
KPL, XML, one JSON document). With --format each event read is re-encoded, one record per event. An .evtx file's
events are always re-encoded, as evtx-json unless --format says otherwise. A document or file over
${LIMITS.kinesisRecordBytes} bytes is not sent; the summary counts them.

Examples:
  hookstream send events --stream hookstream-events --region eu-west-1
  hookstream send events/ndjson --stream test --endpoint http://127.0.0.1:4567 --format winlogbeat`,
    )
    .action(async (inputs: string[], flags: SendFlags) => {
      // A missing input is the user's first mistake to hear about, before any AWS configuration.
      for (const input of inputs) if (!(await exists(input))) throw new InputNotFoundError(input);
      const client = await createKinesisClient({ region: flags.region, endpoint: flags.endpoint });
      const bar =
        flags.progress && process.stderr.isTTY && !flags.json
          ? new SingleBar({
              format: 'sending {bar} {percentage}% of the input read | sent {sent} | failed {failed}',
              stream: process.stderr,
              clearOnComplete: true,
            })
          : undefined;
      try {
        const result = await runSend({
          inputs,
          client,
          streamName: flags.stream,
          format: flags.format,
          partitionKey: flags.partitionKey,
          maxAttempts: flags.maxAttempts,
          onListed: (bytes) => bar?.start(Math.max(1, bytes), 0, { sent: 0, failed: 0 }),
          onBytes: (bytes) => bar?.increment(bytes),
          onProgress: ({ sent, failed }) => bar?.update({ sent, failed }),
        }).finally(() => bar?.stop());
        if (flags.json) {
          process.stdout.write(`${terminalJson(JSON.stringify({ stream: flags.stream, ...result }, null, 2))}\n`);
        } else {
          process.stdout.write(terminalText(summary(result, flags.stream)));
        }
        if (result.failed.length > 0 || result.oversize.length > 0) process.exitCode = 1;
      } finally {
        client.destroy();
      }
    });
}
