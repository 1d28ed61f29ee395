/**
 * Sigma sources -> a {@link RuleSet}: parse every document, classify it (rule, meta filter, correlation),
 * compile each rule once per logsource route, and collect every problem with its file instead of stopping.
 */
import { compileCondition, conditionNeedles, parseCondition, requiredEventIds } from './condition.js';
import {
  buildCorrelations,
  type CorrelationDoc,
  type Resolved,
  type RuleTarget,
} from './correlation/build-correlations.js';
import { parseCorrelation } from './correlation/parse-correlation.js';
import { type Compiled, compileSearch, type DetectionEnv, type Pred } from './detection-compiler.js';
import { FieldTable } from './eval-context.js';
import { compileGeneSources, isGeneSource } from './gene/compile-gene.js';
import { type Logsource, type Route, resolveRoutes } from './logsource.js';
import {
  type AutomatonImage,
  type AutomatonStore,
  type Clause,
  KEYWORDS_SLOT,
  type Needle,
  type Needles,
} from './prefilter.js';
import { selectionFromOptions, selectRule } from './rule-selection.js';
import { type CompiledRule, type IndexKey, RuleSet } from './rule-set.js';
import type { CompileOptions, RuleInfo, RuleProblem, RuleSource } from './types.js';
import {
  type ParseResult,
  yamlText as str,
  type YamlMap,
  YamlNumber,
  type YamlParser,
  type YamlValue,
} from './yaml-values.js';

export interface CompileResult {
  ruleSet: RuleSet;
  /** Rules compiled into the set, correlation rules included. */
  compiled: number;
  /** Documents left out on purpose: status, level, tags, product. */
  skipped: RuleProblem[];
  /** Documents that are not valid (or not supported) Sigma, each with its reason. */
  rejected: RuleProblem[];
  /** Rules compiled but inactive until something is loaded (a Gene rule's IOC container), each with its reason. */
  warnings?: RuleProblem[];
  /**
   * What this compile found for each Sigma rule, to pass back as {@link DeferOptions.record} when the same parsed
   * sources are compiled again with the same options (a rule cache keeps it beside its entry, synth beside a
   * function's bundled rules); it marks the rules an IOC container can change ({@link RecordedRule.live}).
   */
  record?: CompileRecord;
}

/**
 * The outcome of a full compile, rule by rule (in the order the rules are read), for {@link DeferOptions}: whether
 * the rule compiled, the problems its filters had, and the event IDs its condition pins (part of its index keys).
 */
export interface CompileRecord {
  /** {@link RECORD_FORMAT}: a record of another shape is not used (the compile is then full, and recorded anew). */
  format: number;
  /** {@link optionsFingerprint} of the options compiled with. */
  options: string;
  /** The field names of the compile's field table, by slot: {@link RecordedRule.needles} name fields by index here. */
  fields: string[];
  rules: RecordedRule[];
  /**
   * Not part of the record's JSON: the prefilter automata, kept beside it by a rule cache (node-io/rule-cache.ts).
   * `store`, read back with the record, gives the compile's lists their automata instead of building them; `images`,
   * set by the compile on the record it returns, builds (where not yet) and gives every list's automaton to keep.
   */
  automata?: { store?: AutomatonStore; images?: () => AutomatonImage[] };
}

/**
 * Bumped whenever {@link CompileRecord} changes shape or meaning. 3: rules with an `|expand` field are marked
 * ({@link RecordedRule.live}), and a record serves compiles with IOC containers too (a format-2 record has no marks).
 */
export const RECORD_FORMAT = 3;

export interface RecordedRule {
  file: string;
  line?: number;
  /** The compile error that rejected the rule. */
  error?: string;
  /** Problems of the filters applied to it (rejected too, as a full compile reports them). */
  filterProblems?: RuleProblem[];
  /** Per route: the event IDs its condition pins (null: none). */
  eventIds?: (number[] | null)[];
  /**
   * Per route: its prefilter literals (prefilter.ts Needles) as JSON text, read when a list holding the rule is made
   * ({@link encodeNeedles}); null: none. With them a list's prefilter is built without compiling its rules, and a rule
   * is compiled on the first event the prefilter lets through to it. Absent: compiled when its list is made.
   */
  needles?: (string | null)[];
  /**
   * The rule has an `|expand` field (or a filter with one), which reads live IOC containers when there are any: a
   * compile with the record compiles it in full, with the options and containers of that moment, instead of taking
   * its outcome from the record. So one record serves a compile with and without containers.
   */
  live?: true;
}

