/**
 * The synthesised Glue tables and Athena named queries checked against the rules Glue and Athena document, offline
 * (docs/deploy.md, "What is checked without AWS" lists the rules and their sources): names, types, how the OpenX
 * SerDe finds each column's key, partition projection properties, the named-query limits, and every named query
 * parsed with node-sql-parser's Trino grammar, its columns looked up in the tables it reads.
 *
 * Each checker returns a list of problems; the last tests feed them broken tables and queries, so a checker that
 * finds nothing is seen to be able to find something.
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { openLocalTables } from '../../cli/query/local-tables.js';
import { NAMED_QUERIES } from '../../src/query/named-queries.js';
import { TABLES, type TableDefinition } from '../../src/query/schema.js';
import {
  type GlueColumn,
  type GlueTableInput,
  type NamedQueryProperties,
  synthQueryCatalog,
} from '../helpers/query-catalog.js';

/** The Trino build only (250 KB); the package's index loads every dialect. */
const { Parser } = createRequire(import.meta.url)('node-sql-parser/build/trino') as typeof import('node-sql-parser');

/** Glue: name 1-255, comment 0-255, type 0-131,072 characters (API Column). Athena: names 1-255 bytes. */
const MAX_NAME_BYTES = 255;
const MAX_COMMENT = 255;
const MAX_TYPE = 131_072;
/** Athena: one query string at most 262,144 bytes (not adjustable); NamedQuery Name 128, Description 1,024. */
const MAX_QUERY_BYTES = 262_144;
const MAX_QUERY_NAME = 128;
const MAX_QUERY_DESCRIPTION = 1024;
/** Athena partition projection: a table's metadata at most about 1 MB gzip-compressed (Glue). */
const MAX_TABLE_METADATA_GZIP = 1_000_000;

/** Lower case letters, digits, `_`: what Glue stores and Athena's naming guide asks for. */
const GLUE_NAME = /^[a-z0-9_]+$/;
/** A Trino identifier that needs no quotes: a letter first, then letters, digits, `_`. */
const UNQUOTED_IDENTIFIER = /^[a-z][a-z0-9_]*$/;
/**
 * Trino's reserved keywords (they must be double-quoted as identifiers), and USER, which Athena's DDL list has and
 * the project quotes in DML too.
 */
const RESERVED = new Set(
  (
    'ALTER AND AS AUTO BETWEEN BY CASE CAST CONSTRAINT CREATE CROSS CUBE CURRENT_CATALOG CURRENT_DATE CURRENT_PATH ' +
    'CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEALLOCATE DELETE DESCRIBE DISTINCT DROP ' +
    'ELSE END ESCAPE EXCEPT EXISTS EXTRACT FALSE FOR FROM FULL GROUP GROUPING HAVING IN INNER INSERT INTERSECT INTO IS ' +
    'JOIN JSON_ARRAY JSON_EXISTS JSON_OBJECT JSON_QUERY JSON_TABLE JSON_VALUE LEFT LIKE LISTAGG LOCALTIME ' +
    'LOCALTIMESTAMP NATURAL NORMALIZE NOT NULL ON OR ORDER OUTER PREPARE PRIMARY RECURSIVE RIGHT ROLLUP SELECT SKIP ' +
    'TABLE THEN TRIM TRUE UESCAPE UNION UNNEST USING VALUES WHEN WHERE WITH USER'
  )
    .toLowerCase()
    .split(' '),
);
/** Columns that are not plain identifiers in Trino SQL (docs/deploy.md lists them with how to quote them). */
const MUST_QUOTE = ['__binlength', 'user'];
/** Hive primitive types Athena reads (its data types list); the tables use string, int and bigint. */
const PRIMITIVES = new Set(['boolean', 'tinyint', 'smallint', 'int', 'bigint', 'double', 'float', 'string', 'date']);
const PROJECTION_TYPES = new Set(['enum', 'integer', 'date', 'injected']);
const DATE_UNITS = new Set(['YEARS', 'MONTHS', 'WEEKS', 'DAYS', 'HOURS', 'MINUTES', 'SECONDS', 'MILLISECONDS']);

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Problems of one Hive type string; `fields` collects the field names of the first struct level. */
function typeProblems(type: string, where: string): string[] {
  const problems: string[] = [];
  let at = 0;
  const fail = (why: string): void => {
    problems.push(`${where}: ${why} at ${at} of ${type.slice(0, 60)}`);
  };
  const parse = (): void => {
    const word = /^[a-z]+/.exec(type.slice(at))?.[0] ?? '';
    at += word.length;
    if (word === 'array') {
      if (type[at++] !== '<') {
        fail('array without <');
        return;
      }
      parse();
      if (type[at++] !== '>') fail('array without >');
    } else if (word === 'struct') {
      if (type[at++] !== '<') {
        fail('struct without <');
        return;
      }
      const names = new Set<string>();
      for (;;) {
        const name = /^[^:<>,]*/.exec(type.slice(at))?.[0] ?? '';
        if (!GLUE_NAME.test(name)) fail(`struct field name ${JSON.stringify(name)}`);
        if (names.has(name)) fail(`struct field ${name} twice`);
        names.add(name);
        at += name.length;
        if (type[at++] !== ':') {
          fail('struct field without :');
          return;
        }
        parse();
        const next = type[at++];
        if (next === '>') break;
        if (next !== ',') {
          fail('struct without , or >');
          return;
        }
      }
    } else if (!PRIMITIVES.has(word)) fail(`type ${JSON.stringify(word)}`);
  };
  parse();
  if (problems.length === 0 && at !== type.length) fail('text after the type');
  return problems;
}

