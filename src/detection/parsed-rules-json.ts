/**
 * Parsed rule files <-> JSON text, so that the YAML of a rule corpus is parsed once (at synth time for the
 * functions, on the first run for replay and dev) and read back without a YAML parser. JSON.parse is many times
 * faster than parsing YAML, and the compiler takes the parsed form as it is (compileParsedRules).
 *
 * What is kept is exactly what the compiler reads: map key order (maps are written as key/value lists, since a JSON
 * object would move integer-like keys first), the text numbers were written as, each document's line, and a
 * file's YAML error. Reading back checks every value's shape: text that is not what {@link encodeParsedRules}
 * wrote (a truncated or edited cache file) is an error, never a rule set built from half a file.
 */
import type { ParsedRuleSource } from './compile-rules.js';
import { type YamlDocument, type YamlMap, YamlNumber, type YamlValue } from './yaml-documents.js';

/** Bumped whenever the written form changes: an older file is then refused (and, for a cache, rebuilt). */
export const PARSED_RULES_FORMAT = 2;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function encodeValue(value: YamlValue): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof YamlNumber) {
    // JSON has no NaN or infinities (`.nan`, `.inf`): those travel as text.
    return { n: Number.isFinite(value.n) ? value.n : String(value.n), t: value.text };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  const pairs: Json[] = [];
  for (const [key, item] of value) pairs.push(key, encodeValue(item));
  return { m: pairs };
}

/** The JSON text of parsed rule files; `key` names what they were parsed from (the cache checks it). */
export function encodeParsedRules(sources: readonly ParsedRuleSource[], key: string): string {
  return JSON.stringify({
    format: PARSED_RULES_FORMAT,
    key,
    sources: sources.map((source) => ({
      file: source.file,
      ...(source.parsed.ok
        ? { docs: source.parsed.value.map((doc) => [doc.line, encodeValue(doc.value)]) }
        : { error: source.parsed.error }),
      // A Gene file's text travels as it is: Gene is JSON, parsed when compiled (src/detection/gene).
      ...(source.gene === undefined ? {} : { gene: source.gene }),
    })),
  });
}

class MalformedParsedRules extends Error {}

function fail(what: string): never {
  throw new MalformedParsedRules(what);
}

function decodeValue(json: unknown): YamlValue {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (Array.isArray(json)) return json.map(decodeValue);
  if (typeof json !== 'object') return fail(`unexpected ${typeof json} value`);
  const o = json as Record<string, unknown>;
  if (Array.isArray(o.m)) {
    const pairs = o.m;
    if (pairs.length % 2 !== 0) return fail('a map with an odd number of entries');
    const map: YamlMap = new Map();
    for (let i = 0; i < pairs.length; i += 2) {
      const key = pairs[i];
      if (typeof key !== 'string') return fail('a map key that is not text');
      map.set(key, decodeValue(pairs[i + 1]));
    }
    return map;
  }
  if (typeof o.t === 'string' && (typeof o.n === 'number' || typeof o.n === 'string')) {
    const n = Number(o.n);
    if (typeof o.n === 'string' && !Number.isNaN(n) && Number.isFinite(n))
      return fail('a finite number written as text');
    return new YamlNumber(n, o.t);
  }
  return fail('an object that is neither a map nor a number');
}

function decodeSource(json: unknown): ParsedRuleSource {
  if (typeof json !== 'object' || json === null) return fail('a source that is not an object');
  const { file, docs, error, gene } = json as Record<string, unknown>;
  if (typeof file !== 'string') return fail('a source without a file name');
  if (gene !== undefined && typeof gene !== 'string') return fail(`${file}: a Gene text that is not text`);
  const geneText = gene === undefined ? {} : { gene };
  if (typeof error === 'string') return { file, parsed: { ok: false, error }, ...geneText };
  if (!Array.isArray(docs)) return fail(`${file}: neither documents nor an error`);
  const value: YamlDocument[] = docs.map((doc: unknown) => {
    if (!Array.isArray(doc) || doc.length !== 2 || !Number.isInteger(doc[0])) return fail(`${file}: a bad document`);
    return { line: doc[0] as number, value: decodeValue(doc[1]) };
  });
  return { file, parsed: { ok: true, value }, ...geneText };
}

export type DecodeResult = { ok: true; value: ParsedRuleSource[] } | { ok: false; error: string };

/**
 * Reads back what {@link encodeParsedRules} wrote, if its format is this one and its key is `key`. Never throws:
 * anything else (not JSON, another format or key, a value of the wrong shape) is an error string.
 */
export function decodeParsedRules(text: string, key: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof json !== 'object' || json === null) return { ok: false, error: 'not an object' };
  const o = json as Record<string, unknown>;
  if (o.format !== PARSED_RULES_FORMAT)
    return { ok: false, error: `format ${String(o.format)}, not ${PARSED_RULES_FORMAT}` };
  if (o.key !== key) return { ok: false, error: 'parsed from other rule files (key differs)' };
  if (!Array.isArray(o.sources)) return { ok: false, error: 'no sources' };
  try {
    return { ok: true, value: o.sources.map(decodeSource) };
  } catch (error) {
    if (error instanceof MalformedParsedRules) return { ok: false, error: error.message };
    throw error;
  }
}