/** Deferring the predicates: only with the record of a full compile of the same parsed sources and options. */
export interface DeferOptions {
  record: CompileRecord;
}

/**
 * The options that change what a compile decides. IOC containers are left out: only an `|expand` field reads them
 * (detection-compiler.ts compileField), and a record marks every rule with one ({@link RecordedRule.live}), which a
 * compile with the record compiles in full, with or without containers; every other rule compiles the same either way.
 */
export function optionsFingerprint(options: CompileOptions): string {
  const { containers: _, ...rest } = options;
  // Sets (statuses), regexes (tag patterns) and maps spelled out: JSON would write them all as {}.
  const sorted = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof RegExp) return { regex: String(v) };
    if (v instanceof Set) return { set: [...v].map(sorted).sort() };
    if (v instanceof Map) return { map: [...v].map(([k, x]) => [sorted(k), sorted(x)]) };
    if (Array.isArray(v)) return v.map(sorted);
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  };
  return JSON.stringify(sorted(rest));
}

interface ParsedRule {
  file: string;
  /** Line of the document, set only for files holding several documents. */
  line?: number;
  info: RuleInfo;
  name?: string;
  logsource: Logsource;
  routes: Route[];
  detection: YamlMap;
  /** Selection left it out, but a selected correlation uses it: compiled, never alerting on its own. */
  feedOnly?: boolean;
}

interface ParsedFilter {
  file: string;
  line: number;
  logsource: Logsource;
  rules: string[];
  detection: YamlMap;
}

/**
 * One rule file, parsed: its YAML documents (or the file's YAML error). What {@link compileParsedRules} takes, and
 * what a rule cache keeps (parsed-rules-json.ts), so a warm start does not parse YAML again.
 */
export interface ParsedRuleSource {
  file: string;
  parsed: ParseResult;
  /** A Gene rule file's text (src/detection/gene): JSON, parsed when compiled; `parsed` is then no documents. */
  gene?: string;
}

/**
 * Parses every source's YAML documents with `parseYaml` (the slow half of compileRules): yaml-parse.ts
 * loadYamlParser's, or yaml-documents.ts parseRuleSources for the synchronous form. Never throws.
 */
export function parseRuleSourcesWith(sources: readonly RuleSource[], parseYaml: YamlParser): ParsedRuleSource[] {
  return sources.map((source) =>
    isGeneSource(source.file)
      ? { file: source.file, parsed: { ok: true, value: [] }, gene: source.text }
      : { file: source.file, parsed: parseYaml(source.text) },
  );
}

/**
 * Compiles sources already parsed by {@link parseRuleSourcesWith} (or read back from a rule cache); compileRules
 * (yaml-documents.ts) parses and compiles in one call. Never throws on bad input: every problem is in `rejected`.
 */
