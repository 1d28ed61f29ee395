import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidRulesError, loadRuleFiles, type RuleLoadOptions, ruleCompileOptions } from '../node-io/load-rules.js';
import { readBundledParsedRules, readBundledRecord } from '../node-io/rule-cache.js';
import { optionsFingerprint } from '../src/detection/compile-rules.js';
import { parseRuleSelection, type RuleSelectionText } from '../src/detection/rule-selection.js';
import type { RuleSet } from '../src/detection/rule-set.js';
import type { ContainerSet } from '../src/ioc/container-set.js';

/**
 * The rule options file at the top of the rules folder: the selection and skipInvalidRules the deployment chose
 * (stack context, or dev's flags), so that the cold start compiles exactly the set that synth checked. Absent: every
 * rule (but deprecated and unsupported ones), and any rule that does not compile stops the function.
 */
export const RULE_OPTIONS_FILE = 'rule-options.json';

export interface RuleOptionsFile {
  selection?: RuleSelectionText;
  skipInvalidRules?: boolean;
}

/** A bundled rule does not compile: the function must not start (deploy-time checks should have caught it). */
export class RuleCompilationError extends InvalidRulesError {
  constructor(problems: InvalidRulesError['problems']) {
    super(problems, 'skipInvalidRules=true (stack context)');
    this.name = 'RuleCompilationError';
  }
}

/** The rule options file is unreadable or malformed: the function must not start with a different rule set. */
export class RuleOptionsError extends Error {
  constructor(file: string, detail: string) {
    super(`rule options ${file}: ${detail}`);
    this.name = 'RuleOptionsError';
  }
}

/** The file's text, to write into a rules folder. */
export function formatRuleOptions(options: RuleOptionsFile): string {
  return `${JSON.stringify(options, null, 2)}\n`;
}

/** Parses the file's text into load options. Never throws: a malformed file is an error string. */
export function parseRuleOptions(text: string): { ok: true; value: RuleLoadOptions } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'not an object' };
  const { selection, skipInvalidRules } = json as Record<string, unknown>;
  if (skipInvalidRules !== undefined && typeof skipInvalidRules !== 'boolean') {
    return { ok: false, error: 'skipInvalidRules is not true or false' };
  }
  const text_ = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';
  if (selection !== undefined && (typeof selection !== 'object' || selection === null)) {
    return { ok: false, error: 'selection is not an object' };
  }
  const s = (selection ?? {}) as Record<string, unknown>;
  if (!text_(s.minLevel) || !text_(s.status) || !text_(s.tags)) {
    return { ok: false, error: 'selection minLevel, status and tags must be text' };
  }
  const parsed = parseRuleSelection({ minLevel: s.minLevel, status: s.status, tags: s.tags });
  if (!parsed.ok) return parsed;
  return { ok: true, value: { selection: parsed.value, skipInvalidRules: skipInvalidRules ?? false } };
}

async function readRuleOptions(dir: string): Promise<RuleLoadOptions> {
  const file = path.join(dir, RULE_OPTIONS_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new RuleOptionsError(file, error.message);
  });
  if (text === undefined) return {};
  const parsed = parseRuleOptions(text);
  if (!parsed.ok) throw new RuleOptionsError(file, parsed.error);
  return parsed.value;
}

/**
 * Reads and compiles the rules bundled under `dir` (relative to the function's root) with the options of its
 * rule-options.json; throws RuleCompilationError on any rule that does not compile, unless those options skip them.
 * The rules' parsed form (parsed-rules.json, written at synth) is compiled without parsing any YAML when it is there
 * and names exactly the folder's rule files (proven once by the bundling's last step, listing-proof.json, so the
 * cold start does not list the folder; listed when there is no proof of this parsed-rules.json); otherwise the rule
 * files are read and parsed (slower, the same rules).
 * With it, compile-record.json (the record of synth's full compile with the same options) defers each list's
 * predicates to the list's first event, with or without IOC containers; rules synth found invalid are rejected from
 * the record, as before, and rules with an `|expand` field (which the containers can change) are compiled now.
 */
export async function loadRules(dir: string, root: string, containers?: ContainerSet): Promise<RuleSet> {
  const folder = path.resolve(root, dir);
  const options = await readRuleOptions(folder);
  const bundled = await readBundledParsedRules(folder);
  // Live IOC containers (S3, reloaded by the caller): Gene `in <name>` and Sigma `|expand` read them. The record
  // serves a compile with them too: its rules with an `|expand` field are compiled now (compile-rules.ts).
  const live = containers ? { containers } : {};
  const record = bundled.ok ? readBundledRecord(folder, optionsFingerprint(ruleCompileOptions(options))) : undefined;
  try {
    return (
      await loadRuleFiles(
        [folder],
        { ...options, ...live, ...(bundled.ok ? { parsed: bundled.value, record } : {}) },
        '',
      )
    ).result.ruleSet;
  } catch (error) {
    if (error instanceof InvalidRulesError) throw new RuleCompilationError(error.problems);
    throw error;
  }
}
