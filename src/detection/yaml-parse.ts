/**
 * Safe-parses Sigma YAML (one or several `---`-separated documents) into the plain values of yaml-values.ts, with
 * the `yaml` package given as an argument: it costs about 55 ms of CPU to load, and a rule set read back from a
 * cache (parsed-rules-json.ts) parses no YAML, so the start-up loads it only when it parses
 * ({@link loadYamlParser}). yaml-documents.ts is the synchronous form, for what always parses.
 */
import type * as Yaml from 'yaml';
import type { Node } from 'yaml';
import {
  type ParseResult,
  type YamlDocument,
  type YamlMap,
  YamlNumber,
  type YamlParser,
  type YamlValue,
} from './yaml-values.js';

/** The `yaml` package's exports (its module namespace). */
export type YamlModule = typeof Yaml;

let loading: Promise<YamlParser> | undefined;

/**
 * The parser, the `yaml` package imported on the first call (a dynamic import, so a bundle loads the package only
 * then: with packages external, a static import anywhere in the bundle would load it at start-up).
 */
export function loadYamlParser(): Promise<YamlParser> {
  loading ??= import('yaml').then(yamlParser);
  return loading;
}

/** The parser over an imported `yaml` package. */
export function yamlParser(yaml: YamlModule): YamlParser {
  return (text) => parseYamlDocuments(yaml, text);
}

function parseYamlDocuments(yaml: YamlModule, text: string): ParseResult {
  const lineCounter = new yaml.LineCounter();
  let docs: ReturnType<YamlModule['parseAllDocuments']>;
  try {
    docs = yaml.parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  } catch (error) {
    return { ok: false, error: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!Array.isArray(docs)) return { ok: true, value: [] };
  const out: YamlDocument[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      return { ok: false, error: `invalid YAML${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}` };
    }
    if (doc.contents === null) continue;
    const start = doc.contents.range?.[0] ?? 0;
    out.push({ line: lineCounter.linePos(start).line, value: convert(yaml, doc.contents as Node, text, doc) });
  }
  return { ok: true, value: out };
}

function convert(
  yaml: YamlModule,
  node: unknown,
  text: string,
  doc: Parameters<NonNullable<Node['toJSON']>>[1] | object,
): YamlValue {
  if (yaml.isAlias(node)) return convert(yaml, node.resolve(doc as never), text, doc);
  if (yaml.isMap(node)) {
    const map: YamlMap = new Map();
    for (const pair of node.items) {
      const key = yaml.isScalar(pair.key) ? String(pair.key.value ?? '') : String(pair.key);
      map.set(key, convert(yaml, pair.value, text, doc));
    }
    return map;
  }
  if (yaml.isSeq(node)) return node.items.map((item) => convert(yaml, item, text, doc));
  if (yaml.isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' || typeof v === 'bigint') {
      const range = node.range;
      const src = range ? text.slice(range[0], range[1]).trim() : String(v);
      return new YamlNumber(Number(v), src || String(v));
    }
    if (typeof v === 'boolean') return v;
    return String(v);
  }
  return null;
}
