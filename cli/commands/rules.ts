/**
 * `hookstream rules check <paths...>`: compile Sigma and Gene rules and report what compiled, was skipped or rejected,
 * and which compiled rules wait for an IOC container (`--containers`).
 */
import type { Command } from 'commander';
import { loadContainerFolders } from '../../node-io/container-files.js';
import { checkCompiled, ruleProblemLine } from '../../node-io/load-rules.js';
import { readRuleSources } from '../../node-io/rule-files.js';
import { compileParsedRules, parseRuleSourcesWith } from '../../src/detection/compile-rules.js';
import { loadYamlParser } from '../../src/detection/yaml-parse.js';
import { writeOut } from '../command-output.js';
import { terminalJson, terminalText } from '../io/terminal-text.js';
import { addRuleFlags, formatRuleReport, type RuleFlags, ruleReportJson, selectionOf } from '../rule-flags.js';

export function register(program: Command): void {
  const rules = program.command('rules').description('Sigma and Gene rule tools');
  const check = rules
    .command('check')
    .description('compile Sigma and Gene rules; exit code 1 when any rule is rejected')
    .argument('<paths...>', 'rule files or folders (Sigma .yml/.yaml, Gene .gen such as compiled.gen; recursive)')
    .option('--json', 'print the result as JSON');
  // No --skip-invalid-rules: checking is reporting every rule that does not compile.
  addRuleFlags(check, { skipInvalid: false, containers: true }).action(
    async (paths: string[], opts: RuleFlags & { json?: boolean }, self: Command) => {
      const selection = selectionOf(opts);
      const sources = await readRuleSources(paths);
      const containers = opts.containers ? loadContainerFolders(opts.containers) : undefined;
      // The yaml package is loaded here, not with the module: `hookstream --help` registers every command.
      const parsed = parseRuleSourcesWith(sources, await loadYamlParser());
      const result = compileParsedRules(parsed, { selection, ...(containers ? { containers } : {}) });
      const warnings = result.warnings ?? [];
      // The same counts replay prints; rejected rules are listed below, not thrown.
      const report = checkCompiled(result, { skipInvalidRules: true }, '');
      if (opts.json) {
        const { compiled, rejected, skipped } = result;
        const { selection: chosen, selected, leftOut } = ruleReportJson(report, selection);
        const json = { compiled, rejected, skipped, warnings, rules: { selection: chosen, selected, leftOut } };
        writeOut(self, `${terminalJson(JSON.stringify(json, null, 2))}\n`);
      } else {
        const total = result.compiled + result.rejected.length;
        const pct = total === 0 ? 100 : (100 * result.compiled) / total;
        const lines = [
          `${sources.length} files: ${result.compiled} rules compiled, ${result.skipped.length} skipped, ${result.rejected.length} rejected (${pct.toFixed(2)}% of the rules not skipped compiled)`,
          formatRuleReport({ ...report, invalidSkipped: [] }, selection),
        ];
        const byReason = new Map<string, number>();
        for (const s of result.skipped) {
          if (s.leftOutBy) continue; // counted on the rules: line
          const key = s.reason.replace(/\(product: .*\)/, '').trim();
          byReason.set(key, (byReason.get(key) ?? 0) + 1);
        }
        for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) lines.push(`  skipped ${n}: ${reason}`);
        for (const w of warnings) lines.push(`warning ${ruleProblemLine(w)}`);
        for (const r of result.rejected) lines.push(`rejected ${ruleProblemLine(r)}`);
        writeOut(self, `${terminalText(lines.join('\n'))}\n`);
      }
      if (result.rejected.length > 0) process.exitCode = 1;
    },
  );
}
