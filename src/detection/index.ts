/**
 * Sigma detection: compile rule sources once, then match canonical events against them. compileRules and
 * parseRuleSources load the `yaml` package with this module (yaml-documents.ts); the rule set's start-up imports
 * compile-rules.ts and yaml-parse.ts instead, so that a rule cache hit does not.
 */
export {
  type CompileRecord,
  type CompileResult,
  compileParsedRules,
  type DeferOptions,
  optionsFingerprint,
  type ParsedRuleSource,
  parseRuleSourcesWith,
  RECORD_FORMAT,
  type RecordedRule,
} from './compile-rules.js';
export { CATEGORIES, type Route, SERVICES } from './logsource.js';
export { RuleSet } from './rule-set.js';
export type { CompileOptions, RuleInfo, RuleMatch, RuleProblem, RuleSource, SigmaLevel } from './types.js';
export { compileRules, parseRuleSources } from './yaml-documents.js';
export { loadYamlParser } from './yaml-parse.js';
