/**
 * `hookstream timeline` over an output folder written by hand (alerts and events as gzip JSON lines in hour
 * partitions): ordered by event time, filtered by level, host, rule and time range, in CSV that a spreadsheet cannot
 * run as formulas (read back with the CSV library), JSON lines and a table; and through the command line.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv/sync';
import { parseTime } from '../../../cli/commands/timeline.js';
import { formatTimeline, MAX_CSV_CELL, neutraliseFormula } from '../../../cli/timeline/format-timeline.js';
import { details } from '../../../cli/timeline/profiles.js';
import { readTimeline, type TimelineFilter } from '../../../cli/timeline/read-timeline.js';
import { cli } from './cli-in-process.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function event(time: string, host: string, eventId: number, data: Record<string, string>): Record<string, unknown> {
  return { host, channel: SYSMON, provider: 'Microsoft-Windows-Sysmon', event_id: eventId, time, ...data };
}

const HOSTILE = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

const process1 = event('2020-10-22T05:10:00.000Z', 'WS1', 1, {
  Image: 'C:\\Windows\\System32\\cmd.exe',
  CommandLine: HOSTILE[0] as string,
  ParentImage: 'C:\\Windows\\explorer.exe',
});
const connection = event('2020-10-22T05:20:00.000Z', 'WS2', 3, {
  Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  DestinationHostname: 'raw.githubusercontent.com',
  DestinationIp: '151.101.248.133',
  DestinationPort: '443',
  DestinationHostnameSource: 'dns-process',
});
const dns = event('2020-10-22T06:05:00.000Z', 'WS1', 22, {
  Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  QueryName: 'raw.githubusercontent.com',
  QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
});

function alert(of: Record<string, unknown>, id: string, title: string, level: string): Record<string, unknown> {
  return {
    time: of.time,
    host: of.host,
    rule_id: id,
    rule_title: title,
    level,
    channel: SYSMON,
    event_id: of.event_id,
    event: of,
  };
}

/** Hour partitions as replay writes them, each file's lines out of time order on purpose. */
async function writeOutput(): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'hookstream-timeline-'));
  const put = async (area: string, hour: string, lines: object[]) => {
    const folder = path.join(out, area, 'dt=2020-10-22', `hour=${hour}`);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'replay.json.gz'), gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')));
  };
  await put('events', '05', [connection, process1]);
  await put('events', '06', [dns]);
  await put('alerts', '06', [alert(dns, 'r-dns', 'DNS Query To Paste Site', 'medium')]);
  await put('alerts', '05', [
    alert(connection, 'r-paste', 'Connection To A Paste Site', 'high'),
    alert(process1, 'r-cmd', 'Suspicious Cmd Launch', 'critical'),
    ...HOSTILE.slice(1).map((commandLine, i) =>
      alert(
        { ...process1, time: `2020-10-22T05:3${i}:00.000Z`, CommandLine: commandLine },
        'r-low',
        'Odd Command Line',
        'low',
      ),
    ),
  ]);
  return out;
}

const ALL: TimelineFilter = { allEvents: false, hosts: [], rules: [] };