export function compileParsedRules(
  parsedSources: readonly ParsedRuleSource[],
  options: CompileOptions = {},
  defer?: DeferOptions,
): CompileResult {
  const selection = selectionFromOptions(options);
  const skipped: RuleProblem[] = [];
  const rejected: RuleProblem[] = [];
  const rules: ParsedRule[] = [];
  const filters: ParsedFilter[] = [];
  const knownRefs = new Set<string>();

  const correlations = selectCorrelations(parsedSources, selection, skipped, rejected);

  for (const source of parsedSources) {
    const parsed = source.parsed;
    if (!parsed.ok) {
      rejected.push({ file: source.file, reason: parsed.error });
      continue;
    }
    for (const doc of parsed.value) {
      const problem = (reason: string): RuleProblem =>
        parsed.value.length > 1 ? { file: source.file, line: doc.line, reason } : { file: source.file, reason };
      if (!(doc.value instanceof Map)) {
        rejected.push(problem('not a Sigma document (expected a map)'));
        continue;
      }
      const d = doc.value;
      const id = str(d.get('id'));
      const name = str(d.get('name'));
      if (id) knownRefs.add(id);
      if (name) knownRefs.add(name);
      // Parsed and selected above, resolved once every rule is compiled (below).
      if (d.has('correlation')) continue;
      if (d.has('filter') && !d.has('detection')) {
        const f = parseFilter(d, source.file, doc.line);
        if (typeof f === 'string') rejected.push(problem(f));
        else filters.push(f);
        continue;
      }
      const r = parseRule(d, source.file);
      if (typeof r === 'string') {
        rejected.push(problem(r));
        continue;
      }
      if (r.logsource.product !== 'windows') {
        skipped.push(problem(`not a Windows rule (product: ${r.logsource.product ?? 'none'})`));
        continue;
      }
      // Level, status and tags (rule-selection.ts): left out on purpose, counted by what left it out.
      const verdict = selectRule(r.info, selection);
      // A base rule of a selected correlation is compiled whatever its own level, status and tags (it then only
      // feeds the correlation): the specification gives meta information to the outermost correlation only.
      const feeds = correlations.needed.has(r.info.id) || (r.name !== undefined && correlations.needed.has(r.name));
      if (!verdict.selected && !feeds) {
        skipped.push({ ...problem(verdict.reason), leftOutBy: verdict.by });
        continue;
      }
      const routes = resolveRoutes(r.logsource, options.services ?? {});
      if (!routes.ok) {
        rejected.push(problem(routes.error));
        continue;
      }
      // parseRule's object is this document's own: completed in place rather than spread into a copy (once per rule
      // at every cold start).
      const rule = r as ParsedRule;
      rule.routes = routes.value;
      if (parsed.value.length > 1) rule.line = doc.line;
      if (!verdict.selected) rule.feedOnly = true;
      rules.push(rule);
    }
  }

  const filtersByRef = new Map<string, ParsedFilter[]>();
  for (const f of filters) {
    for (const ref of f.rules) {
      const list = filtersByRef.get(ref) ?? [];
      list.push(f);
      filtersByRef.set(ref, list);
      if (!knownRefs.has(ref)) rejected.push({ file: f.file, reason: `filter references unknown rule ${ref}` });
    }
  }

  const fields = new FieldTable();
  const entries: { rule: CompiledRule; key: IndexKey }[] = [];
  let compiled = 0;
  const targets: RuleTarget[] = [];
  const fingerprint = optionsFingerprint(options);
  const record = usableRecord(defer?.record, fingerprint, rules);
  const recorded: RecordedRule[] = [];
  rules.forEach((rule, index) => {
    const byId = filtersByRef.get(rule.info.id);
    const byName = rule.name ? filtersByRef.get(rule.name) : undefined;
    const ruleFilters = byId && byName ? [...byId, ...byName] : (byId ?? byName ?? NO_FILTERS);
    const where = { file: rule.file, ...(rule.line ? { line: rule.line } : {}) };
    let built: Compiled<{ rule: CompiledRule; key: IndexKey }[]>;
    const known = record?.rules[index];
    // A rule with an `|expand` field is compiled now, as without a record: with live IOC containers it reads them, and
    // whether it compiles and what it matches depend on the containers' presence and what they hold at this moment.
    if (record && known && !known.live) {
      built =
        known.error !== undefined
          ? { ok: false, error: known.error }
          : {
              ok: true,
              value: deferRule(rule, ruleFilters, fields, options, known.eventIds ?? [], known.needles, record.fields),
            };
      rejected.push(...(known.filterProblems ?? []));
    } else {
      const problems: RuleProblem[] = [];
      const eventIds: (number[] | null)[] = [];
      const needles: (string | null)[] = [];
      built = buildRule(rule, ruleFilters, fields, options, problems, eventIds, needles);
      rejected.push(...problems);
      recorded.push({
        ...where,
        ...(built.ok ? { eventIds, needles } : { error: built.error }),
        ...(problems.length > 0 ? { filterProblems: problems } : {}),
        ...(mentionsExpand(rule, ruleFilters) ? { live: true as const } : {}),
      });
    }
    if (!built.ok) {
      rejected.push({ ...where, reason: built.error });
      return;
    }
    compiled++;
    entries.push(...built.value);
    const info = built.value[0]?.rule.info;
    if (info) targets.push({ info, ...(rule.name ? { name: rule.name } : {}), feedOnly: rule.feedOnly === true });
  });
  // Gene rules (.gen files) compile into the same field table and rule set.
  const geneSources = parsedSources.flatMap((s) => (s.gene === undefined ? [] : [{ file: s.file, text: s.gene }]));
  const gene = compileGeneSources(geneSources, fields, {
    selection,
    ...(options.containers ? { containers: options.containers } : {}),
  });
  entries.push(...gene.entries);
  compiled += gene.compiled;
  skipped.push(...gene.skipped);
  rejected.push(...gene.rejected);
  const resolve = resolver(targets, correlations.all, knownRefs);
  const silentToo = targets.filter(
    (t) => correlations.ofRejected.has(t.info.id) || (t.name !== undefined && correlations.ofRejected.has(t.name)),
  );
  const linked = buildCorrelations(
    correlations.selected,
    resolve,
    silentToo.map((t) => t.info),
  );
  rejected.push(...linked.rejected);
  compiled += linked.set.size;
  const byFile = (a: RuleProblem, b: RuleProblem) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
  const ruleSet = new RuleSet(
    fields,
    entries,
    options.prefilter ?? true,
    linked.set.size > 0 || silentToo.length > 0 ? linked.set : undefined,
    record?.automata?.store,
  );
  const kept = record ?? { format: RECORD_FORMAT, options: fingerprint, fields: fields.names.slice(), rules: recorded };
  kept.automata = { ...kept.automata, images: () => ruleSet.automatonImages() };
  return {
    ruleSet,
    compiled,
    skipped: skipped.sort(byFile),
    rejected: rejected.sort(byFile),
    ...(gene.warnings.length > 0 ? { warnings: gene.warnings.sort(byFile) } : {}),
    record: kept,
  };
}

