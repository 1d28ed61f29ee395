/**
 * The rule-choosing flags of `replay`, `dev` and `rules check`, one definition for the three: `--min-level`,
 * `--status`, `--tags` (src/detection/rule-selection.ts has their meaning) and `--skip-invalid-rules`.
 */
import { type Command, Option } from 'commander';
import type { RuleLoadReport } from '../node-io/load-rules.js';
import { ruleProblemLine } from '../node-io/load-rules.js';
import {
  describeSelection,
  parseRuleSelection,
  type RuleSelection,
  type RuleSelectionText,
} from '../src/detection/rule-selection.js';
import { LEVELS } from '../src/detection/types.js';

export interface RuleFlags {
  minLevel?: string;
  status?: string[];
  tags?: string[];
  skipInvalidRules?: boolean;
  /** IOC container folders (node-io/container-files.ts). */
  containers?: string[];
}

/** How a user of the CLI skips invalid rules, for the refusal's last line. */
export const SKIP_HINT = '--skip-invalid-rules';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Adds the flags; `skipInvalid: false` for `rules check`, which reports invalid rules rather than loading;
 * `containers: true` where IOC container folders are read (replay, rules check).
 */
export function addRuleFlags(command: Command, { skipInvalid = true, containers = false } = {}): Command {
  command
    .addOption(new Option('--min-level <level>', 'load only rules at this level or above').choices(LEVELS))
    .option(
      '--status <list>',
      'statuses to load, or with ! to leave out: "stable,test", "!experimental" (repeatable; deprecated and unsupported are left out unless named)',
      collect,
    )
    .option(
      '--tags <list>',
      'tag globs to load, or with ! to leave out: "attack.credential_access", "attack.t1003*,!attack.discovery" (repeatable)',
      collect,
    );
  if (containers) {
    command.option(
      '--containers <folder>',
      'IOC containers folder: one file per container (name = file name without extension), one value per line, # comments; for Gene `in <name>` and Sigma |expand %name% (repeatable)',
      collect,
    );
  }
  if (skipInvalid) {
    command.option(
      '--skip-invalid-rules',
      'load the rules that compile and list the others (default: refuse them all)',
    );
  }
  return command;
}

/** The flags as a selection; a malformed one is the user's error (one line, exit 2). */
export function selectionOf(flags: RuleFlags): RuleSelection {
  const text: RuleSelectionText = {
    ...(flags.minLevel ? { minLevel: flags.minLevel } : {}),
    ...(flags.status ? { status: flags.status } : {}),
    ...(flags.tags ? { tags: flags.tags } : {}),
  };
  const parsed = parseRuleSelection(text);
  // A plain Error: thrown from an action, commander's own error types would not be printed.
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** The selection as the options text of the rule bundle and dev's rule options file. */
export function selectionTextOf(flags: RuleFlags): RuleSelectionText {
  return {
    ...(flags.minLevel ? { minLevel: flags.minLevel } : {}),
    ...(flags.status ? { status: flags.status.join(',') } : {}),
    ...(flags.tags ? { tags: flags.tags.join(',') } : {}),
  };
}

/** `rules: 12 selected (level >= high), 310 left out (250 by level, 60 by status); 2 invalid skipped:` + one line each. */
export function formatRuleReport(report: RuleLoadReport, selection: RuleSelection): string {
  const leftOut = Object.entries(report.leftOut).filter(([, n]) => n > 0);
  const total = leftOut.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `rules: ${report.selected} selected (${describeSelection(selection)}), ${total} left out${
      total > 0 ? ` (${leftOut.map(([by, n]) => `${n} by ${by}`).join(', ')})` : ''
    }${report.invalidSkipped.length > 0 ? `, ${report.invalidSkipped.length} invalid skipped (--skip-invalid-rules):` : ''}`,
  ];
  for (const problem of report.invalidSkipped) lines.push(`  rule skipped: ${ruleProblemLine(problem)}`);
  return lines.join('\n');
}

/** The same for --json. */
export function ruleReportJson(report: RuleLoadReport, selection: RuleSelection) {
  return {
    selection: describeSelection(selection),
    selected: report.selected,
    leftOut: report.leftOut,
    invalidSkipped: report.invalidSkipped,
  };
}