describe('hookstream timeline', () => {
  let out: string;

  beforeAll(async () => {
    out = await writeOutput();
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('lists the detections by event time, and with --all-events the events too (a detection before its event)', async () => {
    const alerts = await readTimeline(out, ALL);
    expect(alerts.rows.map((r) => [r.time.slice(11, 16), r.rule])).toEqual([
      ['05:10', 'Suspicious Cmd Launch'],
      ['05:20', 'Connection To A Paste Site'],
      ['05:30', 'Odd Command Line'],
      ['05:31', 'Odd Command Line'],
      ['05:32', 'Odd Command Line'],
      ['05:33', 'Odd Command Line'],
      ['05:34', 'Odd Command Line'],
      ['06:05', 'DNS Query To Paste Site'],
    ]);
    const all = await readTimeline(out, { ...ALL, allEvents: true });
    expect(all.rows.map((r) => `${r.time.slice(11, 16)} ${r.kind}`).slice(0, 4)).toEqual([
      '05:10 alert',
      '05:10 event',
      '05:20 alert',
      '05:20 event',
    ]);
    expect(all.rows).toHaveLength(11);
    expect(all.unreadable).toBe(0);
  });

  it.each<[string, Partial<TimelineFilter>, string[]]>([
    ['--min-level high', { minLevel: 'high' }, ['r-cmd', 'r-paste']],
    ['--min-level medium', { minLevel: 'medium' }, ['r-cmd', 'r-paste', 'r-dns']],
    ['--host ws2', { hosts: ['ws2'] }, ['r-paste']],
    ['--rule paste (part of a title)', { rules: ['paste'] }, ['r-paste', 'r-dns']],
    ['--rule r-cmd (an id)', { rules: ['r-cmd'] }, ['r-cmd']],
    [
      '--from 05:15 --to 05:30',
      { from: Date.parse('2020-10-22T05:15:00Z'), to: Date.parse('2020-10-22T05:30:00Z') },
      ['r-paste', 'r-low'],
    ],
    ['--from 06:00 (earlier hour partitions not read)', { from: Date.parse('2020-10-22T06:00:00Z') }, ['r-dns']],
  ])('%s', async (_flag, filter, ruleIds) => {
    const { rows } = await readTimeline(out, { ...ALL, ...filter });
    expect(rows.map((r) => r.ruleId)).toEqual(ruleIds);
  });

  it('CSV neutralises every cell a spreadsheet would run as a formula; parsed back, the text is otherwise intact', async () => {
    const { rows } = await readTimeline(out, { ...ALL, rules: ['r-cmd', 'r-low'] });
    const csv = [...formatTimeline(rows, ['time', 'rule', 'CommandLine'], 'csv')].join('');
    const parsed = parse(csv) as string[][];
    expect(parsed[0]).toEqual(['time', 'rule', 'CommandLine']);
    expect(parsed.slice(1).map((row) => row[2])).toEqual(HOSTILE.map((cell) => `'${cell}`));
    for (const row of parsed) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(neutraliseFormula('C:\\Windows\\cmd.exe /c =x')).toBe('C:\\Windows\\cmd.exe /c =x');
    expect(neutraliseFormula('')).toBe('');
  });

  it('CSV cuts a cell over the spreadsheet limit, and --bom starts the file with one', () => {
    const long = event('2020-10-22T05:00:00.000Z', 'WS1', 1, { CommandLine: 'x'.repeat(40_000) });
    const [header, body] = [
      ...formatTimeline(
        [
          {
            kind: 'event',
            ms: 0,
            time: '',
            host: '',
            level: '',
            rule: '',
            ruleId: '',
            channel: '',
            eventId: '',
            tags: '',
            event: long,
          },
        ],
        ['CommandLine'],
        'csv',
        { bom: true },
      ),
    ];
    expect(header?.startsWith('\ufeffCommandLine')).toBe(true);
    const cell = (parse(body as string) as string[][])[0]?.[0];
    expect(cell?.length).toBe(MAX_CSV_CELL);
    expect(cell?.endsWith('…[cut]')).toBe(true);
  });

  it('the default details are the fields a responder expects for each kind of event', () => {
    expect(details(connection)).toBe(
      'Image: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe ¦ DestinationHostname: raw.githubusercontent.com ¦ DestinationIp: 151.101.248.133 ¦ DestinationPort: 443 ¦ DestinationHostnameSource: dns-process',
    );
    expect(details(process1)).toMatch(/^Image: C:\\Windows\\System32\\cmd\.exe ¦ CommandLine: =cmd/);
    expect(details(dns)).toMatch(/QueryName: raw\.githubusercontent\.com ¦ QueryResults: type: 5 github/);
    // A kind with no profile: its first EventData fields.
    expect(details({ channel: 'Other', event_id: 1, host: 'h', time: 't', A: '1', B: '-', C: '3' })).toBe(
      'A: 1 ¦ C: 3',
    );
  });

  it('JSON lines: one object per line with the chosen columns', async () => {
    const { rows } = await readTimeline(out, { ...ALL, allEvents: true });
    const text = [...formatTimeline(rows, ['time', 'kind', 'rule', 'QueryName', 'commandline'], 'jsonl')].join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    const objects = lines.map((line) => JSON.parse(line) as Record<string, string>);
    expect(Object.keys(objects[0] ?? {})).toEqual(['time', 'kind', 'rule', 'QueryName', 'commandline']);
    expect(objects[0]).toMatchObject({ kind: 'alert', commandline: HOSTILE[0] }); // JSON is not neutralised
    expect(objects.at(-1)).toMatchObject({ kind: 'event', QueryName: 'raw.githubusercontent.com' });
  });

  it.each([
    ['2020-10-22', false, '2020-10-22T00:00:00.000Z'],
    ['2020-10-22', true, '2020-10-22T23:59:59.999Z'],
    ['2020-10-22T05:30', true, '2020-10-22T05:30:59.999Z'],
    ['2020-10-22 05:30:10Z', false, '2020-10-22T05:30:10.000Z'],
    ['2020-10-22T07:30:00+02:00', false, '2020-10-22T05:30:00.000Z'],
  ])('parseTime(%j, end=%s) = %s', (text, end, iso) => {
    expect(new Date(parseTime(text, end)).toISOString()).toBe(iso);
  });

  it('from the command line: CSV of the high and critical detections of one host, to a file', async () => {
    const file = path.join(out, 'timeline.csv');
    const result = await cli(['timeline', out, '--format', 'csv', '--min-level', 'high', '--host', 'WS1', '-o', file]);
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: `wrote 1 rows to ${file}\n` });
    const parsed = parse(await readFile(file, 'utf8')) as string[][];
    expect(parsed[0]).toEqual(['time', 'host', 'level', 'rule', 'channel', 'event_id', 'details']);
    expect(parsed.slice(1)).toEqual([
      [
        '2020-10-22T05:10:00.000Z',
        'WS1',
        'critical',
        'Suspicious Cmd Launch',
        SYSMON,
        '1',
        `Image: C:\\Windows\\System32\\cmd.exe ¦ CommandLine: ${HOSTILE[0]} ¦ ParentImage: C:\\Windows\\explorer.exe`,
      ],
    ]);
  });

  it.each([
    [['timeline', 'no/such/out'], /no such output folder: no\/such\/out/],
    [['timeline', 'OUT', '--from', 'yesterday'], /not a time: "yesterday"/],
  ])('%j fails with one line and no stack trace', async (args, message) => {
    const { status, stderr } = await cli(args.map((arg) => (arg === 'OUT' ? out : arg)));
    expect(status).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
