/**
 * `hookstream query` on a replay of events/: SQL and saved queries through the command line, in each output
 * format, with the day range defaulting to the output's; SQL errors and usage mistakes answered with a message.
 */
import { rm } from 'node:fs/promises';
import { formatCsv, formatJson, formatJsonLines, formatTable, toPlain } from '../../../cli/query/format-rows.js';
import { parseParams, resolveValues } from '../../../cli/query/saved-parameters.js';
import { NAMED_QUERIES } from '../../../src/query/named-queries.js';
import { namedQuery, replayProjectEvents } from '../../helpers/replay-events.js';
import { cli } from './cli-in-process.js';

const saved = namedQuery;

describe('hookstream query', () => {
  let out: string;

  beforeAll(async () => {
    ({ out } = await replayProjectEvents('hookstream-query-'));
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
    expect(csv).toMatchObject({ status: 0, stdout: 'n,big,text,list\n18,9007199254740993,"a,""b","[1,2]"\n' });
    const json = await cli(['query', '--out', out, '--format', 'json', sql]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ n: 18, big: '9007199254740993', text: 'a,"b', list: [1, 2] }]);
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
