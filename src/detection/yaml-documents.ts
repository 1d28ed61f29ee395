/**
 * Safe-parses Sigma YAML (one or several `---`-separated documents) into plain values that keep what
 * matching needs: map key order, and the source text of numbers (`0x17` must match the field text `0x17`,
 * which YAML 1.2 would read as 23).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

/** A YAML number with the text it was written as. */
export class YamlNumber {
  constructor(
    readonly n: number,
    readonly text: string,
  ) {}
}

export type YamlValue = string | boolean | null | YamlNumber | YamlValue[] | YamlMap;
export type YamlMap = Map<string, YamlValue>;

/** A scalar as the text it was written as (numbers keep their spelling); undefined for anything else. */
export function yamlText(v: YamlValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof YamlNumber) return v.text;
  return undefined;
}

export interface YamlDocument {
  /** 1-based line where the document starts. */
  line: number;
  value: YamlValue;
}

export type ParseResult = { ok: true; value: YamlDocument[] } | { ok: false; error: string };

/** Parses every document of a file; any YAML error fails the whole file with its line. */
export function parseYamlDocuments(text: string): ParseResult {
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
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
    out.push({ line: lineCounter.linePos(start).line, value: convert(doc.contents as Node, text, doc) });
  }
  return { ok: true, value: out };
}

function convert(node: unknown, text: string, doc: Parameters<NonNullable<Node['toJSON']>>[1] | object): YamlValue {
  if (isAlias(node)) return convert(node.resolve(doc as never), text, doc);
  if (isMap(node)) {
    const map: YamlMap = new Map();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value ?? '') : String(pair.key);
      map.set(key, convert(pair.value, text, doc));
    }
    return map;
  }
  if (isSeq(node)) return node.items.map((item) => convert(item, text, doc));
  if (isScalar(node)) {
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
