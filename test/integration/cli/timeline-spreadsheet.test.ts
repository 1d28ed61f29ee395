/**
 * `hookstream timeline out --format csv` opens cleanly in a spreadsheet: LibreOffice Calc (headless) imports the CSV
 * with formula evaluation on, and exported back every row and cell is as written (the neutralised formula cells
 * stay text), while a probe cell `=1+1` without the quote comes back as 2, so the check can fail. Skipped, with the
 * reason in the title, where LibreOffice is absent (`apt-get install libreoffice-calc-nogui`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv/sync';
import { itUnless } from '../../helpers/skip.js';
import { cli } from './cli-in-process.js';

const SOFFICE = '/usr/bin/soffice';
const sofficeMissing = existsSync(SOFFICE)
  ? undefined
  : `${SOFFICE} is absent (apt-get install libreoffice-calc-nogui)`;

/** CSV import options: comma, double quote, UTF-8, from line 1, ..., evaluate formulas (the 13th token). */
const IMPORT = 'CSV:44,34,76,1,,0,false,true,false,false,false,false,true';
const EXPORT = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false';

/** The CSV as LibreOffice reads it, written back as CSV: via .xlsx, in a profile of its own. */
async function throughCalc(csv: string, work: string): Promise<string[][]> {
  const run = promisify(execFile);
  const profile = `-env:UserInstallation=file://${path.join(work, 'profile')}`;
  await mkdir(work, { recursive: true });
  const source = path.join(work, 'in.csv');
  await writeFile(source, csv);
  const options = { cwd: work, timeout: 120_000 };
  await run(SOFFICE, [profile, '--headless', `--infilter=${IMPORT}`, '--convert-to', 'xlsx', 'in.csv'], options);
  await run(SOFFICE, [profile, '--headless', '--convert-to', EXPORT, '--outdir', 'back', 'in.xlsx'], options);
  const text = (await readFile(path.join(work, 'back', 'in.csv'), 'utf8')).replaceAll('\r\n', '\n');
  return parse(text) as string[][];
}

const HOSTILE = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '-2+3', '@SUM(A1)', '=HYPERLINK("http://x.invalid","y")'];

describe('hookstream timeline --format csv in a spreadsheet', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'hookstream-timeline-calc-'));
    const folder = path.join(work, 'out', 'alerts', 'dt=2020-10-22', 'hour=05');
    await mkdir(folder, { recursive: true });
    const lines = HOSTILE.map((commandLine, i) => {
      const time = `2020-10-22T05:1${i}:00.000Z`;
      const event = {
        host: 'WS1',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: 1,
        time,
        Image: 'C:\\Windows\\System32\\cmd.exe',
        CommandLine: commandLine,
        ParentCommandLine: 'line one\nline two, "quoted"',
      };
      return JSON.stringify({ time, host: 'WS1', rule_id: `r${i}`, rule_title: `Rule ${i}`, level: 'high', event });
    });
    await writeFile(path.join(folder, 'replay.json.gz'), gzipSync(lines.join('\n')));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  itUnless(sofficeMissing)(
    'LibreOffice Calc reads every row and cell as written, and runs none as a formula',
    async () => {
      const file = path.join(work, 'timeline.csv');
      const columns = 'time,host,level,rule,CommandLine,ParentCommandLine,details';
      const result = await cli([
        'timeline',
        path.join(work, 'out'),
        '--format',
        'csv',
        '--columns',
        columns,
        '-o',
        file,
      ]);
      expect(result.status).toBe(0);
      const written = await readFile(file, 'utf8');
      const original = parse(written) as string[][];
      expect(original.slice(1).map((row) => row[4])).toEqual(HOSTILE.map((cell) => `'${cell}`));

      const back = await throughCalc(written, path.join(work, 'calc'));
      expect(back).toEqual(original);
      // The probe: the same cell without its quote is run as a formula.
      const probe = await throughCalc('a\n=1+1\n', path.join(work, 'probe'));
      expect(probe).toEqual([['a'], ['2']]);
    },
    240_000,
  );
});