/** The rules of one Glue table: its names, types, SerDe key matching (against the schema it came from), projection. */
function glueTableProblems(input: GlueTableInput, table: TableDefinition): string[] {
  const problems: string[] = [];
  const all = [...input.StorageDescriptor.Columns, ...input.PartitionKeys];
  if (!GLUE_NAME.test(input.Name) || bytes(input.Name) > MAX_NAME_BYTES) problems.push(`table name ${input.Name}`);
  const seen = new Set<string>();
  for (const column of all) {
    const where = `${input.Name}.${column.Name}`;
    if (!GLUE_NAME.test(column.Name)) problems.push(`${where}: not lower-case letters, digits and _`);
    if (bytes(column.Name) < 1 || bytes(column.Name) > MAX_NAME_BYTES) problems.push(`${where}: name length`);
    if (/^[0-9]/.test(column.Name)) problems.push(`${where}: starts with a digit`);
    // Athena lower-cases every name, so two names differing in case alone are one column.
    if (seen.has(column.Name.toLowerCase())) problems.push(`${where}: twice (case-insensitively)`);
    seen.add(column.Name.toLowerCase());
    if ((column.Comment ?? '').length > MAX_COMMENT) problems.push(`${where}: comment over ${MAX_COMMENT}`);
    if (column.Type.length > MAX_TYPE) problems.push(`${where}: type over ${MAX_TYPE} characters`);
    problems.push(...typeProblems(column.Type, where));
  }

  // How the SerDe finds each column: `mapping.<column>` or the column name, matched case-insensitively. It must
  // find exactly the keys DuckDB reads for the column (the schema's jsonKeys), and no two columns one key.
  const serde = input.StorageDescriptor.SerdeInfo.Parameters;
  if (table.storage === 'json') {
    if (serde['case.insensitive'] !== 'true') problems.push(`${input.Name}: case.insensitive is not true`);
    const lookups = new Map<string, string>();
    for (const column of input.StorageDescriptor.Columns) {
      const lookup = (serde[`mapping.${column.Name}`] ?? column.Name).toLowerCase();
      const other = lookups.get(lookup);
      if (other !== undefined) problems.push(`${input.Name}: ${other} and ${column.Name} both read key ${lookup}`);
      lookups.set(lookup, column.Name);
      const declared = table.columns.find((c) => c.name === column.Name);
      for (const key of declared?.jsonKeys ?? []) {
        if (key.toLowerCase() !== lookup)
          problems.push(`${input.Name}.${column.Name}: DuckDB reads ${key}, Athena ${lookup}`);
      }
    }
    for (const key of Object.keys(serde)) {
      if (key.startsWith('mapping.') && !lookups.has(serde[key]!.toLowerCase())) problems.push(`${key}: no column`);
    }
  }

  // Partition projection: every partition key projected with a supported type and its required properties, and the
  // location template naming each key.
  const parameters = input.Parameters;
  if (parameters['projection.enabled'] !== 'true') problems.push(`${input.Name}: projection not enabled`);
  const template = JSON.stringify(parameters['storage.location.template'] ?? '');
  const placeholders = [...template.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
  const keys = input.PartitionKeys.map((k) => k.Name);
  if ([...placeholders].sort().join() !== [...keys].sort().join()) {
    problems.push(`${input.Name}: location template names ${placeholders.join()} for keys ${keys.join()}`);
  }
  for (const key of keys) {
    const get = (name: string) => parameters[`projection.${key}.${name}`] as string | undefined;
    const type = get('type');
    if (type === undefined || !PROJECTION_TYPES.has(type.trim().toLowerCase())) {
      problems.push(`${input.Name}.${key}: projection type ${type}`);
    } else if (type === 'date') {
      const [start, end] = (get('range') ?? '').split(',');
      if (get('format') !== 'yyyy-MM-dd') problems.push(`${input.Name}.${key}: date format ${get('format')}`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start ?? '') || end !== 'NOW') {
        problems.push(`${input.Name}.${key}: date range ${get('range')}`);
      }
      if (!/^[1-9]\d*$/.test(get('interval') ?? '1')) problems.push(`${input.Name}.${key}: interval`);
      if (!DATE_UNITS.has(get('interval.unit') ?? 'DAYS')) problems.push(`${input.Name}.${key}: interval unit`);
    } else if (type === 'integer') {
      const range = /^(-?\d+),(-?\d+)$/.exec(get('range') ?? '');
      if (range === null || Number(range[1]) > Number(range[2])) {
        problems.push(`${input.Name}.${key}: integer range ${get('range')}`);
      }
      if (!/^[1-9]\d*$/.test(get('digits') ?? '1')) problems.push(`${input.Name}.${key}: digits`);
    }
  }
  for (const name of Object.keys(parameters)) {
    const key = /^projection\.([^.]+)\./.exec(name)?.[1];
    if (key !== undefined && !keys.includes(key)) problems.push(`${name}: not a partition key`);
  }
  if (gzipSync(JSON.stringify(input)).length > MAX_TABLE_METADATA_GZIP) problems.push(`${input.Name}: metadata size`);
  return problems;
}