/**
 * Whether a rule's detection or one of its filters has an `|expand` field: with live IOC containers such a field
 * reads them (detection-compiler.ts compileField), without them it takes the options' placeholders. Any key whose modifiers name `expand`, in a search identifier's
 * map or a list of maps; an over-approximation only compiles a rule in full that could have waited.
 */
function mentionsExpand(rule: ParsedRule, filters: readonly ParsedFilter[]): boolean {
  const inSearch = (v: YamlValue | undefined): boolean =>
    v instanceof Map
      ? [...v.keys()].some((key) => key.split('|').slice(1).includes('expand'))
      : Array.isArray(v) && v.some(inSearch);
  const inDetection = (d: YamlMap) => [...d].some(([name, v]) => name !== 'condition' && inSearch(v));
  return inDetection(rule.detection) || filters.some((f) => inDetection(f.detection));
}

/** The record, when it is of these options and of exactly these rules (else everything is compiled now). */
function usableRecord(
  record: CompileRecord | undefined,
  fingerprint: string | undefined,
  rules: readonly ParsedRule[],
): CompileRecord | undefined {
  if (record === undefined || fingerprint === undefined || record.options !== fingerprint) return undefined;
  if (record.format !== RECORD_FORMAT || !Array.isArray(record.fields)) return undefined;
  if (record.rules.length !== rules.length) return undefined;
  for (let i = 0; i < rules.length; i++) {
    const known = record.rules[i] as RecordedRule;
    const rule = rules[i] as ParsedRule;
    if (known.file !== rule.file || known.line !== rule.line) return undefined;
    if (known.error === undefined && known.eventIds?.length !== rule.routes.length) return undefined;
    if (known.needles !== undefined && known.needles.length !== rule.routes.length) return undefined;
  }
  return record;
}

/**
 * Parses every correlation document, and chooses the ones to load: the outermost correlations (referenced by no
 * other) go through the selection like rules; everything a selected one references, directly or through inner
 * correlations, is loaded with it. `needed` holds every reference of the selected ones (rule ids and names).
 */
