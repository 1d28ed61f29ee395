/**
 * The Sigma rule folders shipped with the enrich functions. At synth time every rule file is read and compiled
 * with the same compiler and options the functions use at cold start; any rejected rule fails synth (and so deploy)
 * with one line per rule naming the file and reason, instead of a function that starts and then refuses its rules,
 * unless the options skip invalid rules (context skipInvalidRules=true), when they are listed instead. The folders
 * are copied into `rules/<folder name>/` of each bundle by an esbuild afterBundling hook, and the options written
 * beside them as `rules/rule-options.json` (lambda/rules.ts reads it), so the functions load exactly this set.
 * The rules' parsed form goes beside them too, as `rules/parsed-rules.json`: the cold start then parses no YAML; and
 * a last step checks on the bundle itself that it names exactly the folder's rule files and writes
 * `rules/listing-proof.json`, so the cold start need not list the folder to check it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { formatRuleOptions, parseRuleOptions, RULE_OPTIONS_FILE, type RuleOptionsFile } from '../../lambda/rules.js';
import { ruleCompileOptions } from '../../node-io/load-rules.js';
import {
  BUNDLED_AUTOMATA_FILE,
  COMPILE_RECORD_FILE,
  PARSED_RULES_FILE,
  ruleCacheKey,
  writeBundledAutomata,
  writeBundledParsedRules,
  writeBundledRecord,
} from '../../node-io/rule-cache.js';
import { compileParsedRules, optionsFingerprint, parseRuleSources, RECORD_FORMAT } from '../../src/detection/index.js';

/** One rule file's text, as the compiler takes it (src/detection RuleSource). */
export interface RuleFileSource {
  file: string;
  text: string;
}

/** What the check reads of `compileRules` (src/detection); the rest of its result is not needed here. */
export interface RuleCompileResult {
  compiled: unknown;
  rejected: readonly { file: string; line?: number; reason: string }[];
  skipped?: unknown;
  /**
   * The options the compile used (selection, skipInvalidRules), for the functions to use the same at cold start.
   * `skipInvalidRules: true` turns rejected rules into a listed skip instead of a failed synth. Default: none.
   */
  options?: RuleOptionsFile;
}

export type RuleCompiler = (sources: RuleFileSource[]) => RuleCompileResult;

/** Where the rules are inside the deployed bundle (LAMBDA_TASK_ROOT is /var/task). */
export const BUNDLED_RULES_DIR = '/var/task/rules';

/** A rule folder is missing, or a rule does not compile: synth must stop. */
export class RuleBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleBundleError';
  }
}

export interface RuleFolder {
  /** Absolute path on the build machine. */
  source: string;
  /** Folder name under `rules/` in the bundle. */
  name: string;
  /** The path is one rule file (e.g. a Gene compiled.gen): it goes into `rules/<name>/` under its own name. */
  file?: true;
}

/** Sigma YAML and Gene JSON (`.gen`, e.g. compiled.gen) rule files. */
function isRuleFile(name: string): boolean {
  return name.endsWith('.yml') || name.endsWith('.yaml') || name.endsWith('.gen');
}

function listRuleFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...listRuleFiles(path));
    else if (entry.isFile() && isRuleFile(entry.name)) files.push(path);
  }
  return files.sort();
}

export interface CompiledRuleBundle {
  folders: RuleFolder[];
  /** Rule files read. */
  files: number;
  /** What the compiler reports as compiled (a count or the compiled rules). */
  compiled: number;
  /** Rules that do not compile, left out because the options skip invalid rules. */
  invalidSkipped: readonly { file: string; line?: number; reason: string }[];
  commandHooks: ICommandHooks;
}

function countOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'number') return value;
  return 0;
}

/**
 * Resolves the folders against `projectRoot`, reads and compiles every `.yml`/`.yaml` file, and returns the
 * bundling hooks. Throws RuleBundleError listing every rejected rule (not just the first).
 */