/** SQL text outside string literals and double-quoted identifiers: where a bare name would be read. */
function bareText(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
}

type Ast = { columns?: { as?: string | null }[] };

/** The rules of one named query: limits, Trino syntax, tables and columns it reads, quoting. */
function namedQueryProblems(query: NamedQueryProperties, glue: ReadonlyMap<string, GlueTableInput>, database: string) {
  const problems: string[] = [];
  const where = query.Name;
  if (query.Name.length < 1 || query.Name.length > MAX_QUERY_NAME) problems.push(`${where}: name length`);
  if ((query.Description ?? 'x').length > MAX_QUERY_DESCRIPTION) problems.push(`${where}: description length`);
  if (query.Database !== database) problems.push(`${where}: database ${query.Database}`);
  const size = bytes(query.QueryString);
  // Over the limit Athena refuses the text before parsing it; so does this check.
  if (size < 1 || size > MAX_QUERY_BYTES) return [...problems, `${where}: ${size} bytes`];
  const parser = new Parser();
  const options = { database: 'trino' };
  let ast: Ast | Ast[];
  try {
    ast = parser.astify(query.QueryString, options) as unknown as Ast | Ast[];
  } catch (error) {
    return [...problems, `${where}: does not parse as Trino SQL: ${String(error).slice(0, 160)}`];
  }
  const tables = parser.tableList(query.QueryString, options).map((entry) => entry.split('::'));
  const read: GlueTableInput[] = [];
  for (const [, db, name] of tables) {
    const table = glue.get(name ?? '');
    if (db !== database || table === undefined) problems.push(`${where}: reads ${db}.${name}`);
    else read.push(table);
  }
  const aliases = new Set(
    (Array.isArray(ast) ? ast : [ast]).flatMap((s) => (s.columns ?? []).map((c) => c.as?.toLowerCase() ?? '')),
  );
  const columns = new Map(
    read.flatMap((t) => [...t.StorageDescriptor.Columns, ...t.PartitionKeys]).map((c) => [c.Name, c.Type]),
  );
  const bare = bareText(query.QueryString).toLowerCase();
  for (const entry of parser.columnList(query.QueryString, options)) {
    const [, qualifier, name = ''] = entry.split('::');
    const column = name.toLowerCase();
    if (qualifier === 'null' && aliases.has(column)) continue;
    if (qualifier !== 'null' && !glue.has(qualifier ?? '')) {
      // `event.image`: a field of a struct column.
      const type = columns.get(qualifier ?? '') ?? '';
      if (!type.startsWith('struct<') || !new RegExp(`[<,]${column}:`).test(type)) {
        problems.push(`${where}: ${qualifier}.${column} is no struct field of a table it reads`);
      }
      continue;
    }
    if (!columns.has(column)) problems.push(`${where}: column ${column} is not declared`);
    if ((RESERVED.has(column) || !UNQUOTED_IDENTIFIER.test(column)) && new RegExp(`\\b${column}\\b`).test(bare)) {
      problems.push(`${where}: ${column} must be double-quoted`);
    }
  }
  return problems;
}

