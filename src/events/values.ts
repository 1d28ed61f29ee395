/**
 * Turning shipper values into the strings Windows renders, and reading integers, without recursion.
 */

/** Deepest object/array nesting accepted inside an EventData value before the document is rejected. */
export const MAX_VALUE_DEPTH = 32;

/** A value rendered as text, or the reason it cannot be. */
export type TextResult = { ok: true; value: string } | { ok: false; error: string };

/** Whether a value is a plain (non-array, non-null) object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A field value as Windows renders it: strings as-is, numbers in decimal, booleans `true`/`false`, null ''.
 * An XML-ish `{"#text": ...}` object renders as its text; any other object or array as compact JSON, unless
 * it nests deeper than {@link MAX_VALUE_DEPTH}.
 */
export function windowsText(value: unknown): TextResult {
  switch (typeof value) {
    case 'string':
      return { ok: true, value };
    case 'number':
      return Number.isFinite(value) ? { ok: true, value: String(value) } : { ok: false, error: 'invalid number' };
    case 'boolean':
      return { ok: true, value: value ? 'true' : 'false' };
    case 'undefined':
      return { ok: true, value: '' };
    case 'object': {
      if (value === null) return { ok: true, value: '' };
      if (!Array.isArray(value) && '#text' in value) return windowsText((value as Record<string, unknown>)['#text']);
      if (nestsDeeperThan(value, MAX_VALUE_DEPTH)) return { ok: false, error: 'document nested too deeply' };
      return { ok: true, value: JSON.stringify(value) };
    }
    default:
      return { ok: false, error: 'invalid value type' };
  }
}

/** Iterative depth check, so a 10,000-deep value cannot overflow the stack. */
export function nestsDeeperThan(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) return true;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** An optional non-negative integer: a safe integer number or a decimal string; undefined if absent. */
export function readInteger(value: unknown): { ok: true; value: number | undefined } | { ok: false } {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? { ok: true, value } : { ok: false };
  }
  if (typeof value === 'string') {
    const n = parseDecimal(value);
    return n === undefined ? { ok: false } : { ok: true, value: n };
  }
  if (isObject(value) && '#text' in value) return readInteger(value['#text']);
  return { ok: false };
}

function parseDecimal(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 15) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

/** A name-like field (host, channel, provider): a non-empty string after trimming, else undefined. */
export function readName(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const s = wellFormed(value.trim());
    return s.length > 0 ? s : undefined;
  }
  if (isObject(value) && '#text' in value) return readName(value['#text']);
  return undefined;
}

/**
 * Bytes of `text` in UTF-8, without encoding it. A lone surrogate counts 3 bytes, as the U+FFFD it is encoded to.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** ES2024's String methods (V8 has them from Node 20; the project's lib is ES2023). */
type WellFormedCheck = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * `text` with every lone surrogate replaced by U+FFFD, as a UTF-8 or UTF-16 decoder replaces an invalid sequence.
 * A JSON document can carry one as an escape (`"\ud800"`): kept, it was written back as that escape, which strict
 * JSON readers refuse (DuckDB, so `hookstream query`, failed on the whole object holding it) and UTF-8 cannot hold.
 * isWellFormed answers at once for a one-byte string and scans a two-byte one natively.
 */
export function wellFormed(text: string): string {
  const checked = text as WellFormedCheck;
  return checked.isWellFormed() ? text : checked.toWellFormed();
}
