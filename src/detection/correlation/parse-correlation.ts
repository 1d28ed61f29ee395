/**
 * Safe-parses a Sigma correlation document (specification v2.1.0, "Correlation rules") into a
 * {@link ParsedCorrelation}, or a reason to reject it. References are resolved later (compile-rules.ts), when
 * every document of every source is known.
 */
import type { RuleInfo } from '../types.js';
import { yamlText as str, type YamlMap, YamlNumber, type YamlValue } from '../yaml-values.js';

/** The correlation types this engine evaluates. */
export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

/** Bounds on the aggregated value; several together are ANDed (the specification's "range"). */
export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

export const CONDITION_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;

export interface ParsedCorrelation {
  info: RuleInfo;
  name?: string;
  type: CorrelationType;
  /** References as written (ids or names of rules or correlations), in order (temporal_ordered needs it). */
  rules: string[];
  groupBy: string[];
  /** alias -> (rule name or id -> field name in that rule's events). */
  aliases: Map<string, Map<string, string>>;
  timespanMs: number;
  condition: CorrelationCondition;
  /** value_count / value_sum / value_avg: the field(s) whose values are aggregated (several: their tuple). */
  field?: string[];
  generate: boolean;
}

const TIMESPAN = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `10m` -> 600000; the specification's format is a positive number followed by one lowercase unit letter. */
export function parseTimespan(text: string): number | undefined {
  const m = TIMESPAN.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = n * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return n > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

function strList(v: YamlValue | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const s = str(x);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  const s = str(v);
  return s === undefined ? undefined : [s];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseCondition(
  v: YamlValue | undefined,
  type: CorrelationType,
): Parsed<{ condition: CorrelationCondition; field?: string[] }> {
  const needsField = type === 'value_count' || type === 'value_sum' || type === 'value_avg';
  const optional = type === 'temporal' || type === 'temporal_ordered';
  if (v === undefined || v === null) {
    return optional ? { ok: true, value: { condition: {} } } : { ok: false, error: `${type} needs a condition` };
  }
  if (!(v instanceof Map)) return { ok: false, error: 'correlation condition must be a map (e.g. gte: 10)' };
  const condition: CorrelationCondition = {};
  let field: string[] | undefined;
  for (const [key, value] of v) {
    if (key === 'field') {
      field = strList(value);
      if (!field || field.length === 0 || field.some((f) => f === '')) {
        return { ok: false, error: 'correlation condition field must be a field name or a list of them' };
      }
      continue;
    }
    if (!(CONDITION_OPERATORS as readonly string[]).includes(key)) {
      return { ok: false, error: `unknown correlation condition operator ${key}` };
    }
    const n = value instanceof YamlNumber ? value.n : undefined;
    // The schema says integer; value_avg compares an average, where a decimal threshold is meaningful too.
    if (n === undefined || !Number.isFinite(n) || (type !== 'value_avg' && !Number.isInteger(n))) {
      return {
        ok: false,
        error: `correlation condition ${key} needs ${type === 'value_avg' ? 'a number' : 'an integer'}`,
      };
    }
    condition[key as keyof CorrelationCondition] = n;
  }
  if (needsField && field === undefined) return { ok: false, error: `${type} needs condition.field` };
  if (!needsField && field !== undefined)
    return { ok: false, error: `condition.field is only valid for value_* types` };
  if (Object.keys(condition).length === 0 && !optional) {
    return { ok: false, error: 'correlation condition needs one of gt, gte, lt, lte, eq, neq' };
  }
  if (!satisfiable(condition)) return { ok: false, error: 'correlation condition can never be true' };
  return { ok: true, value: field ? { condition, field } : { condition } };
}

/** Whether some value meets every bound (a range like `gt: 5, lt: 3` is a mistake worth rejecting). */
function satisfiable(c: CorrelationCondition): boolean {
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  if (c.gt !== undefined) lo = Math.max(lo, c.gt + Number.EPSILON * Math.max(1, Math.abs(c.gt)));
  if (c.gte !== undefined) lo = Math.max(lo, c.gte);
  if (c.lt !== undefined) hi = Math.min(hi, c.lt - Number.EPSILON * Math.max(1, Math.abs(c.lt)));
  if (c.lte !== undefined) hi = Math.min(hi, c.lte);
  if (c.eq !== undefined) return c.eq >= lo && c.eq <= hi && c.eq !== c.neq;
  return lo <= hi;
}

function parseAliases(v: YamlValue | undefined): Parsed<Map<string, Map<string, string>>> {
  const aliases = new Map<string, Map<string, string>>();
  if (v === undefined || v === null) return { ok: true, value: aliases };
  if (!(v instanceof Map)) return { ok: false, error: 'correlation aliases must be a map of alias -> (rule -> field)' };
  for (const [alias, perRule] of v) {
    if (!(perRule instanceof Map) || perRule.size === 0) {
      return { ok: false, error: `correlation alias ${alias} must map rule names to field names` };
    }
    const map = new Map<string, string>();
    for (const [rule, field] of perRule) {
      const f = str(field);
      if (!f)
        return { ok: false, error: `correlation alias ${alias}: the field for rule ${rule} must be a field name` };
      map.set(rule, f);
    }
    aliases.set(alias, map);
  }
  return { ok: true, value: aliases };
}

/**
 * Parses one correlation document. `info` holds the document's meta data (title, id, level, ...), read by the
 * caller the same way as a rule's.
 */
export function parseCorrelation(d: YamlMap, info: RuleInfo): Parsed<ParsedCorrelation> {
  const c = d.get('correlation');
  if (!(c instanceof Map)) return { ok: false, error: 'correlation must be a map' };
  const type = str(c.get('type'));
  if (type === undefined) return { ok: false, error: 'missing correlation type' };
  if (type === 'value_percentile') {
    // The specification gives one example and no definition of what is compared with the threshold.
    return { ok: false, error: 'unsupported correlation type value_percentile (the specification does not define it)' };
  }
  if (!(CORRELATION_TYPES as readonly string[]).includes(type)) {
    return { ok: false, error: `unknown correlation type ${type}` };
  }
  const t = type as CorrelationType;
  const rules = strList(c.get('rules'));
  if (!rules || rules.length === 0) return { ok: false, error: 'correlation needs rules' };
  if (new Set(rules).size !== rules.length) return { ok: false, error: 'correlation rules are listed twice' };
  if ((t === 'temporal' || t === 'temporal_ordered') && rules.length < 2) {
    return { ok: false, error: `${t} needs at least two rules` };
  }
  const groupByValue = c.get('group-by');
  if (groupByValue === undefined) return { ok: false, error: 'missing correlation group-by' };
  // `group-by: []` (or empty) is one group for everything; the specification requires the attribute, not fields.
  const groupBy = groupByValue === null ? [] : strList(groupByValue);
  if (!groupBy) return { ok: false, error: 'correlation group-by must be a list of field names' };
  if (new Set(groupBy).size !== groupBy.length) return { ok: false, error: 'correlation group-by lists a field twice' };
  const timespanText = str(c.get('timespan'));
  if (timespanText === undefined) return { ok: false, error: 'missing correlation timespan' };
  const timespanMs = parseTimespan(timespanText);
  if (timespanMs === undefined) {
    return { ok: false, error: `bad correlation timespan '${timespanText}' (expected a number and s, m, h or d)` };
  }
  const cond = parseCondition(c.get('condition'), t);
  if (!cond.ok) return cond;
  const aliases = parseAliases(c.get('aliases'));
  if (!aliases.ok) return aliases;
  for (const [alias, perRule] of aliases.value) {
    if (!groupBy.includes(alias) && !cond.value.field?.includes(alias)) {
      return { ok: false, error: `correlation alias ${alias} is used neither in group-by nor in condition.field` };
    }
    for (const rule of perRule.keys()) {
      if (!rules.includes(rule))
        return { ok: false, error: `correlation alias ${alias} names rule ${rule}, not in rules` };
    }
  }
  const generate = d.get('generate') ?? c.get('generate');
  if (generate !== undefined && typeof generate !== 'boolean') {
    return { ok: false, error: 'correlation generate must be true or false' };
  }
  const name = str(d.get('name'));
  return {
    ok: true,
    value: {
      info,
      ...(name ? { name } : {}),
      type: t,
      rules,
      groupBy,
      aliases: aliases.value,
      timespanMs,
      condition: cond.value.condition,
      ...(cond.value.field ? { field: cond.value.field } : {}),
      generate: generate === true,
    },
  };
}
