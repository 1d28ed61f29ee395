/** `hookstream dev`: the whole AWS pipeline on this machine, until Ctrl-C. See docs/dev.md. */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { addRuleFlags, type RuleFlags, selectionOf, selectionTextOf } from '../rule-flags.js';

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return number;
}

function positiveInteger(value: string): number {
  const number = positiveNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return number;
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  }
  return number;
}

interface DevFlags extends RuleFlags {
  rules: string[];
  out?: string;
  port: number;
  host: string;
  shards: number;
  holdWindow: number;
  retention: number;
  wallClockExpiry: boolean;
  interval: number;
}

export function register(program: Command): void {
  const command = program
    .command('dev')
    .description(
      'run the AWS pipeline locally (Kinesis, DynamoDB, S3, SNS/SQS emulators and both Lambda functions) until Ctrl-C; ' +
        'prints alerts as they arrive',
    )
    .addOption(
      new Option('--rules <paths...>', 'rule files or folders (Sigma .yml/.yaml, Gene .gen)').default(
        ['rules'],
        'rules/ in the current folder',
      ),
    )
    .option('--out <dir>', 'mirror the bucket (events/, alerts/, rejected/) to this folder, for hookstream query')
    .option('--port <port>', 'Kinesis port (the other emulators take free ports)', port, 4567)
    .option('--host <address>', 'address the emulators listen on', '127.0.0.1')
    .option('--shards <n>', 'shards of the stream', positiveInteger, 2)
    .option('--hold-window <seconds>', 'how long an unresolved connection waits for a late answer', positiveNumber, 5)
    .option('--retention <hours>', 'how far back an answer names a connection, in event time', positiveNumber, 24)
    .option(
      '--wall-clock-expiry',
      'expire stored answers by the wall clock, as in AWS (off: recordings from past years stay usable)',
      false,
    )
    .option('--interval <seconds>', 'how often the bucket is mirrored and counts are printed', positiveNumber, 10);
  addRuleFlags(command, { containers: true }).action(async (flags: DevFlags) => {
    selectionOf(flags); // a malformed selection is refused before anything starts
    const text = selectionTextOf(flags);
    // The functions log JSON through Powertools: keep stdout for alerts (errors still go to stderr), no EMF.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    // Loaded here, not at the top: the emulators are devDependencies, needed by this command only.
    const { startDev } = await import('../dev/run-dev.js');
    const report = (line: string) => process.stderr.write(`${line}\n`);
    const session = await startDev({
      rules: flags.rules,
      ...(Object.keys(text).length > 0 ? { ruleSelection: text } : {}),
      skipInvalidRules: flags.skipInvalidRules ?? false,
      ...(flags.containers ? { containers: flags.containers } : {}),
      out: flags.out,
      port: flags.port,
      host: flags.host,
      shards: flags.shards,
      holdWindowSeconds: flags.holdWindow,
      retentionHours: flags.retention,
      wallClockExpiry: flags.wallClockExpiry,
      intervalMs: flags.interval * 1000,
      print: (line) => process.stdout.write(`${line}\n`),
      report,
    });
    const endpoint = session.kinesisEndpoint;
    report(
      `hookstream dev: kinesis ${endpoint} (stream ${session.streamName}, ${session.stack.shardIds.length} shards), ` +
        `dynamodb ${session.endpoints.dynamodb}, s3 ${session.endpoints.s3}, sns/sqs ${session.endpoints.snsSqs}; ` +
        `rules ${session.rulesDir}${flags.out ? `; mirroring to ${flags.out}` : ''}`,
    );
    process.stdout.write(
      `hookstream dev: ready; send with: hookstream send <files> --stream ${session.streamName} --endpoint ${endpoint}\n`,
    );
    await new Promise<void>((resolve, reject) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          report(`hookstream dev: ${signal} again, quitting without draining`);
          process.exit(130);
        }
        stopping = true;
        report(`hookstream dev: ${signal}: stopping (draining; press Ctrl-C again to quit at once)`);
        session.stop().then(resolve, reject);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    report('hookstream dev: stopped');
  });
}
