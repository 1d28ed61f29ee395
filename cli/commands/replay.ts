/** `hookstream replay <inputs...> --out <dir>`: the pipeline's core on local files. */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { readNetworkTableFile } from '../../node-io/network-table-file.js';
import { writeOut } from '../command-output.js';
import { terminalJson, terminalText } from '../io/terminal-text.js';
import { formatSummary } from '../replay/format-summary.js';
import { createProgressBar } from '../replay/progress-bar.js';
import { ReplayInterruptedError, type ReplayResult, runReplay } from '../replay/run-replay.js';
import { addRuleFlags, formatRuleReport, type RuleFlags, ruleReportJson, selectionOf } from '../rule-flags.js';

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`"${value}" is not a non-negative number`);
  return number;
}

interface ReplayFlags extends RuleFlags {
  out: string;
  rules?: string[];
  json?: boolean;
  enrich: boolean;
  mode: 'replace' | 'fill-empty';
  lookAhead: number;
  retention: number;
  dedupe: string;
  progress: boolean;
  networkLabels?: string;
}

export function register(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'decode, enrich and (with --rules) detect on event files; write events/, alerts/, rejected/ under --out',
    )
    .argument(
      '<inputs...>',
      'files or folders: .json .ndjson .xml .gz .zst .zip .tar.gz (any supported shipper format)',
    )
    .option('--out <dir>', 'output folder', 'out')
    .option('--rules <paths...>', 'rule files or folders (Sigma .yml/.yaml, Gene .gen) to evaluate after enrichment')
    .option('--json', 'print the summary as JSON')
    .option('--no-enrich', 'do not run the enrichment hooks (to compare detection without them)')
    .addOption(
      new Option('--mode <mode>', 'replace DestinationHostname, or only fill an empty one')
        .choices(['replace', 'fill-empty'])
        .default('replace'),
    )
    .option('--look-ahead <seconds>', 'an answer logged this long after its connection still counts', positiveNumber, 5)
    .option('--retention <hours>', 'how far back an answer names a connection, in event time', positiveNumber, 24)
    .option('--dedupe <fields>', 'fields besides the rule that make alerts the same', 'host,destination')
    .option('--no-progress', 'no progress bar')
    .option(
      '--network-labels <file>',
      'turn on the network-label hook with this CIDR table (CSV cidr,label or JSON; docs/hooks.md)',
    );
  addRuleFlags(command, { containers: true }).action(async (inputs: string[], flags: ReplayFlags, self: Command) => {
    const selection = selectionOf(flags);
    // Read and checked before anything else runs: a bad table is a start-up error naming the file.
    const networkLabels = flags.networkLabels ? { table: await readNetworkTableFile(flags.networkLabels) } : undefined;
    // A bar that follows the events: on a terminal only, and not when the output is JSON for a program.
    const bar = flags.progress && process.stderr.isTTY && !flags.json ? createProgressBar(process.stderr) : undefined;
    // Ctrl-C: the replay stops at its next batch and removes what it wrote; a second Ctrl-C ends at once.
    const controller = new AbortController();
    const onInterrupt = () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on('SIGINT', onInterrupt);
    let result: ReplayResult;
    try {
      result = await runReplay({
        inputs,
        out: flags.out,
        rules: flags.rules,
        ruleSelection: selection,
        skipInvalidRules: flags.skipInvalidRules ?? false,
        ...(flags.containers ? { containers: flags.containers } : {}),
        enrich: flags.enrich,
        enrichment: {
          mode: flags.mode,
          lookAheadMs: flags.lookAhead * 1000,
          retentionMs: flags.retention * 3_600_000,
          ...(networkLabels ? { networkLabels } : {}),
        },
        dedupeFields: flags.dedupe
          .split(',')
          .map((field) => field.trim())
          .filter(Boolean),
        onProgress: bar === undefined ? undefined : (progress) => bar.update(progress),
        signal: controller.signal,
      });
    } catch (error) {
      if (!(error instanceof ReplayInterruptedError)) throw error;
      bar?.stop();
      self.configureOutput().writeErr?.(`hookstream: ${terminalText(error.message)}\n`);
      process.exitCode = 130;
      return;
    } finally {
      bar?.stop();
      process.off('SIGINT', onInterrupt);
    }
    if (flags.json) {
      const rules = result.rules ? { rules: ruleReportJson(result.rules, selection) } : {};
      const json = {
        ...result.summary,
        skippedByReason: result.skippedByReason,
        rejectedFromInvalid: result.rejectedFromInvalid,
        ...rules,
      };
      writeOut(self, `${terminalJson(JSON.stringify(json, null, 2))}\n`);
    } else {
      const rules = result.rules ? `${formatRuleReport(result.rules, selection)}\n` : '';
      const notes = {
        rejectedFromInvalid: result.rejectedFromInvalid,
        skippedByReason: result.skippedByReason,
        detection: result.rules !== undefined,
      };
      writeOut(
        self,
        terminalText(
          `${rules}${formatSummary(result.summary, notes)}\n\nwrote ${result.objectsWritten} objects under ${flags.out}/\n`,
        ),
      );
    }
  });
}