function selectCorrelations(
  parsedSources: readonly ParsedRuleSource[],
  selection: ReturnType<typeof selectionFromOptions>,
  skipped: RuleProblem[],
  rejected: RuleProblem[],
): { all: CorrelationDoc[]; selected: CorrelationDoc[]; needed: Set<string>; ofRejected: Set<string> } {
  const all: CorrelationDoc[] = [];
  // References of correlations rejected while parsing: their base rules stay silent rather than alert on every event.
  const ofRejected = new Set<string>();
  for (const source of parsedSources) {
    const parsed = source.parsed;
    if (!parsed.ok) continue;
    const multi = parsed.value.length > 1;
    for (const doc of parsed.value) {
      if (!(doc.value instanceof Map) || !doc.value.has('correlation')) continue;
      const where = multi ? { file: source.file, line: doc.line } : { file: source.file };
      const info = parseInfo(doc.value, source.file);
      const c = typeof info === 'string' ? { ok: false as const, error: info } : parseCorrelation(doc.value, info);
      if (!c.ok) {
        rejected.push({ ...where, reason: c.error });
        const refs = doc.value.get('correlation');
        if (refs instanceof Map) for (const ref of strList(refs.get('rules')) ?? []) ofRejected.add(ref);
      } else all.push({ parsed: c.value, ...where });
    }
  }
  const byRef = new Map<string, CorrelationDoc[]>();
  for (const doc of all) {
    for (const ref of [doc.parsed.info.id, doc.parsed.name]) {
      if (!ref) continue;
      const list = byRef.get(ref) ?? [];
      list.push(doc);
      byRef.set(ref, list);
    }
  }
  const referenced = new Set(all.flatMap((doc) => doc.parsed.rules.flatMap((ref) => byRef.get(ref) ?? [])));
  const selected = new Set<CorrelationDoc>();
  const reachable = new Set<CorrelationDoc>();
  const visit = (doc: CorrelationDoc, into: Set<CorrelationDoc>) => {
    if (into.has(doc)) return;
    into.add(doc);
    for (const ref of doc.parsed.rules) for (const inner of byRef.get(ref) ?? []) visit(inner, into);
  };
  for (const doc of all) {
    if (referenced.has(doc)) continue;
    visit(doc, reachable);
    const verdict = selectRule(doc.parsed.info, selection);
    const where = doc.line === undefined ? { file: doc.file } : { file: doc.file, line: doc.line };
    if (verdict.selected) visit(doc, selected);
    else skipped.push({ ...where, reason: verdict.reason, leftOutBy: verdict.by });
  }
  for (const doc of all) {
    const where = doc.line === undefined ? { file: doc.file } : { file: doc.file, line: doc.line };
    if (!reachable.has(doc)) rejected.push({ ...where, reason: 'correlation references form a cycle' });
    else if (!selected.has(doc) && referenced.has(doc)) {
      skipped.push({ ...where, reason: 'used only by correlation rules left out' });
    }
  }
  const needed = new Set([...selected].flatMap((doc) => doc.parsed.rules));
  return { all, selected: all.filter((doc) => selected.has(doc)), needed, ofRejected };
}

/** What a correlation reference names: a compiled rule or a correlation, by id or name (same file first). */
function resolver(
  targets: readonly RuleTarget[],
  correlations: readonly CorrelationDoc[],
  knownRefs: ReadonlySet<string>,
): (ref: string, from: CorrelationDoc) => Resolved {
  return (ref, from) => {
    const found: Resolved[] = [];
    const files: string[] = [];
    for (const rule of targets) {
      if (rule.info.id === ref || rule.name === ref) {
        found.push({ kind: 'rule', rule });
        files.push(rule.info.file);
      }
    }
    for (const doc of correlations) {
      if (doc.parsed.info.id === ref || doc.parsed.name === ref) {
        found.push({ kind: 'correlation', doc });
        files.push(doc.file);
      }
    }
    if (found.length === 1) return found[0] as Resolved;
    if (found.length > 1) {
      const local = found.filter((_, i) => files[i] === from.file);
      if (local.length === 1) return local[0] as Resolved;
      return { kind: 'missing', reason: `correlation reference ${ref} is ambiguous (${found.length} rules have it)` };
    }
    if (knownRefs.has(ref))
      return { kind: 'missing', reason: `correlation references rule ${ref}, which is not loaded` };
    return { kind: 'missing', reason: `correlation references unknown rule ${ref}` };
  };
}

function strList(v: YamlValue | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => str(x) ?? String(x));
  const s = str(v);
  return s === undefined ? undefined : [s];
}

function parseLogsource(v: YamlValue | undefined): Logsource | string {
  if (!(v instanceof Map)) return 'missing logsource';
  const ls: Logsource = {};
  for (const key of ['product', 'category', 'service'] as const) {
    const s = str(v.get(key));
    if (s !== undefined) ls[key] = s.trim().toLowerCase();
  }
  return ls;
}

