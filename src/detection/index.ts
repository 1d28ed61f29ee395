/** Sigma detection: compile rule sources once, then match canonical events against them. */
export {
  type CompileRecord,
  type CompileResult,
  compileParsedRules,
  compileRules,
  type DeferOptions,
  optionsFingerprint,
  type ParsedRuleSource,
  parseRuleSources,
  RECORD_FORMAT,
  type RecordedRule,
} from './compile-rules.js';
export { CATEGORIES, type Route, SERVICES } from './logsource.js';
export { RuleSet } from './rule-set.js';
export type { CompileOptions, RuleInfo, RuleMatch, RuleProblem, RuleSource, SigmaLevel } from './types.js';
