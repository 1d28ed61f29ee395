/** `hookstream rules check <paths...>`: compile Sigma rules and report what compiled, was skipped or rejected. */
import type { Command } from 'commander';
import { compileRules } from '../../src/detection/index.js';
import { readRuleSources } from '../../node-io/rule-files.js';

export function register(program: Command): void {
  const rules = program.command('rules').description('Sigma rule tools');
  rules
    .command('check')
    .description('compile Sigma rules; exit code 1 when any rule is rejected')
    .argument('<paths...>', 'rule files or folders (.yml/.yaml, recursive)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const sources = await readRuleSources(paths);
      const result = compileRules(sources);
      if (opts.json) {
        const { compiled, rejected, skipped } = result;
        process.stdout.write(`${JSON.stringify({ compiled, rejected, skipped }, null, 2)}\n`);
      } else {
        const total = result.compiled + result.rejected.length;
        const pct = total === 0 ? 100 : (100 * result.compiled) / total;
        const lines = [
          `${sources.length} files: ${result.compiled} rules compiled, ${result.skipped.length} skipped, ${result.rejected.length} rejected (${pct.toFixed(2)}% of the rules not skipped compiled)`,
        ];
        const byReason = new Map<string, number>();
        for (const s of result.skipped) {
          const key = s.reason.replace(/\(product: .*\)/, '').trim();
          byReason.set(key, (byReason.get(key) ?? 0) + 1);
        }
        for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) lines.push(`  skipped ${n}: ${reason}`);
        for (const r of result.rejected) lines.push(`rejected ${r.file}${r.line ? `:${r.line}` : ''}: ${r.reason}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (result.rejected.length > 0) process.exitCode = 1;
    });
}