function parseRule(d: YamlMap, file: string): Omit<ParsedRule, 'routes'> | string {
  const info = parseInfo(d, file);
  if (typeof info === 'string') return info;
  const logsource = parseLogsource(d.get('logsource'));
  if (typeof logsource === 'string') return logsource;
  const detection = d.get('detection');
  if (!(detection instanceof Map)) return 'missing detection';
  if (!detection.has('condition')) return 'missing detection condition';
  const name = str(d.get('name'));
  return { file, info, ...(name ? { name } : {}), logsource, detection };
}

/** The meta information of a rule or correlation document. */
function parseInfo(d: YamlMap, file: string): RuleInfo | string {
  const title = str(d.get('title'));
  if (!title) return 'missing title';
  const info: RuleInfo = {
    id: str(d.get('id')) ?? '',
    title,
    level: str(d.get('level')) ?? 'informational',
    tags: strList(d.get('tags')) ?? [],
    file,
  };
  // Three plain reads rather than a loop over a table: this runs once per rule at every cold start, interpreted.
  const status = str(d.get('status'));
  if (status !== undefined) info.status = status;
  const description = str(d.get('description'));
  if (description !== undefined) info.description = description;
  const author = str(d.get('author'));
  if (author !== undefined) info.author = author;
  const references = strList(d.get('references'));
  if (references) info.references = references;
  const falsepositives = strList(d.get('falsepositives'));
  if (falsepositives) info.falsepositives = falsepositives;
  return info;
}

function parseFilter(d: YamlMap, file: string, line: number): ParsedFilter | string {
  if (!str(d.get('title'))) return 'missing title';
  const logsource = parseLogsource(d.get('logsource'));
  if (typeof logsource === 'string') return logsource;
  const filter = d.get('filter');
  if (!(filter instanceof Map)) return 'filter must be a map';
  const rules = strList(filter.get('rules'));
  if (!rules || rules.length === 0) return 'filter needs rules';
  if (!filter.has('condition')) return 'missing filter condition';
  const detection: YamlMap = new Map([...filter].filter(([k]) => k !== 'rules'));
  return { file, line, logsource, rules, detection };
}

/** Compiles a detection block (search identifiers + condition) in one field environment. */
function compileDetection(
  detection: YamlMap,
  env: DetectionEnv,
): Compiled<{ pred: Pred; needles: Needles; eventIds?: ReadonlySet<number> }> {
  const preds = new Map<string, Pred>();
  const needles = new Map<string, Needles>();
  const names: string[] = [];
  for (const [name, value] of detection) {
    if (name === 'condition' || name === 'timeframe') continue;
    const r = compileSearch(name, value, env);
    if (!r.ok) return r;
    preds.set(name, r.value.pred);
    needles.set(name, r.value.needles);
    names.push(name);
  }
  const cond = detection.get('condition');
  const texts = Array.isArray(cond) ? cond.map(str) : [str(cond)];
  if (texts.length === 0 || texts.some((t) => t === undefined)) return { ok: false, error: 'condition must be text' };
  const trees = [];
  for (const t of texts as string[]) {
    const tree = parseCondition(t, names);
    if (!tree.ok) return tree;
    trees.push(tree.value);
  }
  const tree = trees.length === 1 ? trees[0]! : { type: 'or' as const, items: trees };
  const eventIds = requiredEventIds(tree, (name) => pinnedEventIds(detection.get(name)));
  return {
    ok: true,
    value: {
      pred: compileCondition(tree, preds),
      needles: conditionNeedles(tree, (name) => needles.get(name)),
      ...(eventIds ? { eventIds } : {}),
    },
  };
}

/** `EventID` values a search identifier pins (plain values, no modifiers), for indexing only. */
function pinnedEventIds(v: YamlValue | undefined): ReadonlySet<number> | undefined {
  if (v instanceof Map) {
    const ids = v.get('EventID');
    const list = Array.isArray(ids) ? ids : [ids];
    const out = new Set<number>();
    for (const x of list) {
      const n = x instanceof YamlNumber ? x.n : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : undefined;
      if (n === undefined || !Number.isInteger(n)) return undefined;
      out.add(n);
    }
    return out;
  }
  if (Array.isArray(v) && v.length > 0) {
    const out = new Set<number>();
    for (const item of v) {
      const s = pinnedEventIds(item);
      if (!s) return undefined;
      for (const x of s) out.add(x);
    }
    return out;
  }
  return undefined;
}

