/**
 * The Athena named queries (src/query/named-queries.ts) run with DuckDB against the local output of replay: the
 * Glue schema and the local layout agree. Athena-only expressions are bridged by each query's documented
 * translations (toDuckDb); every query must run, and the ones the data can answer must answer correctly.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLocalTables, toDuckDb } from '../../../cli/query/local-tables.js';
import { runNamedQuery } from '../../../cli/query/run-sql.js';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { NAMED_QUERIES } from '../../../src/query/named-queries.js';
import { OTRF_DIR, readOtrfObjects } from '../../helpers/otrf.js';
import { namedQuery, replayProjectEvents } from '../../helpers/replay-events.js';
import { describeUnless, missing } from '../../helpers/skip.js';

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

/** Security logons (49 of 4624, 7 of 4625) and PowerShell 4104 script blocks (49) from several hosts. */
const PLAYBOOK = 'purplesharp_ad_playbook_I.zip';

/**
 * A service installation as NXLog writes it (System 7045): no recording in ../shared has one. The host and day are
 * the playbook's, so one day range covers both.
 */
const SERVICE_INSTALLED = {
  EventTime: '2020-10-22 04:31:00',
  Hostname: 'WORKSTATION5.theshire.local',
  EventID: 7045,
  SourceName: 'Service Control Manager',
  Channel: 'System',
  RecordNumber: 4711,
  ServiceName: 'PSEXESVC',
  ImagePath: '%SystemRoot%\\PSEXESVC.exe',
  ServiceType: 'user mode service',
  StartType: 'demand start',
};

type Raw = Record<string, unknown>;

describeUnless(missing(path.join(OTRF_DIR, PLAYBOOK)))(
  'Windows named queries on an OTRF recording, with DuckDB',
  () => {
    let work: string;
    let db: DuckDBConnection;
    let raw: Raw[];

    beforeAll(async () => {
      // Prepare: the recording and one service installation, replayed into one output folder.
      work = await mkdtemp(path.join(tmpdir(), 'hookstream-windows-queries-'));
      await mkdir(path.join(work, 'in'));
      await writeFile(path.join(work, 'in', 'service.json'), `${JSON.stringify(SERVICE_INSTALLED)}\n`);
      raw = readOtrfObjects(PLAYBOOK);
      await runReplay({
        inputs: [path.join(OTRF_DIR, PLAYBOOK), path.join(work, 'in')],
        out: path.join(work, 'out'),
        enrich: false,
        enrichment: {},
        dedupeFields: ['host', 'destination'],
      });
      db = await openLocalTables(path.join(work, 'out'));
    });

    afterAll(async () => {
      db.closeSync();
      await rm(work, { recursive: true, force: true });
    });

    it('logons: successes and failures by host, account and logon type, as counted from the raw lines', async () => {
      // Expected, from the raw NXLog lines.
      const expected = new Map<string, { successes: number; failures: number }>();
      for (const line of raw) {
        if (line.Channel !== 'Security' || (line.EventID !== 4624 && line.EventID !== 4625)) continue;
        const key = [
          String(line.Hostname).toLowerCase(),
          line.TargetDomainName,
          line.TargetUserName,
          line.LogonType,
        ].join('|');
        const counts = expected.get(key) ?? { successes: 0, failures: 0 };
        if (line.EventID === 4624) counts.successes += 1;
        else counts.failures += 1;
        expected.set(key, counts);
      }
      // Act
      const rows = await runNamedQuery(db, namedQuery('logons'), WHOLE_RANGE);
      // Assess
      const actual = new Map(
        rows.map((row) => [
          [row.host, row.domain, row.account, row.logon_type].join('|'),
          { successes: Number(row.successes), failures: Number(row.failures) },
        ]),
      );
      expect([...expected.values()].some((counts) => counts.failures > 0)).toBe(true);
      expect(actual).toEqual(expected);
      // Failures first.
      expect(Number(rows[0]?.failures)).toBeGreaterThan(0);
    });

    it('powershell-script-blocks: every 4104 with an empty filter, only the matching ones with text', async () => {
      const blocks = raw.filter(
        (line) => line.Channel === 'Microsoft-Windows-PowerShell/Operational' && line.EventID === 4104,
      );
      const all = await runNamedQuery(db, namedQuery('powershell-script-blocks'), [...WHOLE_RANGE, '']);
      expect(blocks.length).toBeGreaterThan(10);
      expect(all.map((row) => row.scriptblockid).sort()).toEqual(blocks.map((line) => line.ScriptBlockId).sort());
      const needle = 'Get-ADUser';
      const matching = blocks.filter((line) =>
        String(line.ScriptBlockText).toLowerCase().includes(needle.toLowerCase()),
      );
      const some = await runNamedQuery(db, namedQuery('powershell-script-blocks'), [
        ...WHOLE_RANGE,
        needle.toUpperCase(),
      ]);
      expect(matching.length).toBeGreaterThan(0);
      expect(matching.length).toBeLessThan(blocks.length);
      expect(some.map((row) => row.scriptblocktext).sort()).toEqual(
        matching.map((line) => line.ScriptBlockText).sort(),
      );
    });

    it('new-services: the installed service with its image path and start type', async () => {
      const rows = await runNamedQuery(db, namedQuery('new-services'), WHOLE_RANGE);
      expect(rows).toEqual([
        expect.objectContaining({
          host: SERVICE_INSTALLED.Hostname,
          servicename: 'PSEXESVC',
          imagepath: SERVICE_INSTALLED.ImagePath,
          servicetype: 'user mode service',
          starttype: 'demand start',
        }),
      ]);
    });
  },
);
