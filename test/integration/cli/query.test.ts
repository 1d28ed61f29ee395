/**
 * `hookstream query` on a replay of events/: SQL and saved queries through the command line, in each output
 * format, with the day range defaulting to the output's; SQL errors and usage mistakes answered with a message.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatCsv, formatJson, formatJsonLines, formatTable, toPlain } from '../../../cli/query/format-rows.js';
import { openLocalTables } from '../../../cli/query/local-tables.js';
import { parseParams, resolveValues } from '../../../cli/query/saved-parameters.js';
import { NAMED_QUERIES } from '../../../src/query/named-queries.js';
import { OTRF_DIR, readOtrfObjects } from '../../helpers/otrf.js';
import { namedQuery, replayProjectEvents } from '../../helpers/replay-events.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { cli } from './cli-in-process.js';

const saved = namedQuery;

describe('hookstream query', () => {
  let out: string;
  /** Alert lines the replay wrote, by its own summary (events/ grows as formats are added). */
  let alerts: number;

  beforeAll(async () => {
    const replay = await replayProjectEvents('hookstream-query-');
    out = replay.out;
    alerts = replay.result.summary.alerts.total;
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('runs SQL and prints an aligned table by default', async () => {
    const { status, stdout } = await cli([
      'query',
      '--out',
      out,
      'SELECT lower(host) AS host, count(*) AS events FROM events GROUP BY 1 ORDER BY 2 DESC, 1',
    ]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^host\s+events$/);
    expect(lines[1]).toMatch(/^-+ {2}-+$/);
    expect(lines[2]).toMatch(/^workstation5\s+\d+$/);
    expect(lines.at(-1)).toMatch(/^\(\d+ rows\)$/);
    // Numbers are right-aligned under their header.
    expect(lines[2]?.length).toBe(lines[1]?.length);
  });

  it('prints CSV and JSON, BIGINTs as numbers when they fit and as strings when not', async () => {
    const sql = "SELECT count(*) AS n, 9007199254740993::BIGINT AS big, 'a,\"b' AS text, [1, 2] AS list FROM alerts";
    const csv = await cli(['query', '--out', out, '--format', 'csv', sql]);
    expect(alerts).toBeGreaterThan(0);
    expect(csv).toMatchObject({ status: 0, stdout: `n,big,text,list\n${alerts},9007199254740993,"a,""b","[1,2]"\n` });
    const json = await cli(['query', '--out', out, '--format', 'json', sql]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ n: alerts, big: '9007199254740993', text: 'a,"b', list: [1, 2] }]);
  });

  it('--format jsonl prints one compact JSON object per line, and nothing for no rows', async () => {
    const sql = 'SELECT lower(host) AS host, count(*) AS n, NULL AS none FROM events GROUP BY 1 ORDER BY 2 DESC, 1';
    const { status, stdout } = await cli(['query', '--out', out, '--format', 'jsonl', sql]);
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(rows[0]).toEqual({ host: 'workstation5', n: expect.any(Number), none: null });
    expect(rows).toHaveLength(2);
    expect(formatJsonLines({ columns: ['a'], rows: [] })).toBe('');
  });

  it('a table shows NULL apart from an empty string', async () => {
    const { status, stdout } = await cli(['query', '--out', out, "SELECT NULL AS a, '' AS b, 'x' AS c"]);
    expect(status).toBe(0);
    expect(stdout.split('\n').slice(0, 3)).toEqual(['a     b  c', '----  -  -', 'NULL     x']);
  });

  it('--saved lists the saved queries with their parameters', async () => {
    const { status, stdout } = await cli(['query', '--saved', '--format', 'json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toContainEqual({
      id: 'connections-to-domain',
      name: 'Connections to a domain',
      parameters: 'first_day last_day domain',
    });
    expect(JSON.parse(stdout)).toHaveLength(NAMED_QUERIES.length);
  });

  it('--saved <id> runs one, the day range defaulting to the days in the output', async () => {
    const { status, stdout, stderr } = await cli([
      'query',
      '--out',
      out,
      '--saved',
      'domains-by-host',
      '--param',
      'host=DESKTOP-5SUA567',
      '--format',
      'json',
    ]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout).map((row: { domain: string }) => row.domain)).toEqual(
      expect.arrayContaining(['rawsec.lu', 'sls.update.microsoft.com']),
    );
  });

  it('a parameter the SQL needs twice is given once; a narrower day range finds nothing', async () => {
    const all = await cli([
      'query',
      '--out',
      out,
      '--saved',
      'connections-to-domain',
      '--param',
      'domain=githubusercontent.com',
      '--format',
      'json',
    ]);
    expect(JSON.parse(all.stdout).length).toBeGreaterThanOrEqual(10);
    const none = await cli([
      'query',
      '--out',
      out,
      '--saved',
      'connections-to-domain',
      '--param',
      'domain=githubusercontent.com',
      '--param',
      'first_day=2021-01-01',
      '--param',
      'last_day=2021-12-31',
      '--format',
      'json',
    ]);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('resolves parameter values in order, and names a missing or unknown one', () => {
    const query = saved('connections-to-domain');
    const range = { first: '2018-06-17', last: '2020-10-22' };
    expect(resolveValues(query, parseParams(['domain=a.example']), range)).toEqual([
      '2018-06-17',
      '2020-10-22',
      'a.example',
      'a.example',
    ]);
    expect(() => resolveValues(query, new Map(), range)).toThrow(/needs --param domain=<value>/);
    expect(() => resolveValues(query, parseParams(['domian=x']), range)).toThrow(/no parameter "domian"/);
    expect(() => parseParams(['=x'])).toThrow(/not name=value/);
    expect(parseParams(['q=a=b'])).toEqual(new Map([['q', 'a=b']]));
  });

  it('formats nulls, nested values and long cells', () => {
    const result = {
      columns: ['a', 'b'],
      rows: [
        [null, { x: 1n }],
        ['y'.repeat(200), 2n ** 70n],
      ],
    };
    expect(formatCsv(result)).toBe(`a,b\n,"{""x"":1}"\n${'y'.repeat(200)},1180591620717411303424\n`);
    expect(formatTable(result).split('\n')[3]).toMatch(/^y{79}… +1180591620717411303424$/);
    expect(formatTable(result).split('\n')[2]).toMatch(/^NULL +\{"x":1\}$/);
    expect(formatJsonLines(result)).toBe(
      `{"a":null,"b":{"x":1}}\n{"a":"${'y'.repeat(200)}","b":"1180591620717411303424"}\n`,
    );
    expect(JSON.parse(formatJson(result))).toEqual([
      { a: null, b: { x: 1 } },
      { a: 'y'.repeat(200), b: '1180591620717411303424' },
    ]);
    expect(toPlain(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    [['query', '--out', 'OUT', 'SELEC 1'], 1, /query failed: Parser Error: syntax error at or near "SELEC"/],
    [['query', '--out', 'OUT', 'SELECT nope FROM events'], 1, /query failed: Binder Error: .*"nope"/],
    [['query', '--out', 'OUT'], 2, /give the SQL to run, or --saved/],
    [['query', '--out', 'no/such/out', 'SELECT 1'], 2, /no such output folder: no\/such\/out/],
    [['query', '--out', 'OUT', '--saved', 'nope'], 2, /no saved query "nope" \(one of: connections-to-domain/],
    [['query', '--out', 'OUT', '--saved', 'domains-by-host'], 2, /needs --param host=<value>/],
    [['query', '--out', 'OUT', '--saved', 'top-destinations', '--param', 'x=1'], 2, /has no parameter "x"/],
    [['query', '--out', 'OUT', '--format', 'xml', 'SELECT 1'], 2, /argument 'xml' is invalid/],
    [['query', '--out', 'OUT', '--param', 'a=1', 'SELECT 1'], 2, /--param goes with --saved <id>/],
  ])('%j exits %d with a message and no stack trace', async (args, code, message) => {
    const { status, stderr } = await cli(args.map((arg) => (arg === 'OUT' ? out : arg)));
    expect(status).toBe(code);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints usage with examples', async () => {
    const { status, stdout } = await cli(['query', '--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: hookstream query/);
    expect(stdout).toMatch(/--saved \[id\]/);
  });
});

/** A recording with Security logons (3 of 4624) and Sysmon, small enough to replay in a second. */
const SECURITY_RECORDING = 'covenant_getdomaingroup_ldap_searchrequest_domain_admins.zip';

/** One rule on Security network logons, so that alerts.event holds Security fields. */
const NETWORK_LOGON_RULE = `title: Network logon (test)
id: 5d0e6f51-9a43-4a6b-8c47-0c1f3b2a7e10
status: test
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4624
    LogonType: 3
  condition: selection
level: low
`;

describeUnless(missing(path.join(OTRF_DIR, SECURITY_RECORDING)))('every field queryable, on an OTRF recording', () => {
  let work: string;
  let out: string;
  /** The 4624 logons, read from the raw NXLog lines (not through the product's normaliser). */
  let logons: { user: string; type: string }[];

  beforeAll(async () => {
    // Prepare
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-fields-'));
    out = path.join(work, 'out');
    await mkdir(path.join(work, 'rules'));
    await writeFile(path.join(work, 'rules', 'network-logon.yml'), NETWORK_LOGON_RULE);
    logons = readOtrfObjects(SECURITY_RECORDING)
      .filter((object) => object.Channel === 'Security' && object.EventID === 4624)
      .map((object) => ({ user: String(object.TargetUserName), type: String(object.LogonType) }));
    // Act
    const replay = await cli([
      'replay',
      path.join(OTRF_DIR, SECURITY_RECORDING),
      '--out',
      out,
      '--rules',
      path.join(work, 'rules'),
    ]);
    expect(replay.status).toBe(0);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const sorted = (rows: { user: string; type: string }[]) => rows.map((row) => `${row.user}/${row.type}`).sort();

  it('select TargetUserName, LogonType from events where event_id = 4624', async () => {
    const { status, stdout, stderr } = await cli([
      'query',
      '--out',
      out,
      '--format',
      'json',
      'select TargetUserName, LogonType from events where event_id = 4624',
    ]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const rows = JSON.parse(stdout) as { targetusername: string; logontype: string }[];
    expect(logons.length).toBeGreaterThanOrEqual(3);
    expect(sorted(rows.map((row) => ({ user: row.targetusername, type: row.logontype })))).toEqual(sorted(logons));
  });

  it('a field without a column is read from event_lines with json_extract_scalar', async () => {
    const { status, stdout } = await cli([
      'query',
      '--out',
      out,
      '--format',
      'json',
      "select json_extract_scalar(line, '$.TargetUserName') AS account, json_extract_scalar(line, '$.LogonType') AS type " +
        "from event_lines where json_extract_scalar(line, '$.event_id') = '4624'",
    ]);
    expect(status).toBe(0);
    const rows = JSON.parse(stdout) as { account: string; type: string }[];
    expect(sorted(rows.map((row) => ({ user: row.account, type: row.type })))).toEqual(sorted(logons));
  });

  it('alerts.event keeps the Security fields of the matched event', async () => {
    const { status, stdout } = await cli([
      'query',
      '--out',
      out,
      '--format',
      'json',
      'select event.targetusername AS account, event.logontype AS type, event.ipaddress AS address from alerts',
    ]);
    expect(status).toBe(0);
    const rows = JSON.parse(stdout) as { account: string; type: string; address: string | null }[];
    const network = logons.filter((logon) => logon.type === '3');
    expect(network.length).toBeGreaterThan(0);
    expect(sorted(rows.map((row) => ({ user: row.account, type: row.type })))).toEqual(sorted(network));
    expect(rows.every((row) => typeof row.address === 'string' && row.address.length > 0)).toBe(true);
  });
});

describe('the local views read every spelling of a key, as the Athena SerDe does', () => {
  let work: string;

  beforeAll(async () => {
    // Prepare: output lines as the pipeline writes them, with the spellings the schemas use.
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-spellings-'));
    const lines = [
      { host: 'a', channel: 'Security', event_id: 4688, time: 't1', ProcessId: '0x10', NewProcessName: 'x.exe' },
      { host: 'b', channel: 'System', event_id: 7036, time: 't2', ProcessID: '0x20' },
      {
        host: 'c',
        channel: 'Microsoft-Windows-Windows Defender/Operational',
        event_id: 1116,
        time: 't3',
        'Product Name': 'Microsoft Defender Antivirus',
        Data7: 'seven',
      },
      { host: 'd', channel: 'System', event_id: 104, time: 't4', data_Channel: 'Security' },
    ];
    const folder = path.join(work, 'events', 'dt=2026-11-27', 'hour=10');
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, 'a.json.gz'),
      gzipSync(lines.map((line) => `${JSON.stringify(line)}\n`).join('')),
    );
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('processid from ProcessId and ProcessID, product_name from "Product Name", data_channel, Data7 by its line', async () => {
    const db = await openLocalTables(work);
    try {
      const reader = await db.runAndReadAll(
        `SELECT e.host, processid, newprocessname, product_name, data_channel, json_extract_scalar(l.line, '$.Data7') AS data7
         FROM events e JOIN event_lines l ON json_extract_scalar(l.line, '$.host') = e.host ORDER BY e.host`,
      );
      expect(reader.getRowObjectsJS()).toEqual([
        { host: 'a', processid: '0x10', newprocessname: 'x.exe', product_name: null, data_channel: null, data7: null },
        { host: 'b', processid: '0x20', newprocessname: null, product_name: null, data_channel: null, data7: null },
        {
          host: 'c',
          processid: null,
          newprocessname: null,
          product_name: 'Microsoft Defender Antivirus',
          data_channel: null,
          data7: 'seven',
        },
        { host: 'd', processid: null, newprocessname: null, product_name: null, data_channel: 'Security', data7: null },
      ]);
    } finally {
      db.closeSync();
    }
  });
});
