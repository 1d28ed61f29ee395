/**
 * Compiles one search identifier of a rule's `detection` (a map, a list of maps, a keyword list) into a
 * predicate over an {@link EvalContext}. Everything rule-dependent is decided here, once: field slots,
 * folded needles, regexes, networks; the predicates only read the event.
 */
import {
  DASH,
  DASH_LOWER,
  type EvalContext,
  type FieldTable,
  foldFor,
  LOWER,
  RAW,
  type Variant,
  variantOf,
} from './eval-context.js';
import { inNetwork, type Network, parseCidr, parseIp } from './ip-address.js';
import { checkChain } from './modifiers/chain.js';
import { MODIFIERS, type ModifierContext, type ModifierState, type RuleValue } from './modifiers/index.js';
import { extractTimePart } from './modifiers/time-part.js';
import { bestOf, KEYWORDS_SLOT, literalNeedle, type Needles, unionOf } from './prefilter.js';
import { compileRegex, regexFacts, translatePcre } from './regex.js';
import { ANY, compileStringTest, type Part, parseSigmaString, type StringTest } from './sigma-string.js';
import { type YamlMap, YamlNumber, type YamlValue } from './yaml-values.js';

export type Pred = (ctx: EvalContext) => boolean;
/** A compiled predicate and a rough cost, used to run cheap tests first inside an AND. */
interface Costed {
  pred: Pred;
  cost: number;
  /** Literals of which one must occur for a match (see prefilter.ts). */
  needles?: Needles;
}
export type Compiled<T> = { ok: true; value: T } | { ok: false; error: string };

export interface DetectionEnv {
  fields: FieldTable;
  /** Maps a rule field name to the event field name (route mapping, then user mapping). */
  mapField: (name: string) => string;
  modifiers: ModifierContext;
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** Compiles a search identifier's value. */
export function compileSearch(
  name: string,
  value: YamlValue,
  env: DetectionEnv,
): Compiled<{ pred: Pred; needles: Needles }> {
  const r = compileNode(value, env);
  if (!r.ok) return fail(`search identifier '${name}': ${r.error}`);
  return { ok: true, value: { pred: r.value.pred, needles: r.value.needles } };
}

function compileNode(value: YamlValue, env: DetectionEnv): Compiled<Costed> {
  if (value instanceof Map) return compileMap(value, env);
  if (Array.isArray(value)) {
    if (value.length === 0) return fail('empty list');
    // Plain values in a list are keywords (ORed, or all-linked via a '|all' key); maps are ORed.
    const keywords = value.filter((v) => !(v instanceof Map) && !Array.isArray(v));
    const others = value.filter((v) => v instanceof Map || Array.isArray(v));
    const branches: Costed[] = [];
    if (keywords.length > 0) {
      const k = compileField('', [], keywords, env);
      if (!k.ok) return k;
      branches.push(k.value);
    }
    for (const v of others) {
      const c = compileNode(v, env);
      if (!c.ok) return c;
      branches.push(c.value);
    }
    return { ok: true, value: anyOf(branches) };
  }
  if (value === null) return fail('empty search identifier');
  return compileField('', [], [value], env);
}

function compileMap(map: YamlMap, env: DetectionEnv): Compiled<Costed> {
  if (map.size === 0) return fail('empty map');
  const parts: Costed[] = [];
  for (const [key, raw] of map) {
    const [field = '', ...mods] = key.split('|');
    if (raw instanceof Map) return fail(`field '${key}': a map is not a valid value`);
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) return fail(`field '${key}': empty value list`);
    if (values.some((v) => v instanceof Map || Array.isArray(v))) return fail(`field '${key}': nested values`);
    const c = compileField(field, mods, values, env);
    if (!c.ok) return fail(`field '${key}': ${c.error}`);
    parts.push(c.value);
  }
  parts.sort((a, b) => a.cost - b.cost);
  return { ok: true, value: allOf(parts) };
}

function anyOf(items: Costed[]): Costed {
  const cost = items.reduce((s, i) => s + i.cost, 0);
  if (items.length === 1) return items[0] as Costed;
  const preds = items.map((i) => i.pred);
  return {
    cost,
    needles: unionOf(items.map((i) => i.needles)),
    pred: (ctx) => {
      for (const p of preds) if (p(ctx)) return true;
      return false;
    },
  };
}

function allOf(items: Costed[]): Costed {
  const cost = items[0]?.cost ?? 0;
  if (items.length === 1) return items[0] as Costed;
  const preds = items.map((i) => i.pred);
  const needles = bestOf(items.map((i) => i.needles));
  if (preds.length === 2) {
    const [a, b] = preds as [Pred, Pred];
    return { cost, needles, pred: (ctx) => a(ctx) && b(ctx) };
  }
  return {
    cost,
    needles,
    pred: (ctx) => {
      for (const p of preds) if (!p(ctx)) return false;
      return true;
    },
  };
}

