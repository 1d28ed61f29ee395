/**
 * The enrich function's rules folder with the whole SigmaHQ Windows corpus, as synth writes it into the function's
 * task root (the rule files, rule-options.json, parsed-rules.json, the compile records and their prefilter automata), for the cold start
 * benchmarks, with the build's listing-proof.json. Written by this checkout's modules: both sides of an A/B run must read the same formats.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatRuleOptions, parseRuleOptions, RULE_OPTIONS_FILE } from '../../lambda/rules.js';
import { ruleCompileOptions } from '../../node-io/load-rules.js';
import {
  BUNDLED_AUTOMATA_FILE,
  COMPILE_RECORD_FILE,
  PARSED_RULES_FILE,
  proveBundledListing,
  writeBundledAutomata,
  writeBundledParsedRules,
  writeBundledRecord,
} from '../../node-io/rule-cache.js';
import { readRuleSources } from '../../node-io/rule-files.js';
import {
  type CompileOptions,
  compileParsedRules,
  type ParsedRuleSource,
  parseRuleSources,
} from '../../src/detection/index.js';
import { SIGMA_ROOT } from '../detection.js';

/** The SigmaHQ folder the benchmarks load. */
export const SIGMA_WINDOWS = path.join(SIGMA_ROOT, 'rules/windows');

/**
 * As synth writes them (infra/constructs/rule-bundle.ts): the record of a full compile with `options` and its
 * prefilter automata, both from one record object (one record serves the function with and without IOC containers).
 */
export function writeBundledRecords(rules: string, parsed: ParsedRuleSource[], options: CompileOptions): void {
  const { record } = compileParsedRules(parsed, options);
  if (!record) return;
  writeBundledRecord(path.join(rules, COMPILE_RECORD_FILE), record);
  writeBundledAutomata(path.join(rules, BUNDLED_AUTOMATA_FILE), record);
}

/** Writes `<work>/task/rules` (skipInvalidRules: some corpus rules do not compile, as synth with -c skipInvalidRules=true) and returns `<work>/task`. */
export async function writeEnrichTaskRoot(work: string): Promise<string> {
  const root = path.join(work, 'task');
  const rules = path.join(root, 'rules');
  cpSync(SIGMA_WINDOWS, path.join(rules, 'windows'), { recursive: true });
  writeFileSync(path.join(rules, RULE_OPTIONS_FILE), formatRuleOptions({ skipInvalidRules: true }));
  const sources = await readRuleSources([path.join(rules, 'windows')]);
  const parsed = parseRuleSources(sources.map((s) => ({ ...s, file: path.relative(rules, s.file) })));
  writeBundledParsedRules(path.join(rules, PARSED_RULES_FILE), parsed);
  const options = parseRuleOptions(formatRuleOptions({ skipInvalidRules: true }));
  writeBundledRecords(rules, parsed, ruleCompileOptions(options.ok ? options.value : {}));
  // As the last bundling step does (infra/constructs/rule-bundle.ts): the folder's listing checked once, here.
  const proved = await proveBundledListing(rules);
  if (!proved.ok) throw new Error(proved.error);
  return root;
}
