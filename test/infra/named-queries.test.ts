/**
 * The named queries and Glue schema as data (src/query), and the Glue tables and Athena named queries the
 * QueryCatalog construct synthesises from them, compared with the DuckDB views the CLI builds from the same data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalTables } from '../../cli/query/local-tables.js';
import { athenaTables, NAMED_QUERIES, renderQuery, UnknownPlaceholderError } from '../../src/query/named-queries.js';
import { ALERTS_TABLE, EVENTS_TABLE } from '../../src/query/schema.js';
import { type GlueTableInput, synthQueryCatalog } from '../helpers/query-catalog.js';

const tables = athenaTables('hookstream');

describe('named queries', () => {
  it('cover the five investigations', () => {
    expect(NAMED_QUERIES.map((q) => q.id)).toEqual([
      'connections-to-domain',
      'domains-by-host',
      'alerts-last-24h',
      'unresolved-connections',
      'top-destinations',
      'logons',
      'powershell-script-blocks',
      'new-services',
    ]);
  });

  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))('%s: one parameter per ?, only known columns', (_id, query) => {
    const sql = renderQuery(query, tables);
    // Output aliases are not columns.
    const withoutAliases = sql.replace(/\bAS\s+\w+/g, '');
    expect((sql.match(/\?/g) ?? []).length).toBe(query.parameters.length);
    expect(sql).not.toContain('${');
    const columns = new Set(
      [...EVENTS_TABLE.columns, ...ALERTS_TABLE.columns].map((c) => c.name).concat(['dt', 'hour']),
    );
    const referenced = [
      ...withoutAliases.matchAll(
        /\b(destination\w*|source\w*|query\w*|image|processid|protocol|initiated|event_id|channel|target\w*|logontype|ipaddress|scriptblock\w*|message(?:number|total)|path|service\w*|imagepath|starttype|accountname)\b/g,
      ),
    ].map((m) => m[1]);
    for (const column of referenced) expect(columns.has(column as string)).toBe(true);
  });

  it.each(NAMED_QUERIES.filter((q) => q.id !== 'alerts-last-24h').map((q) => [q.id, q] as const))(
    '%s is bounded by the dt partition',
    (_id, query) => {
      expect(query.sql).toMatch(/dt BETWEEN \? AND \?/);
    },
  );

  it('renders table placeholders and refuses unknown ones', () => {
    // Placeholders are written as `$` + `{name}` so no string here reads like a forgotten template literal.
    const placeholder = (name: string) => `$\{${name}}`;
    const query = {
      ...NAMED_QUERIES[0]!,
      sql: `SELECT * FROM ${placeholder('events')} JOIN ${placeholder('alerts')} ON true`,
    };
    expect(renderQuery(query, tables)).toBe('SELECT * FROM "hookstream"."events" JOIN "hookstream"."alerts" ON true');
    expect(renderQuery({ ...query, sql: `SELECT line FROM ${placeholder('event_lines')}` }, tables)).toBe(
      'SELECT line FROM "hookstream"."event_lines"',
    );
    expect(() => renderQuery({ ...query, sql: `SELECT ${placeholder('database')}` }, tables)).toThrow(
      UnknownPlaceholderError,
    );
  });
});

describe('schema', () => {
  it('starts the events table with the canonical output columns', () => {
    expect(EVENTS_TABLE.columns.slice(0, 7).map((c) => c.name)).toEqual([
      'host',
      'channel',
      'provider',
      'event_id',
      'time',
      'record_id',
      'format',
    ]);
  });

  it('keeps the JSON key of each lower-case column', () => {
    const hostname = EVENTS_TABLE.columns.find((c) => c.name === 'destinationhostname');
    expect(hostname?.jsonKey).toBe('DestinationHostname');
    const names = EVENTS_TABLE.columns.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('types the alert event as a struct of the events columns', () => {
    const event = ALERTS_TABLE.columns.find((c) => c.name === 'event');
    expect(event?.type).toMatch(/^struct<host:string,channel:string,.*destinationhostname:string.*>$/);
    expect(event?.type).toMatch(/,logontype:string,.*,targetusername:string,/);
    expect(ALERTS_TABLE.columns.find((c) => c.name === 'tags')?.type).toBe('array<string>');
  });
});

/** A Hive type as DuckDB's DESCRIBE prints it (struct fields quoted only where DuckDB quotes them). */
function duckDescribeType(type: string): string {
  if (type === 'string') return 'VARCHAR';
  if (type === 'int') return 'INTEGER';
  if (type === 'bigint') return 'BIGINT';
  if (type === 'array<string>') return 'VARCHAR[]';
  return type;
}

