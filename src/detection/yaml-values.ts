/**
 * The plain values Sigma YAML is parsed into (yaml-parse.ts), and what the compile, the correlation parser and the
 * rule cache read: map key order kept, numbers with the text they were written as (`0x17` must match the field text
 * `0x17`, which YAML 1.2 would read as 23). No YAML parser here: a rule set read back from a cache never loads one.
 */

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

/** Parses every document of a file; any YAML error fails the whole file with its line. Never throws. */
export type YamlParser = (text: string) => ParseResult;