describe('the Glue tables and Athena named queries, against the documented Glue and Athena rules', () => {
  let glue: Map<string, GlueTableInput>;
  let queries: NamedQueryProperties[];
  let database: string;

  beforeAll(() => {
    // Prepare: the construct alone in a stack, as the main stack wires it.
    ({ database, glue, queries } = synthQueryCatalog());
  });

  it('has a database name Glue and Athena accept', () => {
    expect(database).toMatch(GLUE_NAME);
    expect(bytes(database)).toBeLessThanOrEqual(MAX_NAME_BYTES);
  });

  it.each(TABLES.map((t) => [t.name, t] as const))(
    '%s: names, types, SerDe keys and projection are valid',
    (name, table) => {
      const input = glue.get(name);
      expect(input).toBeDefined();
      expect(glueTableProblems(input!, table)).toEqual([]);
    },
  );

  it('lists the columns that must be quoted in SQL, and the named queries quote them', () => {
    const names = [...glue.values()].flatMap((t) => t.StorageDescriptor.Columns.map((c) => c.Name));
    const quoted = [...new Set(names.filter((n) => RESERVED.has(n) || !UNQUOTED_IDENTIFIER.test(n)))].sort();
    // A new one must be added to docs/deploy.md ("What is checked without AWS") and here.
    expect(quoted).toEqual(MUST_QUOTE);
    expect(names.some((n) => /^[0-9]/.test(n))).toBe(false);
  });

  it('keeps a CREATE TABLE text of events within the Athena query size', () => {
    // No DDL is generated (the tables are Glue resources), but one who re-creates events by hand writes about this.
    const events = glue.get('events')!;
    const column = (c: GlueColumn) => `\`${c.Name}\` ${c.Type} COMMENT '${(c.Comment ?? '').replaceAll("'", "\\'")}'`;
    const ddl =
      `CREATE EXTERNAL TABLE \`events\` (${events.StorageDescriptor.Columns.map(column).join(', ')}) ` +
      `PARTITIONED BY (${events.PartitionKeys.map(column).join(', ')}) ROW FORMAT SERDE '...' LOCATION '...' ` +
      `TBLPROPERTIES (${Object.entries(events.Parameters)
        .map(([k, v]) => `'${k}'='${JSON.stringify(v)}'`)
        .join(', ')})`;
    // About 52 KB today (637 columns with their comments).
    expect(bytes(ddl)).toBeLessThanOrEqual(MAX_QUERY_BYTES);
  });

  it.each(NAMED_QUERIES.map((q) => [q.name] as const))(
    '%s: within the limits, Trino SQL, declared columns only',
    (name) => {
      const query = queries.find((q) => q.Name === name);
      expect(query).toBeDefined();
      expect(namedQueryProblems(query!, glue, database)).toEqual([]);
    },
  );

  it('the local json_extract_scalar reads Trino bracket paths, for keys with a space', async () => {
    const db = await openLocalTables('/nonexistent-hookstream-folder');
    try {
      const line = JSON.stringify({ event: { 'Product Name': 'Defender', Data1: 'x' } }).replaceAll("'", "''");
      const reader = await db.runAndReadAll(
        `SELECT json_extract_scalar('${line}', '$.event["Product Name"]') AS spaced, ` +
          `json_extract_scalar('${line}', '$.event.Data1') AS dotted`,
      );
      expect(reader.getRowObjectsJS()).toEqual([{ spaced: 'Defender', dotted: 'x' }]);
    } finally {
      db.closeSync();
    }
  });
});