function toRuleValue(v: YamlValue): RuleValue | undefined {
  if (v === null) return { type: 'null' };
  if (typeof v === 'string') return { type: 'string', s: parseSigmaString(v) };
  if (typeof v === 'boolean') return { type: 'boolean', b: v };
  if (v instanceof YamlNumber) return { type: 'number', n: v.n, text: v.text };
  return undefined;
}

/** Compiles `field|mods: values`; an empty field is a keyword search over every value of the event. */
export function compileField(field: string, mods: string[], raw: YamlValue[], env: DetectionEnv): Compiled<Costed> {
  const containers = env.modifiers.containers;
  if (containers !== undefined && mods.includes('expand')) return compileLiveExpand(field, mods, raw, env, containers);
  return compileFieldNow(field, mods, raw, env);
}

const NEVER: Pred = () => false;

/**
 * `|expand` over live IOC containers: the field's test is built from the containers' current values and rebuilt,
 * at the first event after a reload, when they change (ContainerSet.version). A placeholder that names no loaded
 * container makes the test match nothing until one is loaded; everything else about the value is checked now (with
 * a stand-in value), so a bad rule is still rejected at compile time. No prefilter literals: the values change.
 */
function compileLiveExpand(
  field: string,
  mods: string[],
  raw: YamlValue[],
  env: DetectionEnv,
  containers: NonNullable<ModifierContext['containers']>,
): Compiled<Costed> {
  const fixed = env.modifiers.placeholders;
  const withValues = (missing: (name: string) => readonly string[] | undefined) =>
    new Proxy(
      {},
      {
        get: (_, name) =>
          typeof name === 'string' ? (fixed[name] ?? containers.values(name) ?? missing(name)) : undefined,
      },
    ) as Record<string, readonly string[]>;
  const checked = compileFieldNow(field, mods, raw, { ...env, modifiers: { placeholders: withValues(() => ['x']) } });
  if (!checked.ok) return checked;
  const build = (): Pred => {
    const now = compileFieldNow(field, mods, raw, { ...env, modifiers: { placeholders: withValues(() => undefined) } });
    return now.ok ? now.value.pred : NEVER;
  };
  let version = containers.version;
  let current = build();
  return {
    ok: true,
    value: {
      cost: checked.value.cost,
      pred: (ctx) => {
        if (containers.version !== version) {
          version = containers.version;
          current = build();
        }
        return current(ctx);
      },
    },
  };
}

function compileFieldNow(field: string, mods: string[], raw: YamlValue[], env: DetectionEnv): Compiled<Costed> {
  const values: RuleValue[] = [];
  for (const v of raw) {
    const rv = toRuleValue(v);
    if (!rv) return fail('unsupported value');
    values.push(rv);
  }
  const state: ModifierState = {
    values,
    kind: 'string',
    linkAll: false,
    cased: false,
    windash: false,
    negate: false,
    reFlags: { i: false, m: false, s: false },
    binary: false,
  };
  for (const m of mods) if (!MODIFIERS.has(m)) return fail(`unknown modifier ${m}`);
  const invalid = checkChain(mods);
  if (invalid) return fail(invalid);
  if (mods.includes('all') && raw.length < 2) {
    return fail('modifier all needs two or more values (the specification does not allow it on a single value)');
  }
  for (const m of mods) {
    const modifier = MODIFIERS.get(m);
    if (!modifier) return fail(`unknown modifier ${m}`);
    const err = modifier(state, env.modifiers);
    if (err) return fail(err);
  }
  if (state.values.length === 0) return fail('no values');
  const keyword = field === '';
  if (keyword && state.kind !== 'string' && state.kind !== 're') {
    return fail(`modifier ${mods.join('|')} is not valid on keywords`);
  }
  const slot = keyword ? -1 : env.fields.slot(env.mapField(field));
  switch (state.kind) {
    case 'exists':
      return compileExists(slot, state);
    case 'string':
      return keyword ? compileKeywords(state) : compileStrings(slot, state);
    case 're':
      return compileRegexes(slot, state);
    case 'cidr':
      return compileCidr(slot, state);
    case 'number':
      return compileNumbers(slot, state);
    case 'fieldref':
      return compileFieldref(slot, state, env);
  }
}

function compileExists(slot: number, state: ModifierState): Compiled<Costed> {
  // `neq` turns `exists: true` into absence (and `false` into presence).
  const want = (state.values[0]?.type === 'boolean' && state.values[0].b) !== state.negate;
  return { ok: true, value: { cost: 1, pred: (ctx) => (ctx.raw(slot) !== undefined) === want } };
}

