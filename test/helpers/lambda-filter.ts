/**
 * What Lambda event filtering does with the part of the pattern syntax hookstream uses (nested objects, lists of
 * accepted values), so tests can check which records a filter lets through. Not a full implementation: prefix,
 * numeric, exists and the other operators are refused, so a pattern using them cannot pass a test by accident.
 * Semantics as documented for Lambda (and EventBridge) patterns: fields AND'ed, values in a list OR'ed, equality
 * by type and value, a list in the data matches when any of its items does, filters of one source OR'ed.
 */

type Node = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function leafMatches(accepted: readonly unknown[], value: unknown): boolean {
  const items = Array.isArray(value) ? value : [value];
  for (const rule of accepted) {
    if (typeof rule !== 'string' && typeof rule !== 'number')
      throw new Error(`lambda-filter: unsupported rule ${JSON.stringify(rule)}`);
    if (items.some((item) => item === rule)) return true;
  }
  return false;
}

function nodeMatches(pattern: Node, data: unknown): boolean {
  if (!isObject(data)) return false;
  for (const key of Object.keys(pattern)) {
    const rule = pattern[key];
    const value = data[key];
    if (value === undefined) return false;
    if (Array.isArray(rule)) {
      if (!leafMatches(rule, value)) return false;
    } else if (isObject(rule)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.some((item) => nodeMatches(rule, item))) return false;
    } else throw new Error(`lambda-filter: unsupported pattern node ${JSON.stringify(rule)}`);
  }
  return true;
}

/**
 * Whether a Kinesis record with these data bytes passes any of the `patterns` (each `{ data: {...} }`). Data
 * that is not one JSON object never matches a `data` pattern.
 */
export function passesFilters(patterns: readonly { data: Node }[], data: Uint8Array | string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return false;
  }
  if (!isObject(parsed)) return false;
  return patterns.some((pattern) => nodeMatches(pattern.data, parsed));
}