describe('the checkers find what they look for', () => {
  // Glue's `${key}` written as `$` + `{key}`, so no string here reads like a forgotten template literal.
  const placeholder = (name: string) => `$\{${name}}`;
  const events = TABLES[0]!;
  const base = (): GlueTableInput => ({
    Name: 'events',
    Parameters: {
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2026-01-01,NOW',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'storage.location.template': `s3://b/events/dt=${placeholder('dt')}/hour=${placeholder('hour')}/`,
    },
    PartitionKeys: [
      { Name: 'dt', Type: 'string' },
      { Name: 'hour', Type: 'string' },
    ],
    StorageDescriptor: {
      Columns: [
        { Name: 'host', Type: 'string' },
        { Name: 'product_name', Type: 'string' },
      ],
      Location: 's3://b/events/',
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'case.insensitive': 'true', 'mapping.product_name': 'Product Name' },
      },
    },
  });

  it('accepts a valid table', () => {
    expect(glueTableProblems(base(), { ...events, columns: [] })).toEqual([]);
  });

  it.each([
    [
      'a name differing in case alone',
      (t: GlueTableInput) => t.StorageDescriptor.Columns.push({ Name: 'Host', Type: 'string' }),
      /Host: not lower-case|twice/,
    ],
    [
      'a name starting with a digit',
      (t: GlueTableInput) => t.StorageDescriptor.Columns.push({ Name: '1x', Type: 'string' }),
      /starts with a digit/,
    ],
    [
      'a struct field with a space',
      (t: GlueTableInput) => t.StorageDescriptor.Columns.push({ Name: 'e', Type: 'struct<a b:string>' }),
      /struct field name/,
    ],
    [
      'a map type',
      (t: GlueTableInput) => t.StorageDescriptor.Columns.push({ Name: 'm', Type: 'map<string,string>' }),
      /type "map"/,
    ],
    [
      'a long comment',
      (t: GlueTableInput) => t.StorageDescriptor.Columns.push({ Name: 'c', Type: 'string', Comment: 'x'.repeat(256) }),
      /comment over/,
    ],
    [
      'two columns reading one key',
      (t: GlueTableInput) => {
        t.StorageDescriptor.SerdeInfo.Parameters['mapping.product_name'] = 'HOST';
      },
      /both read key host/,
    ],
    [
      'case-sensitive keys',
      (t: GlueTableInput) => {
        t.StorageDescriptor.SerdeInfo.Parameters['case.insensitive'] = 'false';
      },
      /case.insensitive/,
    ],
    [
      'a key missing from the template',
      (t: GlueTableInput) => {
        t.Parameters['storage.location.template'] = `s3://b/events/dt=${placeholder('dt')}/`;
      },
      /location template/,
    ],
    [
      'an unknown projection type',
      (t: GlueTableInput) => {
        t.Parameters['projection.hour.type'] = 'hours';
      },
      /projection type hours/,
    ],
    [
      'a date range without NOW',
      (t: GlueTableInput) => {
        t.Parameters['projection.dt.range'] = '2026-01-01';
      },
      /date range/,
    ],
  ])('finds %s', (_what, breakIt, expected) => {
    const table = base();
    breakIt(table);
    expect(glueTableProblems(table, { ...events, columns: [] }).join('\n')).toMatch(expected);
  });

  it('finds a DuckDB key the SerDe would not match', () => {
    const table = base();
    const schema = {
      ...events,
      columns: [
        { name: 'product_name', jsonKey: 'ProductName', jsonKeys: ['ProductName'], type: 'string', comment: '' },
      ],
    } as TableDefinition;
    expect(glueTableProblems(table, schema).join('\n')).toMatch(/DuckDB reads ProductName, Athena product name/);
  });

  it.each([
    [
      'a column no table declares',
      'SELECT targetusernam FROM "db"."events" WHERE dt = ?',
      /targetusernam is not declared/,
    ],
    ['an unquoted reserved word', 'SELECT user FROM "db"."events" WHERE dt = ?', /user must be double-quoted/],
    ['a syntax error', 'SELECT host FROM "db"."events" WHERE (dt = ?', /does not parse/],
    ['another database', 'SELECT host FROM "other"."events"', /reads other.events/],
    [
      'a struct field that is not one',
      'SELECT event.nosuchfield FROM "db"."alerts"',
      /event.nosuchfield is no struct field/,
    ],
    ['an oversized query', `SELECT host FROM "db"."events" WHERE host IN (${"'x',".repeat(70_000)}'x')`, /bytes/],
  ])('finds %s', (_what, sql, expected) => {
    const glue = new Map<string, GlueTableInput>([
      ['events', base()],
      [
        'alerts',
        {
          ...base(),
          Name: 'alerts',
          StorageDescriptor: {
            ...base().StorageDescriptor,
            Columns: [{ Name: 'event', Type: 'struct<image:string>' }],
          },
        },
      ],
    ]);
    const problems = namedQueryProblems({ Name: 'q', Database: 'db', QueryString: sql }, glue, 'db');
    expect(problems.join('\n')).toMatch(expected);
  });
});