function filterApplies(filter: Logsource, rule: Logsource): boolean {
  return (['product', 'category', 'service'] as const).every(
    (k) => filter[k] === undefined || rule[k] === undefined || filter[k] === rule[k],
  );
}

/** The field environment of one route's field mapping. */
function routeEnv(route: Route, fields: FieldTable, options: CompileOptions): DetectionEnv {
  const userMap = options.fieldMap ?? {};
  const routeMap = route.fieldMap ?? {};
  return {
    fields,
    mapField: (name) => {
      const mapped = routeMap[name] ?? name;
      return userMap[mapped] ?? mapped;
    },
    // Placeholders the options name win; the rest are read, live, from the IOC containers of those names.
    modifiers: {
      placeholders: options.placeholders ?? {},
      ...(options.containers ? { containers: options.containers } : {}),
    },
  };
}

type RoutePred = { pred: Pred; needles: Needles; eventIds?: ReadonlySet<number> };

/** A rule's detection and its filters in one route's field environment; filter problems go to `rejected`. */
function compileRoute(
  rule: ParsedRule,
  filters: readonly ParsedFilter[],
  env: DetectionEnv,
  rejected: RuleProblem[],
): Compiled<RoutePred> {
  const main = compileDetection(rule.detection, env);
  if (!main.ok) return main;
  let pred = main.value.pred;
  for (const f of filters) {
    if (!filterApplies(f.logsource, rule.logsource)) {
      rejected.push({ file: f.file, reason: `filter logsource does not match rule ${rule.info.id}` });
      continue;
    }
    const fc = compileDetection(f.detection, env);
    if (!fc.ok) {
      rejected.push({ file: f.file, reason: `filter: ${fc.error}` });
      continue;
    }
    const base = pred;
    const exclude = fc.value.pred;
    pred = (ctx) => base(ctx) && !exclude(ctx);
  }
  // A filter only removes matches, so the rule's own literals stay necessary.
  return { ok: true, value: { ...main.value, pred } };
}

/** Where one route's compiled rule is indexed. */
function routeKeys(route: Route, eventIds: readonly number[] | undefined): IndexKey[] {
  if (route.provider) return [{ provider: route.provider }];
  if (route.channels.length === 0) return [{ everywhere: true }];
  const ids = route.eventIds ?? eventIds;
  return route.channels.map((channel) => (ids ? { channel, eventIds: ids } : { channel }));
}

function buildRule(
  rule: ParsedRule,
  filters: readonly ParsedFilter[],
  fields: FieldTable,
  options: CompileOptions,
  rejected: RuleProblem[],
  /** Out: per route, the event IDs the condition pins (null: none), for the {@link CompileRecord}. */
  pinned: (number[] | null)[],
  /** Out: per route, its prefilter literals ({@link encodeNeedles}), for the {@link CompileRecord}. */
  literals: (string | null)[],
): Compiled<{ rule: CompiledRule; key: IndexKey }[]> {
  const info = Object.freeze({ ...rule.info });
  const out: { rule: CompiledRule; key: IndexKey }[] = [];
  const byFieldMap = new Map<Readonly<Record<string, string>> | undefined, RoutePred>();
  for (const route of rule.routes) {
    let compiled = byFieldMap.get(route.fieldMap);
    if (!compiled) {
      const c = compileRoute(rule, filters, routeEnv(route, fields, options), rejected);
      if (!c.ok) return c;
      compiled = c.value;
      byFieldMap.set(route.fieldMap, compiled);
    }
    const eventIds = compiled.eventIds ? [...compiled.eventIds] : undefined;
    pinned.push(eventIds ?? null);
    literals.push(encodeNeedles(compiled.needles));
    const compiledRule: CompiledRule = { info, pred: compiled.pred, needles: compiled.needles };
    for (const key of routeKeys(route, eventIds)) out.push({ rule: compiledRule, key });
  }
  return { ok: true, value: out };
}

const NEVER: Pred = () => false;
const NO_FILTERS: readonly ParsedFilter[] = [];

/**
 * A route's prefilter literals as JSON text for a {@link CompileRecord}: per clause, a flat list of (slot, variant,
 * text) triples, the slot as in the compile's field table ({@link CompileRecord.fields}); null when there are none.
 */
