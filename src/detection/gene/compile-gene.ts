/**
 * Gene rule files (.gen: JSON rules, one per line as in compiled.gen or concatenated and pretty-printed) ->
 * entries of the same {@link RuleSet} Sigma rules compile into, so both formats share indexing, evaluation and
 * the alert path. A rule is indexed by its Meta.Events (channel -> event IDs; no IDs: every event of the channel;
 * no channels: every event), checks Meta.Computers, then its Condition over its Matches. Every problem is
 * collected with its file and line; nothing throws.
 */
import { RE2JS } from 're2js';
import { hostKey } from '../../events/canonical-event.js';
import { splitJsonText } from '../../events/decode/json-text.js';
import { ContainerSet } from '../../ioc/container-set.js';
import type { Pred } from '../detection-compiler.js';
import { type EvalContext, type FieldTable, RAW } from '../eval-context.js';
import { bestOf, literalNeedle, type Needles, unionOf } from '../prefilter.js';
import { regexFacts, translatePcre } from '../regex.js';
import type { RuleSelection } from '../rule-selection.js';
import { selectRule } from '../rule-selection.js';
import type { CompiledRule, IndexKey } from '../rule-set.js';
import type { RuleInfo, RuleProblem, RuleSource } from '../types.js';
import { levelOfCriticality } from './criticality.js';
import { type GeneCondition, parseGeneCondition } from './gene-condition.js';
import { type GeneMatch, type Parsed, parseGeneMatch } from './gene-match.js';
import { parseGeneInt, parseGeneNumber } from './gene-numbers.js';

export interface GeneCompileOptions {
  selection: RuleSelection;
  /** The live IOC containers `in <container>` looks up. Default: none (rules that name one stay inactive). */
  containers?: ContainerSet;
}

export interface GeneCompileResult {
  entries: { rule: CompiledRule; key: IndexKey }[];
  compiled: number;
  skipped: RuleProblem[];
  rejected: RuleProblem[];
  /** Compiled, but inactive while a container they name is not loaded (Gene disables such rules). */
  warnings: RuleProblem[];
}

