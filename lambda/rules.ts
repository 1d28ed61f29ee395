import path from 'node:path';
import { readRuleSources } from '../node-io/rule-files.js';
import { compileRules, type RuleSet } from '../src/detection/index.js';

/** A bundled rule does not compile: the function must not start (deploy-time checks should have caught it). */
export class RuleCompilationError extends Error {
  constructor(readonly problems: readonly { file: string; reason: string }[]) {
    super(
      `${problems.length} Sigma rule(s) do not compile: ${problems.map((p) => `${p.file}: ${p.reason}`).join('; ')}`,
    );
    this.name = 'RuleCompilationError';
  }
}

/** Reads and compiles the rules bundled under `dir` (relative to the function's root); throws on any rejection. */
export async function loadRules(dir: string, root: string): Promise<RuleSet> {
  const result = compileRules(await readRuleSources([path.resolve(root, dir)]));
  if (result.rejected.length > 0) throw new RuleCompilationError(result.rejected);
  return result.ruleSet;
}
