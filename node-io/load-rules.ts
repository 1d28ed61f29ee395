/**
 * Rule files -> a compiled rule set, the same way for `replay`, `dev`, `rules check` and the enrich functions' cold
 * start: read (rule-files.ts), compile with the selection (src/detection/rule-selection.ts), and refuse any rule that
 * does not compile unless the caller chose to skip them. Beside node-io/rule-files.ts for the same reason: it reads
 * disk, and lambda/ may not import cli/.
 */
// Not src/detection/index.js: it loads the yaml package, which a cache hit or a bundled parsed form never needs.
import {
  type CompileRecord,
  type CompileResult,
  compileParsedRules,
  optionsFingerprint,
  type ParsedRuleSource,
  parseRuleSourcesWith,
} from '../src/detection/compile-rules.js';
import { DEFAULT_SELECTION, type LeftOutBy, type RuleSelection } from '../src/detection/rule-selection.js';
import type { CompileOptions, RuleProblem } from '../src/detection/types.js';
import { loadYamlParser } from '../src/detection/yaml-parse.js';
import type { ContainerSet } from '../src/ioc/container-set.js';
import type { RuleCache, RuleCacheOutcome } from './rule-cache.js';
import { readRuleSources } from './rule-files.js';

export interface RuleLoadOptions {
  /** Which rules to load. Default: all but deprecated and unsupported (DEFAULT_SELECTION). */
  selection?: RuleSelection;
  /** true: rules that do not compile are left out and listed; false (default): any such rule refuses the load. */
  skipInvalidRules?: boolean;
  /** Live IOC containers for Gene `in <container>` and Sigma `|expand` placeholders (src/ioc). Default: none. */
  containers?: ContainerSet;
}

/** `file:line: reason`, the one line that names a rule problem everywhere. */
export function ruleProblemLine(problem: RuleProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`;
}

/** Rules that do not compile, and the caller did not ask to skip them: nothing may start with a partial rule set. */
export class InvalidRulesError extends Error {
  constructor(
    readonly problems: readonly RuleProblem[],
    /** How the caller's user skips them (`--skip-invalid-rules`, `-c skipInvalidRules=true`). */
    skipHint: string,
  ) {
    super(
      [
        ...problems.map((problem) => `rule rejected: ${ruleProblemLine(problem)}`),
        `${problems.length} rule(s) do not compile; ${skipHint} loads the rest`,
      ].join('\n'),
    );
    this.name = 'InvalidRulesError';
  }
}

/** What was loaded, and what was not and why: the summaries print this. */
export interface RuleLoadReport {
  /** Rules compiled into the set (after selection). */
  selected: number;
  /** Rules the selection left out, by what left them out. */
  leftOut: Record<LeftOutBy, number>;
  /** Rules that do not compile, left out because the caller chose to skip them. */
  invalidSkipped: RuleProblem[];
}

/** The report of a compile result; throws InvalidRulesError when a rule was rejected and skipping was not chosen. */
export function checkCompiled(
  result: CompileResult,
  options: { skipInvalidRules?: boolean },
  skipHint: string,
): RuleLoadReport {
  if (result.rejected.length > 0 && !options.skipInvalidRules) throw new InvalidRulesError(result.rejected, skipHint);
  const leftOut: Record<LeftOutBy, number> = { level: 0, status: 0, tags: 0 };
  for (const problem of result.skipped) if (problem.leftOutBy) leftOut[problem.leftOutBy]++;
  return { selected: result.compiled, leftOut, invalidSkipped: result.rejected };
}

/** The compile options of a load (synth compiles the bundle's record with the same). */
export function ruleCompileOptions(options: RuleLoadOptions): CompileOptions {
  return {
    selection: options.selection ?? DEFAULT_SELECTION,
    ...(options.containers ? { containers: options.containers } : {}),
  };
}

/**
 * Reads and compiles every rule file under `paths`; see {@link checkCompiled}. With a `cache` (node-io/rule-cache.ts),
 * the YAML is parsed only when no entry holds these exact files; `cache` then says what the cache did.
 */
export async function loadRuleFiles(
  paths: readonly string[],
  options: RuleLoadOptions & {
    cache?: RuleCache | undefined;
    /** The rule files under `paths` already parsed (a function's bundled parsed-rules.json): nothing is read. */
    parsed?: readonly ParsedRuleSource[] | undefined;
    /** With `parsed`: the record of a full compile of them with these options (synth writes it beside them). */
    record?: CompileRecord | undefined;
  },
  skipHint: string,
): Promise<{ result: CompileResult; report: RuleLoadReport; cache?: RuleCacheOutcome }> {
  let parsed = options.parsed;
  let cached: Awaited<ReturnType<RuleCache['parse']>> | undefined;
  if (parsed === undefined) {
    if (options.cache) {
      cached = await options.cache.load(paths);
      parsed = cached.sources;
    } else parsed = parseRuleSourcesWith(await readRuleSources([...paths]), await loadYamlParser());
  }
  const compileOptions = ruleCompileOptions(options);
  // With a cache entry, the record of an earlier full compile of it lets each list's predicates wait for the list's
  // first event (compile-rules.ts); without one, this compile is full and its record is kept for the next run. With
  // IOC containers too: a record marks the rules they can change (`|expand`), which are always compiled in full.
  const entry = cached && options.cache ? cached.outcome.file : undefined;
  const record = entry
    ? options.cache?.readRecord(entry, optionsFingerprint(compileOptions))
    : options.parsed
      ? options.record
      : undefined;
  const result = compileParsedRules(parsed, compileOptions, record ? { record } : undefined);
  if (entry && !record && result.record && cached?.outcome.writeError === undefined) {
    options.cache?.writeRecord(entry, result.record);
  }
  return { result, report: checkCompiled(result, options, skipHint), ...(cached ? { cache: cached.outcome } : {}) };
}