describe('the synthesised Glue tables (the Athena DDL)', () => {
  let glue: Map<string, GlueTableInput>;
  let queries: { Name: string; QueryString: string }[];

  beforeAll(() => {
    // Prepare and act: the construct alone in a stack, as the main stack wires it, synthesised.
    ({ glue, queries } = synthQueryCatalog());
  });

  it('declares events with TargetUserName and LogonType as string columns, partition projection kept', () => {
    const events = glue.get('events');
    const columns = events?.StorageDescriptor.Columns ?? [];
    expect(columns).toContainEqual(expect.objectContaining({ Name: 'targetusername', Type: 'string' }));
    expect(columns).toContainEqual(expect.objectContaining({ Name: 'logontype', Type: 'string' }));
    expect(columns).toContainEqual(expect.objectContaining({ Name: 'scriptblocktext', Type: 'string' }));
    expect(columns.length).toBe(EVENTS_TABLE.columns.length);
    expect(events?.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date' });
    expect(events?.PartitionKeys.map((k) => k.Name)).toEqual(['dt', 'hour']);
    expect(events?.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: expect.objectContaining({ 'case.insensitive': 'true', 'mapping.product_name': 'Product Name' }),
    });
    // Only keys the SerDe cannot find by name are mapped.
    expect(Object.keys(events?.StorageDescriptor.SerdeInfo.Parameters ?? {})).not.toContain('mapping.targetusername');
  });

  it('declares alerts.event with the same fields, and the lines tables over the same areas', () => {
    const event = glue.get('alerts')?.StorageDescriptor.Columns.find((c) => c.Name === 'event');
    expect(event?.Type).toContain(',targetusername:string,');
    for (const [name, area] of [
      ['event_lines', 'events'],
      ['alert_lines', 'alerts'],
    ] as const) {
      const table = glue.get(name);
      expect(table?.StorageDescriptor.Columns).toEqual([expect.objectContaining({ Name: 'line', Type: 'string' })]);
      expect(table?.StorageDescriptor.SerdeInfo).toEqual({
        SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        Parameters: { 'field.delim': '\u0001', 'serialization.format': '\u0001' },
      });
      expect(table?.Parameters['storage.location.template']).toEqual(
        glue.get(area)?.Parameters['storage.location.template'],
      );
      expect(table?.Parameters).toMatchObject({ 'projection.enabled': 'true', compressionType: 'gzip' });
    }
  });

  it('has one Athena named query per definition, the new ones included', () => {
    const logons = queries.find((q) => q.Name === 'Logons by host and user');
    expect(logons?.QueryString).toMatch(/FROM "[a-z0-9_]+"\."events"/);
    expect(queries.map((q) => q.Name).sort()).toEqual(NAMED_QUERIES.map((q) => q.name).sort());
  });

  it('every table has the same columns and types in Glue as in the DuckDB view of the CLI', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'hookstream-ddl-'));
    const db = await openLocalTables(empty);
    try {
      for (const [name, input] of glue) {
        const reader = await db.runAndReadAll(`DESCRIBE ${name}`);
        const described = reader.getRowObjectsJS().map((row) => [row.column_name, row.column_type]);
        const declared = [...input.StorageDescriptor.Columns, ...input.PartitionKeys].map((c) => [c.Name, c.Type]);
        expect(described.map(([n]) => n)).toEqual(declared.map(([n]) => n));
        const scalar = declared.filter(([, type]) => !String(type).startsWith('struct<'));
        for (const [column, type] of scalar) {
          expect(described.find(([n]) => n === column)?.[1]).toBe(duckDescribeType(String(type)));
        }
      }
    } finally {
      db.closeSync();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