/** Combines per-value tests on one field value with OR (or AND for `all`), negated for `neq`. */
function combine(tests: StringTest[], linkAll: boolean): StringTest {
  if (tests.length === 1) return tests[0] as StringTest;
  if (linkAll) {
    return (v) => {
      for (const t of tests) if (!t(v)) return false;
      return true;
    };
  }
  return (v) => {
    for (const t of tests) if (t(v)) return true;
    return false;
  };
}

function valueText(v: RuleValue): string | undefined {
  if (v.type === 'number') return v.text;
  if (v.type === 'boolean') return v.b ? 'true' : 'false';
  return undefined;
}

/**
 * The clauses of one field's values, from each value's necessary clauses: with `all` every value's clauses
 * are necessary; otherwise those of one of them (known only when every value has some).
 */
function valueNeedles(perValue: readonly Needles[], linkAll: boolean): Needles {
  if (perValue.length === 0) return undefined;
  return linkAll ? bestOf(perValue) : unionOf(perValue);
}

/** The necessary literal of a Sigma string value: its longest literal part that is safe to look for. */
function stringNeedles(parts: readonly Part[], slot: number, variant: Variant, fold: (t: string) => string): Needles {
  let best: ReturnType<typeof literalNeedle>;
  for (const p of parts) {
    if (typeof p !== 'string') continue;
    const n = literalNeedle(slot, variant, fold(p));
    if (n && (!best || n.text.length > best.text.length)) best = n;
  }
  return best ? [[best]] : undefined;
}

function compileStrings(slot: number, state: ModifierState): Compiled<Costed> {
  const variant = variantOf(state.cased, state.windash);
  const fold = foldFor(variant);
  let matchNull = false;
  const equals = new Set<string>();
  const tests: StringTest[] = [];
  let cost = 1;
  // Per value, its longest literal must occur in the field (for the prefilter).
  const literals: Needles[] = [];
  for (const v of state.values) {
    if (v.type === 'null') {
      matchNull = true;
      continue;
    }
    const text = valueText(v);
    const s = text === undefined && v.type === 'string' ? v.s : { raw: text ?? '', parts: text ? [text] : [] };
    literals.push(stringNeedles(s.parts, slot, variant, fold));
    const only = s.parts[0];
    if (!state.linkAll && s.parts.length === 1 && typeof only === 'string') {
      equals.add(fold(only));
      continue;
    }
    if (!state.linkAll && s.parts.length === 0) {
      equals.add('');
      continue;
    }
    tests.push(compileStringTest(s, fold));
    cost = Math.max(cost, s.parts.filter((p) => p === ANY).length >= 2 ? 3 : 2);
  }
  if (equals.size === 1) {
    const [only] = equals;
    tests.unshift((v) => v === only);
  } else if (equals.size > 1) {
    tests.unshift((v) => equals.has(v));
  }
  const test = tests.length > 0 ? combine(tests, state.linkAll) : undefined;
  cost += tests.length > 4 ? 1 : 0;
  const negate = state.negate;
  const pred: Pred = (ctx) => {
    const v = ctx.get(slot, variant);
    if (v === undefined) return matchNull && !negate;
    if (matchNull && v === '') return !negate;
    if (!test) return negate;
    return test(v) !== negate;
  };
  let needles: Needles;
  if (!negate && !matchNull && literals.length > 0) {
    needles = valueNeedles(literals, state.linkAll);
  }
  return { ok: true, value: { cost, pred, needles } };
}

function compileKeywords(state: ModifierState): Compiled<Costed> {
  const variant = variantOf(state.cased, state.windash);
  const fold = foldFor(variant);
  const tests: StringTest[] = [];
  const literals: Needles[] = [];
  for (const v of state.values) {
    const text = valueText(v);
    if (v.type === 'null') return fail('null is not a keyword');
    const s = text === undefined && v.type === 'string' ? v.s : { raw: text ?? '', parts: text ? [text] : [] };
    literals.push(stringNeedles(s.parts, KEYWORDS_SLOT, variant, fold));
    const parts = [...s.parts];
    // A keyword is a full-text search: it may occur anywhere in a value.
    if (parts[0] !== ANY) parts.unshift(ANY);
    if (parts[parts.length - 1] !== ANY) parts.push(ANY);
    tests.push(compileStringTest({ raw: s.raw, parts }, fold));
  }
  const anyValue = (t: StringTest) => (ctx: EvalContext) => {
    for (const value of ctx.keywordValuesFor(variant)) if (t(value)) return true;
    return false;
  };
  const preds = tests.map(anyValue);
  const joined = state.linkAll
    ? (ctx: EvalContext) => preds.every((p) => p(ctx))
    : (ctx: EvalContext) => preds.some((p) => p(ctx));
  const negate = state.negate;
  let needles: Needles;
  if (!negate) {
    needles = valueNeedles(literals, state.linkAll);
  }
  return { ok: true, value: { cost: 20, pred: negate ? (ctx) => !joined(ctx) : joined, needles } };
}

