/** `--param name=value` for the saved queries, and the defaults of the day range (the whole output). */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NamedQueryDefinition } from '../../src/query/named-queries.js';

/** The first and last `dt` partition present in `events` or `alerts`; undefined when the output is empty. */
export async function dayRange(connection: DuckDBConnection): Promise<{ first: string; last: string } | undefined> {
  const reader = await connection.runAndReadAll(
    'SELECT min(dt) AS first, max(dt) AS last FROM (SELECT dt FROM events UNION ALL SELECT dt FROM alerts)',
  );
  const [first, last] = (reader.getRowsJS()[0] ?? []) as (string | null)[];
  return first && last ? { first, last } : undefined;
}

/** When the output is empty any range returns nothing; this one is valid text for the `dt BETWEEN ? AND ?`. */
const EMPTY_RANGE = { first: '0000-01-01', last: '9999-12-31' };

/** `name=value` pairs; a value may contain `=`. Throws on a pair without a name or `=`. */
export function parseParams(pairs: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of pairs) {
    const cut = pair.indexOf('=');
    if (cut <= 0) throw new Error(`--param "${pair}" is not name=value`);
    params.set(pair.slice(0, cut).trim(), pair.slice(cut + 1));
  }
  return params;
}

/** Parameter names in order, each once (a name the SQL needs twice is given once). */
export function parameterNames(query: NamedQueryDefinition): string[] {
  return [...new Set(query.parameters.map((p) => p.name))];
}

/**
 * The positional values of a saved query: each `--param`, with `first_day` / `last_day` defaulting to the first and
 * last day present in the output. Throws naming an unknown or missing parameter.
 */
export function resolveValues(
  query: NamedQueryDefinition,
  params: ReadonlyMap<string, string>,
  range: { first: string; last: string } | undefined,
): string[] {
  const names = parameterNames(query);
  for (const name of params.keys()) {
    if (!names.includes(name)) {
      const takes = names.length === 0 ? 'takes no parameters' : `takes ${names.join(', ')}`;
      throw new Error(`saved query ${query.id} has no parameter "${name}" (it ${takes})`);
    }
  }
  const defaults: Record<string, string> = {
    first_day: (range ?? EMPTY_RANGE).first,
    last_day: (range ?? EMPTY_RANGE).last,
  };
  return query.parameters.map((parameter) => {
    const value = params.get(parameter.name) ?? defaults[parameter.name];
    if (value === undefined) {
      throw new Error(
        `saved query ${query.id} needs --param ${parameter.name}=<value> (${parameter.description}, e.g. ${parameter.example})`,
      );
    }
    return value;
  });
}