/** Whether a rule file is a Gene file (by extension: `.gen`, which compiled.gen also has). */
export function isGeneSource(file: string): boolean {
  return file.toLowerCase().endsWith('.gen');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Compiles every Gene source into RuleSet entries over `fields` (the rule set's shared field table). */
export function compileGeneSources(
  sources: readonly RuleSource[],
  fields: FieldTable,
  options: GeneCompileOptions,
): GeneCompileResult {
  const out: GeneCompileResult = { entries: [], compiled: 0, skipped: [], rejected: [], warnings: [] };
  const containers = options.containers ?? new ContainerSet();
  const seen = new Map<string, string>();
  for (const source of sources) {
    for (const piece of splitJsonText(source.text, Number.POSITIVE_INFINITY)) {
      const where = { file: source.file, line: lineAt(source.text, piece.start) };
      const problem = (reason: string): RuleProblem => ({ ...where, reason });
      if (!piece.ok) {
        out.rejected.push(problem(`not a Gene rule (not JSON: ${piece.error})`));
        continue;
      }
      const parsed = parseGeneRule(piece.value, source.file);
      if (parsed.kind !== 'rule') {
        (parsed.kind === 'rejected' ? out.rejected : out.skipped).push(problem(parsed.reason));
        continue;
      }
      const { rule } = parsed;
      const verdict = selectRule(rule.info, options.selection);
      if (!verdict.selected) {
        out.skipped.push({ ...problem(verdict.reason), leftOutBy: verdict.by });
        continue;
      }
      const first = seen.get(rule.info.id);
      if (first !== undefined) {
        out.rejected.push(problem(`duplicate Gene rule name ${rule.info.id} (first at ${first})`));
        continue;
      }
      seen.set(rule.info.id, `${where.file}:${where.line}`);
      const built = buildPred(rule, fields, containers);
      if (!built.ok) {
        out.rejected.push(problem(built.error));
        continue;
      }
      if (rule.filter) {
        out.skipped.push(problem(`rule ${rule.info.id}: ${FILTER_RULE_REASON}`));
        continue;
      }
      const missing = rule.containers.filter((name) => !containers.has(name));
      if (missing.length > 0) {
        out.warnings.push(problem(`inactive while container(s) ${missing.join(', ')} are not loaded`));
      }
      out.compiled++;
      const compiled: CompiledRule = { info: rule.info, pred: built.value.pred, needles: built.value.needles };
      if (rule.events.size === 0) out.entries.push({ rule: compiled, key: { everywhere: true } });
      for (const [channel, ids] of rule.events) {
        out.entries.push({ rule: compiled, key: ids.length > 0 ? { channel, eventIds: ids } : { channel } });
      }
    }
  }
  return out;
}

interface GeneRule {
  info: RuleInfo;
  events: Map<string, number[]>;
  computers: Set<string>;
  matches: GeneMatch[];
  condition: GeneCondition | undefined;
  containers: string[];
  /** Meta.Filter: WHIDS uses these to choose events to keep; they raise no alert. */
  filter: boolean;
}

type RuleParse = { kind: 'rule'; rule: GeneRule } | { kind: 'rejected' | 'skipped'; reason: string };

/** Why a compiled filter rule is left out of the rule set. */
export const FILTER_RULE_REASON =
  'a filter rule (Meta.Filter): compiled, but it only selects events for WHIDS to log, so it raises no alert';

function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return undefined;
  return v as string[];
}

function parseGeneRule(doc: unknown, file: string): RuleParse {
  const rejected = (reason: string): RuleParse => ({ kind: 'rejected', reason });
  if (!isObj(doc)) return rejected('not a Gene rule (expected a JSON object)');
  const name = doc.Name;
  if (typeof name !== 'string' || name.trim() === '') return rejected('missing Name');
  const meta = doc.Meta ?? {};
  if (!isObj(meta)) return rejected(`rule ${name}: Meta is not an object`);
  if (meta.Disable === true) return { kind: 'skipped', reason: `rule ${name}: disabled (Meta.Disable)` };
  if (typeof meta.LogType === 'string' && meta.LogType !== '' && meta.LogType !== 'winevt') {
    return { kind: 'skipped', reason: `rule ${name}: not a Windows rule (LogType: ${meta.LogType})` };
  }
  const oss = strings(meta.OSs);
  if (oss === undefined) return rejected(`rule ${name}: Meta.OSs is not a list of names`);
  if (oss.length > 0 && !oss.some((os) => os.toLowerCase() === 'windows')) {
    return { kind: 'skipped', reason: `rule ${name}: not a Windows rule (OSs: ${oss.join(', ')})` };
  }
  const events = new Map<string, number[]>();
  const rawEvents = meta.Events ?? {};
  if (!isObj(rawEvents)) return rejected(`rule ${name}: Meta.Events is not a map of channel to event IDs`);
  for (const [channel, ids] of Object.entries(rawEvents)) {
    const list = ids ?? [];
    if (!Array.isArray(list) || list.some((id) => !Number.isInteger(id) || id < 0 || id > 65535)) {
      return rejected(`rule ${name}: Meta.Events ${channel} is not a list of event IDs`);
    }
    events.set(channel, list as number[]);
  }
  if (events.size === 1 && events.has('kunai')) {
    return { kind: 'skipped', reason: `rule ${name}: not a Windows rule (kunai events)` };
  }
  const computers = strings(meta.Computers);
  if (computers === undefined) return rejected(`rule ${name}: Meta.Computers is not a list of names`);
  const severity = meta.Severity ?? meta.Criticality ?? 0;
  if (typeof severity !== 'number') return rejected(`rule ${name}: Meta.Criticality is not a number`);
  const tags = strings(doc.Tags);
  if (tags === undefined) return rejected(`rule ${name}: Tags is not a list of names`);
  const actions = strings(doc.Actions);
  if (actions === undefined) return rejected(`rule ${name}: Actions is not a list of names`);
  const rawMatches = strings(doc.Matches);
  if (rawMatches === undefined) return rejected(`rule ${name}: Matches is not a list of text`);
  const matches: GeneMatch[] = [];
  const names = new Set<string>();
  for (const text of rawMatches) {
    const template = /\{\{[\w.-]+\}\}/.exec(text);
    if (template) {
      // Gene expands these from a regexp.toml beside the rules; compiled.gen has them expanded already.
      return rejected(
        `rule ${name}: regex template ${template[0]} is not expanded (use the compiled rules, e.g. compiled.gen)`,
      );
    }
    const m = parseGeneMatch(text);
    if (!m.ok) return rejected(`rule ${name}: ${m.error}`);
    if (names.has(m.value.name)) return rejected(`rule ${name}: match ${m.value.name} is defined twice`);
    names.add(m.value.name);
    matches.push(m.value);
  }
  const conditionText = typeof doc.Condition === 'string' ? doc.Condition : '';
  let condition: GeneCondition | undefined;
  if (conditionText.trim() === '') {
    // Gene matches every event of the rule's channels when a rule has neither matches nor condition.
    if (matches.length > 0) return rejected(`rule ${name}: Matches without a Condition`);
  } else {
    const c = parseGeneCondition(conditionText, names);
    if (!c.ok) return rejected(`rule ${name}: ${c.error}`);
    condition = c.value;
  }
  const attack = Array.isArray(meta.ATTACK) ? meta.ATTACK.filter(isObj) : [];
  const attackTags = attack.flatMap((a) => [
    ...(typeof a.ID === 'string' ? [`attack.${a.ID.toLowerCase()}`] : []),
    ...(typeof a.Tactic === 'string' ? [`attack.${a.Tactic.toLowerCase()}`] : []),
  ]);
  const references = attack.flatMap((a) => (typeof a.Reference === 'string' ? [a.Reference] : []));
  const authors = [...(strings(meta.Authors) ?? []), ...(typeof meta.Author === 'string' ? [meta.Author] : [])];
  const comments = [...(strings(meta.Comments) ?? []), ...(typeof meta.Comment === 'string' ? [meta.Comment] : [])];
  const criticality = Math.min(10, Math.max(0, Math.trunc(severity)));
  const info: RuleInfo = {
    id: name,
    title: name,
    level: levelOfCriticality(criticality),
    tags: [...new Set([...tags.filter((t) => t !== ''), ...attackTags])],
    file,
    format: 'gene',
    criticality,
    ...(authors.length > 0 ? { author: authors.join(', ') } : {}),
    ...(comments.length > 0 ? { description: comments.join(' ') } : {}),
    ...(references.length > 0 ? { references: [...new Set(references)] } : {}),
    ...(actions.length > 0 ? { actions } : {}),
  };
  const containers = [...new Set(matches.flatMap((m) => (m.kind === 'container' ? [m.container] : [])))];
  return {
    kind: 'rule',
    rule: {
      info: Object.freeze(info),
      events,
      computers: new Set(computers.map(hostKey)),
      matches,
      condition,
      containers,
      filter: meta.Filter === true,
    },
  };
}

/** The event field an operand names: an EventData name, or an absolute path Gene writes for System fields. */
const SYSTEM_PATHS: Record<string, string> = {
  '/Event/System/Computer': 'Computer',
  '/Event/System/Channel': 'Channel',
  '/Event/System/EventID': 'EventID',
  '/Event/System/Provider/Name': 'Provider_Name',
  '/Event/System/EventRecordID': 'EventRecordID',
  '/Event/System/Execution/ProcessID': 'Execution_ProcessID',
};

function fieldSlot(operand: string, fields: FieldTable): Parsed<number> {
  if (operand.startsWith('/')) {
    const system = SYSTEM_PATHS[operand];
    if (system !== undefined) return { ok: true, value: fields.slot(system) };
    const data = /^\/Event\/EventData\/([^/]+)$/.exec(operand);
    if (data) return { ok: true, value: fields.slot(data[1] as string) };
    return { ok: false, error: `unsupported field path ${operand}` };
  }
  if (operand.includes('/')) return { ok: false, error: `unsupported field path ${operand}` };
  return { ok: true, value: fields.slot(operand) };
}

function compileRegex(pattern: string): Parsed<RE2JS> {
  try {
    // Gene's regexes are Go's (RE2 syntax), which re2js reads natively: no rewriting needed.
    return { ok: true, value: RE2JS.compile(pattern) };
  } catch (error) {
    return {
      ok: false,
      error: `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function compileMatch(m: GeneMatch, fields: FieldTable, containers: ContainerSet): Parsed<Pred> {
  const slot = fieldSlot(m.operand, fields);
  if (!slot.ok) return slot;
  const s = slot.value;
  if (m.kind === 'indirect') {
    const other = fieldSlot(m.other, fields);
    if (!other.ok) return other;
    const o = other.value;
    return {
      ok: true,
      value: (ctx) => {
        const a = ctx.raw(s);
        return a !== undefined && a === ctx.raw(o);
      },
    };
  }
  if (m.kind === 'container') {
    const re = compileRegex(m.regex);
    if (!re.ok) return re;
    const regex = re.value;
    if (!regex.namedGroups()[m.group]) return { ok: false, error: `extract: no group named ${m.group}` };
    const { group, container } = m;
    return {
      ok: true,
      value: (ctx) => {
        const v = ctx.raw(s);
        if (v === undefined) return false;
        const matcher = regex.matcher(v);
        if (!matcher.find()) return false;
        const extracted = matcher.group(group);
        return extracted !== null && extracted !== undefined && containers.contains(container, extracted);
      },
    };
  }
  const value = m.value;
  switch (m.operator) {
    case '=':
      return { ok: true, value: (ctx) => ctx.raw(s) === value };
    case '~=': {
      // Gene compiles `(value)`: a value such as `?i:(...)` is then a valid group, and public rules rely on it.
      const re = compileRegex(`(${value})`);
      if (!re.ok) return re;
      const regex = re.value;
      return {
        ok: true,
        value: (ctx) => {
          const v = ctx.raw(s);
          return v !== undefined && regex.test(v);
        },
      };
    }
    case '&=': {
      const flag = parseGeneInt(value);
      if (flag === undefined) return { ok: false, error: `&= needs an integer, not '${value}'` };
      return {
        ok: true,
        value: (ctx) => {
          const v = ctx.raw(s);
          const n = v === undefined ? undefined : parseGeneInt(v);
          return n !== undefined && (n & flag) === flag;
        },
      };
    }
    default: {
      const bound = parseGeneNumber(value);
      if (bound === undefined) return { ok: false, error: `${m.operator} needs a number, not '${value}'` };
      const test = comparison(m.operator, bound);
      return {
        ok: true,
        value: (ctx) => {
          const v = ctx.raw(s);
          const n = v === undefined ? undefined : parseGeneNumber(v);
          return n !== undefined && test(n);
        },
      };
    }
  }
}

function comparison(op: '<' | '>' | '<=' | '>=', bound: number): (n: number) => boolean {
  switch (op) {
    case '<':
      return (n) => n < bound;
    case '>':
      return (n) => n > bound;
    case '<=':
      return (n) => n <= bound;
    case '>=':
      return (n) => n >= bound;
  }
}

/**
 * Literals of which one must occur in the field for the match to hold (prefilter.ts): the whole value of `=`, and
 * what every match of a `~=` regex holds (regex.ts regexFacts, which gives nothing when in doubt). Other forms give
 * none: the rule is then evaluated on every event of its channels, as without the prefilter.
 */
function matchNeedles(m: GeneMatch, slot: number): Needles {
  if (m.kind !== 'field') return undefined;
  if (m.operator === '=') {
    const needle = literalNeedle(slot, RAW, m.value);
    return needle ? [[needle]] : undefined;
  }
  if (m.operator !== '~=') return undefined;
  const translated = translatePcre(`(${m.value})`);
  if (!translated.ok) return undefined;
  const clauses = regexFacts(translated.value).clauses;
  return clauses.length > 0 ? clauses.map((clause) => clause.map((text) => ({ slot, variant: RAW, text }))) : undefined;
}

/** The condition's necessary literals: AND keeps every part's, OR needs one of each branch's, NOT gives none. */
function conditionNeedles(c: GeneCondition, needles: ReadonlyMap<string, Needles>): Needles {
  switch (c.type) {
    case 'name':
      return needles.get(c.name);
    case 'not':
      return undefined;
    case 'and':
      return bestOf(c.items.map((i) => conditionNeedles(i, needles)));
    case 'or':
      return unionOf(c.items.map((i) => conditionNeedles(i, needles)));
  }
}

function compileCondition(c: GeneCondition, preds: ReadonlyMap<string, Pred>): Pred {
  switch (c.type) {
    case 'name':
      return preds.get(c.name) as Pred;
    case 'not': {
      const p = compileCondition(c.item, preds);
      return (ctx) => !p(ctx);
    }
    case 'and': {
      const items = c.items.map((i) => compileCondition(i, preds));
      return (ctx) => {
        for (const p of items) if (!p(ctx)) return false;
        return true;
      };
    }
    case 'or': {
      const items = c.items.map((i) => compileCondition(i, preds));
      return (ctx) => {
        for (const p of items) if (p(ctx)) return true;
        return false;
      };
    }
  }
}

function buildPred(
  rule: GeneRule,
  fields: FieldTable,
  containers: ContainerSet,
): Parsed<{ pred: Pred; needles: Needles }> {
  const preds = new Map<string, Pred>();
  const needles = new Map<string, Needles>();
  for (const m of rule.matches) {
    const p = compileMatch(m, fields, containers);
    if (!p.ok) return { ok: false, error: `rule ${rule.info.id}: match ${m.name}: ${p.error}` };
    preds.set(m.name, p.value);
    const slot = fieldSlot(m.operand, fields);
    if (slot.ok) needles.set(m.name, matchNeedles(m, slot.value));
  }
  let pred: Pred = rule.condition ? compileCondition(rule.condition, preds) : () => true;
  if (rule.containers.length > 0) {
    // Gene disables a rule whose container is unknown; here the rule waits for it (a reload may bring it).
    const names = rule.containers;
    const base = pred;
    pred = (ctx) => names.every((n) => containers.has(n)) && base(ctx);
  }
  if (rule.computers.size > 0) {
    const computers = rule.computers;
    const base = pred;
    pred = (ctx: EvalContext) => computers.has(hostKey(ctx.event.host)) && base(ctx);
  }
  // The wrappers above only add conditions, so the condition's literals stay necessary.
  return { ok: true, value: { pred, needles: rule.condition ? conditionNeedles(rule.condition, needles) : undefined } };
}