export function compileRuleBundle(
  projectRoot: string,
  paths: readonly string[],
  compile: RuleCompiler,
): CompiledRuleBundle {
  const folders: RuleFolder[] = [];
  const names = new Set<string>();
  for (const path of paths) {
    const source = isAbsolute(path) ? path : resolve(projectRoot, path);
    const info = existsSync(source) ? statSync(source) : undefined;
    // One rule file (a Gene compiled.gen, a single Sigma rule) is taken as a folder named after it.
    const file = info?.isFile() === true && isRuleFile(source);
    if (!info?.isDirectory() && !file) {
      throw new RuleBundleError(
        `rules folder ${path} (${source}) does not exist; set -c rules=<folder or rule file>[,<folder or rule file>]`,
      );
    }
    const name = file ? basename(source).replace(/\.[^.]+$/, '') : basename(source);
    if (names.has(name)) {
      throw new RuleBundleError(`two rule folders are both named "${name}"; they would overwrite each other in rules/`);
    }
    names.add(name);
    folders.push(file ? { source, name, file } : { source, name });
  }

  const sources: RuleFileSource[] = [];
  for (const folder of folders) {
    for (const path of folder.file ? [folder.source] : listRuleFiles(folder.source)) {
      // The name the function will report: relative to the bundle's rules/ folder.
      const within = folder.file ? basename(path) : relative(folder.source, path);
      sources.push({ file: join(folder.name, within), text: readFileSync(path, 'utf8') });
    }
  }
  if (sources.length === 0) {
    throw new RuleBundleError(`no .yml/.yaml/.gen rule files under ${paths.join(', ')}`);
  }
  const result = compile(sources);
  if (result.rejected.length > 0 && !result.options?.skipInvalidRules) {
    const lines = result.rejected.map(
      (problem) => `rule rejected: ${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`,
    );
    throw new RuleBundleError(
      `${lines.join('\n')}\n${result.rejected.length} rule(s) do not compile; -c skipInvalidRules=true loads the rest`,
    );
  }
  return {
    folders,
    files: sources.length,
    compiled: countOf(result.compiled),
    invalidSkipped: result.rejected,
    commandHooks: copyRulesHooks(folders, result.options, writeParsedRules(sources, result.options)),
  };
}

/**
 * The rules' parsed form (node-io/rule-cache.ts), written once here so that a cold start compiles without parsing
 * YAML (about half of compiling the SigmaHQ Windows corpus), with the record of their full compile and that
 * compile's prefilter automata (one record serves the function with and without IOC containers: compile-rules.ts
 * RecordedRule.live). Written to files named by their content under the system's temporary folder, for
 * afterBundling to copy into each bundle; returns their paths (the parsed form's only, when there is no record).
 */
function writeParsedRules(sources: readonly RuleFileSource[], options?: RuleOptionsFile): BundledRuleFiles {
  const folder = join(tmpdir(), 'hookstream-parsed-rules');
  mkdirSync(folder, { recursive: true });
  const key = ruleCacheKey(sources, 'bundle');
  const file = join(folder, `${key}.json`);
  // The record of a full compile with the options the function reads (rule-options.json), so that its cold start
  // compiles each list's rules on the list's first event (lambda/rules.ts); keyed by those options and the record
  // format (a record of another format in the folder is not copied).
  const loadOptions = options === undefined ? undefined : parseRuleOptions(formatRuleOptions(options));
  if (loadOptions !== undefined && !loadOptions.ok) {
    if (!existsSync(file)) {
      writeAtomically(file, (partial) => writeBundledParsedRules(partial, parseRuleSources(sources)));
    }
    return { parsedRules: file };
  }
  const compileOptions = ruleCompileOptions(loadOptions?.value ?? {});
  const hash = createHash('sha256')
    .update(`${RECORD_FORMAT}\0${optionsFingerprint(compileOptions)}`)
    .digest('hex');
  const stem = join(folder, `${key}.${hash.slice(0, 16)}`);
  // Every list's prefilter automata, built here once: the first event of each list reads its own instead of
  // building them (150-260 ms of CPU on the SigmaHQ Windows corpus's first process-creation event).
  const out = { parsedRules: file, compileRecord: `${stem}.record`, automata: `${stem}.automata` };
  if (Object.values(out).every((path) => existsSync(path))) return out;
  const parsed = parseRuleSources(sources);
  writeAtomically(file, (partial) => writeBundledParsedRules(partial, parsed));
  const { record } = compileParsedRules(parsed, compileOptions);
  if (record === undefined) return { parsedRules: file };
  // Both from the one record object: the automata file is tied to the record text's checksum.
  writeAtomically(out.compileRecord, (partial) => writeBundledRecord(partial, record));
  writeAtomically(out.automata, (partial) => {
    if (!writeBundledAutomata(partial, record)) throw new RuleBundleError('a compile record without automata');
  });
  return out;
}

