/**
 * Parsed rule files <-> JSON text, so that the YAML of a rule corpus is parsed once (at synth time for the
 * functions, on the first run for replay and dev) and read back without a YAML parser. JSON.parse is many times
 * faster than parsing YAML, and the compiler takes the parsed form as it is (compileParsedRules).
 *
 * What is kept is exactly what the compiler reads: map key order (maps are written as key/value lists, since a JSON
 * object would move integer-like keys first), the text numbers were written as, each document's line, and a
 * file's YAML error. Reading back checks every value's shape: text that is not what {@link encodeParsedRules}
 * wrote (a truncated or edited cache file) is an error, never a rule set built from half a file.
 *
 * A document's `detection` (a rule's) and `filter` (a meta filter's) maps are written as their keys and their
 * entries' JSON text, and read back as a {@link LazyYamlMap}: its keys are known at once (what sorting the
 * documents needs), its values are built the first time they are read, which for a deferred compile
 * (compile-rules.ts) is when the rule is compiled. Most rules of a corpus are never compiled in a given run, and the
 * detection maps are about half of the values, so a warm start builds half the objects. (The checksum of the
 * entry, rule-cache.ts, covers the whole text, detection text included; should such a text not read back all the
 * same, every key of its map reads as null, which no search identifier or condition compiles: the rule is rejected
 * or, deferred, matches nothing. Nothing throws.)
 */
import type { ParsedRuleSource } from './compile-rules.js';
import { type YamlDocument, type YamlMap, YamlNumber, type YamlValue } from './yaml-values.js';

/** Bumped whenever the written form changes: an older file is then refused (and, for a cache, rebuilt). */
export const PARSED_RULES_FORMAT = 3;

/** Top-level keys of a document whose map value is read back lazily ({@link LazyYamlMap}). */
const LAZY_KEYS = new Set(['detection', 'filter']);

/** A map read back from JSON text when first read; its keys are known without reading it. */
export class LazyYamlMap extends Map<string, YamlValue> {
  #text: string | undefined;
  readonly #keys: readonly string[];

  constructor(keys: readonly string[], text: string) {
    super();
    this.#keys = keys;
    this.#text = text;
  }

  #open(): void {
    const text = this.#text;
    if (text === undefined) return;
    this.#text = undefined;
    let pairs: unknown;
    try {
      pairs = JSON.parse(text);
      if (!Array.isArray(pairs) || pairs.length !== this.#keys.length * 2) throw new MalformedParsedRules('');
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] !== this.#keys[i / 2]) throw new MalformedParsedRules('');
        super.set(pairs[i] as string, decodeValue(pairs[i + 1]));
      }
    } catch {
      super.clear();
      for (const key of this.#keys) super.set(key, null);
    }
  }

  override get size(): number {
    return this.#text === undefined ? super.size : this.#keys.length;
  }
  override has(key: string): boolean {
    return this.#text === undefined ? super.has(key) : this.#keys.includes(key);
  }
  override get(key: string): YamlValue | undefined {
    this.#open();
    return super.get(key);
  }
  override set(key: string, value: YamlValue): this {
    this.#open();
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.#open();
    return super.delete(key);
  }
  override clear(): void {
    this.#text = undefined;
    super.clear();
  }
  override forEach(callback: (value: YamlValue, key: string, map: Map<string, YamlValue>) => void, thisArg?: unknown) {
    this.#open();
    super.forEach(callback, thisArg);
  }
  override entries(): MapIterator<[string, YamlValue]> {
    this.#open();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.#open();
    return super.keys();
  }
  override values(): MapIterator<YamlValue> {
    this.#open();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, YamlValue]> {
    return this.entries();
  }
}

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

/** A document's value: as {@link encodeValue}, with the maps of LAZY_KEYS as their keys and entries' text. */
function encodeDocument(value: YamlValue): Json {
  if (!(value instanceof Map)) return encodeValue(value);
  const pairs: Json[] = [];
  for (const [key, item] of value) {
    if (LAZY_KEYS.has(key) && item instanceof Map) {
      const inner: Json[] = [];
      for (const [k, v] of item) inner.push(k, encodeValue(v));
      pairs.push(key, { d: [...item.keys()], j: JSON.stringify(inner) });
    } else pairs.push(key, encodeValue(item));
  }
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
        ? { docs: source.parsed.value.map((doc) => [doc.line, encodeDocument(doc.value)]) }
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
  if (Array.isArray(json)) {
    // Decoded in place: the array is JSON.parse's, owned by this decode (no copy of every list at a cold start).
    for (let i = 0; i < json.length; i++) json[i] = decodeValue(json[i]);
    return json as YamlValue[];
  }
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

/** What {@link encodeDocument} wrote. */
function decodeDocument(json: unknown): YamlValue {
  const pairs = (json as { m?: unknown } | null)?.m;
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0) return decodeValue(json);
  const map: YamlMap = new Map();
  for (let i = 0; i < pairs.length; i += 2) {
    const key = pairs[i];
    if (typeof key !== 'string') return fail('a map key that is not text');
    const lazy = pairs[i + 1] as { d?: unknown; j?: unknown } | null;
    if (LAZY_KEYS.has(key) && typeof lazy === 'object' && lazy !== null && !Array.isArray(lazy) && 'j' in lazy) {
      const { d, j } = lazy;
      if (typeof j !== 'string' || !Array.isArray(d) || !d.every((k) => typeof k === 'string')) {
        return fail(`a ${key} map of the wrong shape`);
      }
      map.set(key, new LazyYamlMap(d, j));
    } else map.set(key, decodeValue(pairs[i + 1]));
  }
  return map;
}

function decodeSource(json: unknown): ParsedRuleSource {
  if (typeof json !== 'object' || json === null) return fail('a source that is not an object');
  const { file, docs, error, gene } = json as Record<string, unknown>;
  if (typeof file !== 'string') return fail('a source without a file name');
  if (gene !== undefined && typeof gene !== 'string') return fail(`${file}: a Gene text that is not text`);
  if (typeof error === 'string') {
    return gene === undefined ? { file, parsed: { ok: false, error } } : { file, parsed: { ok: false, error }, gene };
  }
  if (!Array.isArray(docs)) return fail(`${file}: neither documents nor an error`);
  const value: YamlDocument[] = docs.map((doc: unknown) => {
    if (!Array.isArray(doc) || doc.length !== 2 || !Number.isInteger(doc[0])) return fail(`${file}: a bad document`);
    return { line: doc[0] as number, value: decodeDocument(doc[1]) };
  });
  return gene === undefined ? { file, parsed: { ok: true, value } } : { file, parsed: { ok: true, value }, gene };
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
