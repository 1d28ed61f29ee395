/**
 * The Athena named queries (src/query/named-queries.ts) run with DuckDB against the local output of replay: the
 * Glue schema and the local layout agree. Athena-only expressions are bridged by each query's documented
 * translations (toDuckDb); every query must run, and the ones the data can answer must answer correctly.
 */
import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLocalTables, runNamedQuery, toDuckDb } from '../../../cli/query/local-tables.js';
import { NAMED_QUERIES } from '../../../src/query/named-queries.js';
import { namedQuery, replayProjectEvents } from '../../helpers/replay-events.js';

const WHOLE_RANGE = ['2000-01-01', '2099-12-31'];

const query = namedQuery;

describe('named queries on the local output, with DuckDB', () => {
  let out: string;
  let db: DuckDBConnection;

  beforeAll(async () => {
    ({ out } = await replayProjectEvents('hookstream-queries-'));
    db = await openLocalTables(out);
  });

  afterAll(async () => {
    db.closeSync();
    await rm(out, { recursive: true, force: true });
  });

  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))('%s runs in DuckDB', async (_id, q) => {
    const values = q.parameters.map((p) =>
      p.name === 'first_day' ? WHOLE_RANGE[0] : p.name === 'last_day' ? WHOLE_RANGE[1] : p.example,
    );
    await expect(runNamedQuery(db, q, values as string[])).resolves.toBeInstanceOf(Array);
  });

  it('connections-to-domain finds the enriched connections to raw.githubusercontent.com', async () => {
    const rows = await runNamedQuery(db, query('connections-to-domain'), [
      ...WHOLE_RANGE,
      'githubusercontent.com',
      'githubusercontent.com',
    ]);
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      expect(row).toMatchObject({
        destinationhostname: 'raw.githubusercontent.com',
        destinationip: '151.101.248.133',
        destinationhostnamesource: 'dns-process',
      });
    }
  });

  it('domains-by-host lists what the founding host resolved and contacted', async () => {
    const rows = await runNamedQuery(db, query('domains-by-host'), [...WHOLE_RANGE, 'desktop-5sua567']);
    expect(rows.map((row) => row.domain).sort()).toEqual(['rawsec.lu', 'sls.update.microsoft.com']);
  });

  it('top-destinations ranks raw.githubusercontent.com first', async () => {
    const rows = await runNamedQuery(db, query('top-destinations'), WHOLE_RANGE);
    expect(rows[0]).toMatchObject({ destination: 'raw.githubusercontent.com' });
  });

  it('the alerts table reads the nested event the way the alert query does', async () => {
    const reader = await db.runAndReadAll(
      "SELECT rule_id, level, event.destinationhostname AS name, dt FROM alerts WHERE dt BETWEEN '2000-01-01' AND '2099-12-31'",
    );
    const rows = reader.getRowObjectsJS();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ name: 'raw.githubusercontent.com', dt: '2020-10-22' });
    expect(toDuckDb(query('alerts-last-24h'))).not.toMatch(/from_iso8601_timestamp|date_format/);
  });
});