/** `write(partial)`, then the partial file renamed to `file`: a concurrent synth never copies half a file. */
function writeAtomically(file: string, write: (partial: string) => void): void {
  const partial = `${file}.${process.pid}.partial`;
  write(partial);
  renameSync(partial, file);
}

/** What {@link writeParsedRules} wrote, for {@link copyRulesHooks} to copy into each bundle's rules folder. */
export interface BundledRuleFiles {
  /** The rules' parsed form, copied to `<bundle>/rules/parsed-rules.json` (lambda/rules.ts prefers it). */
  parsedRules?: string;
  /** The record of their full compile, copied to `<bundle>/rules/compile-record.json`. */
  compileRecord?: string;
  /** That compile's prefilter automata, copied to `<bundle>/rules/prefilter-automata.bin`. */
  automata?: string;
}

/** This checkout's root (this file is infra/constructs/rule-bundle.ts): where tsx and node-io/ are. */
const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs node-io/prove-rule-listing.ts on a bundle's rules folder (node-io/rule-cache.ts proveBundledListing). */
export function proveListingCommand(rulesFolder: string): string {
  const script = join(CHECKOUT_ROOT, 'node-io', 'prove-rule-listing.ts');
  return `cd ${shellQuote(CHECKOUT_ROOT)} && ${shellQuote(process.execPath)} --import tsx ${shellQuote(script)} ${shellQuote(rulesFolder)}`;
}

/** Quotes a path for the POSIX shell the bundling commands run in. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * afterBundling: copy each folder to `<bundle>/rules/<name>`, and write the rule options (if any) to
 * `<bundle>/rules/rule-options.json`. Local (non-Docker) bundling on a POSIX shell.
 */
export function copyRulesHooks(
  folders: readonly RuleFolder[],
  options?: RuleOptionsFile,
  { parsedRules, compileRecord, automata }: BundledRuleFiles = {},
): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `mkdir -p ${shellQuote(join(outputDir, 'rules'))}`,
      ...folders.map((folder) =>
        folder.file
          ? `mkdir -p ${shellQuote(join(outputDir, 'rules', folder.name))} && cp ${shellQuote(folder.source)} ${shellQuote(join(outputDir, 'rules', folder.name, basename(folder.source)))}`
          : `cp -R ${shellQuote(folder.source)} ${shellQuote(join(outputDir, 'rules', folder.name))}`,
      ),
      ...[
        [parsedRules, PARSED_RULES_FILE],
        [compileRecord, COMPILE_RECORD_FILE],
        [automata, BUNDLED_AUTOMATA_FILE],
      ].flatMap(([from, name]) =>
        from === undefined ? [] : [`cp ${shellQuote(from)} ${shellQuote(join(outputDir, 'rules', name as string))}`],
      ),
      // After every rule file and parsed-rules.json is in place, on the bundle as it will be deployed: the check the
      // cold start would otherwise make by listing the folder (parsed-rules.json names exactly its rule files), made
      // once here; it writes listing-proof.json, or fails the bundling (and synth) when they differ. What follows
      // (the options file) is no rule file. The package cannot change after bundling.
      ...(parsedRules === undefined ? [] : [proveListingCommand(join(outputDir, 'rules'))]),
      ...(options === undefined
        ? []
        : [
            `printf '%s' ${shellQuote(formatRuleOptions(options))} > ${shellQuote(join(outputDir, 'rules', RULE_OPTIONS_FILE))}`,
          ]),
    ],
  };
}
