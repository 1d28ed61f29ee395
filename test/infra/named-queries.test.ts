/** The named queries and Glue schema as data (src/query). */
import { athenaTables, NAMED_QUERIES, renderQuery, UnknownPlaceholderError } from '../../src/query/named-queries.js';
import { ALERTS_TABLE, EVENTS_TABLE } from '../../src/query/schema.js';

const tables = athenaTables('hookstream', { events: 'events', alerts: 'alerts' });

describe('named queries', () => {
  it('cover the five investigations', () => {
    expect(NAMED_QUERIES.map((q) => q.id)).toEqual([
      'connections-to-domain',
      'domains-by-host',
      'alerts-last-24h',
      'unresolved-connections',
      'top-destinations',
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
        /\b(destination\w*|source\w*|query\w*|image|processid|protocol|initiated|event_id|channel)\b/g,
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
    expect(ALERTS_TABLE.columns.find((c) => c.name === 'tags')?.type).toBe('array<string>');
  });
});
