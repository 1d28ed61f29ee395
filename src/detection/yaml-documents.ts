/**
 * Sigma YAML parsed synchronously, for what always parses: build time (infra's rule bundle), tests, scripts.
 * Loading this module loads the `yaml` package (about 55 ms of CPU), so the rule set's start-up does not import it:
 * node-io loads the parser (yaml-parse.ts loadYamlParser) only when no cache entry holds the rules.
 */
import * as yaml from 'yaml';
import {
  type CompileResult,
  compileParsedRules,
  type ParsedRuleSource,
  parseRuleSourcesWith,
} from './compile-rules.js';
import type { CompileOptions, RuleSource } from './types.js';
import { yamlParser } from './yaml-parse.js';
import type { ParseResult } from './yaml-values.js';

export {
  type ParseResult,
  type YamlDocument,
  type YamlMap,
  YamlNumber,
  type YamlParser,
  type YamlValue,
  yamlText,
} from './yaml-values.js';

const parse = yamlParser(yaml);

/** Parses every document of a file; any YAML error fails the whole file with its line. Never throws. */
export function parseYamlDocuments(text: string): ParseResult {
  return parse(text);
}

/** Parses every source's YAML documents (the slow half of {@link compileRules}). Never throws. */
export function parseRuleSources(sources: readonly RuleSource[]): ParsedRuleSource[] {
  return parseRuleSourcesWith(sources, parse);
}

/** Compiles Sigma rule sources. Never throws on bad input: every problem is in `rejected`. */
export function compileRules(sources: readonly RuleSource[], options: CompileOptions = {}): CompileResult {
  return compileParsedRules(parseRuleSources(sources), options);
}