function encodeNeedles(needles: Needles): string | null {
  if (needles === undefined) return null;
  return JSON.stringify(needles.map((clause) => clause.flatMap((n) => [n.slot, n.variant, n.text])));
}

/**
 * {@link encodeNeedles}' text back into literals, their fields as slots of `fields` (resolved by name), or 'bad'
 * when the text is not of that shape (the caller then compiles the rule to get them).
 */
function decodeNeedles(text: string, names: readonly string[], fields: FieldTable): Needles | 'bad' {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'bad';
  }
  if (!Array.isArray(json)) return 'bad';
  const out: Clause[] = [];
  for (const flat of json as unknown[]) {
    if (!Array.isArray(flat) || flat.length % 3 !== 0) return 'bad';
    const clause: Needle[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      const slot = flat[i];
      const variant = flat[i + 1];
      const text = flat[i + 2];
      if (typeof text !== 'string' || (variant !== 0 && variant !== 1 && variant !== 2 && variant !== 3)) return 'bad';
      if (slot === KEYWORDS_SLOT) clause.push({ slot, variant, text });
      else {
        const name = typeof slot === 'number' ? names[slot] : undefined;
        if (typeof name !== 'string') return 'bad';
        clause.push({ slot: fields.slot(name), variant, text });
      }
    }
    out.push(clause);
  }
  return out;
}

/**
 * {@link buildRule} with the predicates compiled on first use, its index keys taken from the record of a full
 * compile that accepted it. With the route's recorded literals, its list's prefilter is built from them and the
 * predicate is compiled on the first event the prefilter lets through to the rule (rule-set.ts); without, when its
 * list is made. Should a deferred compile fail all the same (a record that does not fit), the rule matches nothing.
 */
function deferRule(
  rule: ParsedRule,
  filters: readonly ParsedFilter[],
  fields: FieldTable,
  options: CompileOptions,
  pinned: readonly (number[] | null)[],
  literals: readonly (string | null)[] | undefined,
  names: readonly string[],
): { rule: CompiledRule; key: IndexKey }[] {
  const info = Object.freeze({ ...rule.info });
  const out: { rule: CompiledRule; key: IndexKey }[] = [];
  // Routes of one field mapping share one compile, as buildRule's do.
  const shared: RouteCompile[] = [];
  rule.routes.forEach((route, i) => {
    let compile = shared.find((c) => c.route.fieldMap === route.fieldMap);
    if (!compile) {
      compile = new RouteCompile(rule, filters, route, fields, options);
      shared.push(compile);
    }
    const deferred = new DeferredRule(info, compile, literals?.[i], names, fields);
    for (const key of routeKeys(route, pinned[i] ?? undefined)) out.push({ rule: deferred, key });
  });
  return out;
}

/** One route's compile, done once, on first use. */
class RouteCompile {
  private done: RoutePred | undefined;
  constructor(
    private readonly rule: ParsedRule,
    private readonly filters: readonly ParsedFilter[],
    readonly route: Route,
    private readonly fields: FieldTable,
    private readonly options: CompileOptions,
  ) {}

  get(): RoutePred {
    if (this.done === undefined) {
      const c = compileRoute(this.rule, this.filters, routeEnv(this.route, this.fields, this.options), []);
      this.done = c.ok ? c.value : { pred: NEVER, needles: undefined };
    }
    return this.done;
  }
}

/** A rule of one route whose predicate is compiled on first use ({@link CompiledRule.compile}). */
class DeferredRule implements CompiledRule {
  private decoded: Needles | 'bad' | null = null;
  constructor(
    readonly info: RuleInfo,
    private readonly route: RouteCompile,
    /** The route's recorded literals (encodeNeedles); undefined: none recorded, compile to know them. */
    private readonly recorded: string | null | undefined,
    private readonly names: readonly string[],
    private readonly fields: FieldTable,
  ) {}

  get pred(): Pred {
    return this.route.get().pred;
  }

  get needles(): Needles {
    if (this.recorded === undefined) return this.route.get().needles;
    if (this.decoded === null) {
      this.decoded = this.recorded === null ? undefined : decodeNeedles(this.recorded, this.names, this.fields);
    }
    return this.decoded === 'bad' ? this.route.get().needles : this.decoded;
  }

  compile(): Pred {
    return this.route.get().pred;
  }
}