function compileRegexes(slot: number, state: ModifierState): Compiled<Costed> {
  const tests: StringTest[] = [];
  const literals: Needles[] = [];
  for (const v of state.values) {
    const pattern = v.type === 'string' ? v.s.raw : v.type === 'number' ? v.text : undefined;
    if (pattern === undefined) return fail('modifier re needs string values');
    const r = compileRegex(pattern, state.reFlags);
    if (!r.ok) return r;
    // What every match holds, read from the pattern as compiled (after the PCRE rewrites).
    const translated = translatePcre(pattern);
    const facts = translated.ok ? regexFacts(translated.value) : { clauses: [], minLength: 0 };
    literals.push(
      facts.clauses.length > 0
        ? facts.clauses.map((clause) => clause.map((text) => ({ slot, variant: RAW, text })))
        : undefined,
    );
    const re = r.value;
    // A value shorter than any match skips the (slow) regex engine.
    const min = facts.minLength;
    tests.push(min > 1 ? (value) => value.length >= min && re.test(value) : (value) => re.test(value));
  }
  const test = combine(tests, state.linkAll);
  const negate = state.negate;
  const keyword = slot < 0;
  const pred: Pred = keyword
    ? (ctx) => ctx.keywordValuesFor(RAW).some(test) !== negate
    : (ctx) => {
        const v = ctx.raw(slot);
        return v !== undefined && test(v) !== negate;
      };
  let needles: Needles;
  if (!negate && !keyword) {
    needles = valueNeedles(literals, state.linkAll);
  }
  return { ok: true, value: { cost: keyword ? 30 : 10, pred, needles } };
}

function compileCidr(slot: number, state: ModifierState): Compiled<Costed> {
  const nets: Network[] = [];
  for (const v of state.values) {
    const net = v.type === 'string' ? parseCidr(v.s.raw) : undefined;
    if (!net) return fail('invalid CIDR network');
    nets.push(net);
  }
  const negate = state.negate;
  const linkAll = state.linkAll;
  const pred: Pred = (ctx) => {
    const v = ctx.raw(slot);
    if (v === undefined) return false;
    const addr = parseIp(v.trim());
    if (!addr) return negate;
    const hit = linkAll ? nets.every((n) => inNetwork(addr, n)) : nets.some((n) => inNetwork(addr, n));
    return hit !== negate;
  };
  return { ok: true, value: { cost: 4, pred } };
}

function compileNumbers(slot: number, state: ModifierState): Compiled<Costed> {
  const nums: number[] = [];
  for (const v of state.values) {
    if (v.type !== 'number') return fail('numeric values needed');
    nums.push(v.n);
  }
  const op = state.compare;
  const part = state.timePart;
  const cmp = (x: number, n: number): boolean => {
    switch (op) {
      case 'gt':
        return x > n;
      case 'gte':
        return x >= n;
      case 'lt':
        return x < n;
      case 'lte':
        return x <= n;
      default:
        return x === n;
    }
  };
  const negate = state.negate;
  const linkAll = state.linkAll;
  const pred: Pred = (ctx) => {
    const v = ctx.raw(slot);
    if (v === undefined) return false;
    const t = v.trim();
    const x = part ? extractTimePart(t, part) : t === '' ? Number.NaN : Number(t);
    if (Number.isNaN(x)) return negate;
    const hit = linkAll ? nums.every((n) => cmp(x, n)) : nums.some((n) => cmp(x, n));
    return hit !== negate;
  };
  return { ok: true, value: { cost: 2, pred } };
}

function compileFieldref(slot: number, state: ModifierState, env: DetectionEnv): Compiled<Costed> {
  const variant: Variant = state.windash ? (state.cased ? DASH : DASH_LOWER) : state.cased ? RAW : LOWER;
  const others: number[] = [];
  for (const v of state.values) {
    if (v.type !== 'string') return fail('modifier fieldref needs field names');
    others.push(env.fields.slot(env.mapField(v.s.raw)));
  }
  const position = state.position ?? 'equals';
  const test = (a: string, b: string): boolean => {
    switch (position) {
      case 'equals':
        return a === b;
      case 'contains':
        return a.includes(b);
      case 'startswith':
        return a.startsWith(b);
      case 'endswith':
        return a.endsWith(b);
    }
  };
  const negate = state.negate;
  const linkAll = state.linkAll;
  const pred: Pred = (ctx) => {
    const a = ctx.get(slot, variant);
    if (a === undefined) return false;
    let hits = 0;
    for (const o of others) {
      const b = ctx.get(o, variant);
      if (b !== undefined && test(a, b)) hits++;
      else if (b === undefined && negate) return false;
    }
    const hit = linkAll ? hits === others.length : hits > 0;
    return hit !== negate;
  };
  return { ok: true, value: { cost: 3, pred } };
}
