/**
 * An event whose fields carry terminal escapes and a bidirectional override (whoever runs a process on a watched
 * host names it), replayed and then printed by the commands a responder runs on a terminal: no character a
 * terminal acts on reaches it, the text shows them as visible escapes, and JSON output keeps the values.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliInProcess } from '../../helpers/run-cli.js';

const root = path.resolve(import.meta.dirname, '../../..');
const IMAGE = 'C:\\evil\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202egpj.exe';
const HOST = 'HOST\u001b[1A\u001b[2K';
/** What a terminal acts on: C0 but line feed and tab, DEL, C1, the bidirectional controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the test looks for
const ACTS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('hostile event text on the terminal', () => {
  let dir: string;
  let out: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookstream-terminal-'));
    out = path.join(dir, 'out');
    const [line] = (await readFile(path.join(root, 'events/ndjson/sysmon3-three-shippers.ndjson'), 'utf8')).split('\n');
    const event = JSON.parse(line as string);
    event.Event.EventData.Image = IMAGE;
    event.Event.System.Computer = HOST;
    await writeFile(path.join(dir, 'hostile.ndjson'), `${JSON.stringify(event)}\n`);
    const replay = await runCliInProcess(['replay', path.join(dir, 'hostile.ndjson'), '--out', out]);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain('read 1: 1 written');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['query, table', ['query', '--out', '<out>', 'SELECT host, image FROM events']],
    ['timeline, table', ['timeline', '<out>', '--all-events', '--format', 'table', '--columns', 'host,Image']],
  ])('%s: shows the escapes as text', async (_name, args) => {
    const run = await runCliInProcess(args.map((arg) => (arg === '<out>' ? out : arg)));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(ACTS);
    expect(run.stdout).toContain('HOST\\x1b[1A\\x1b[2K');
    expect(run.stdout).toContain('C:\\evil\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u{202e}gpj.exe');
  });

  it.each([
    ['query', ['query', '--out', '<out>', '--format', 'csv', 'SELECT host, image FROM events']],
    ['timeline', ['timeline', '<out>', '--all-events', '--format', 'csv', '--columns', 'host,Image']],
  ])('%s, CSV: keeps the bytes in a pipe or a file, and shows the escapes on a terminal', async (_name, args) => {
    const argv = args.map((arg) => (arg === '<out>' ? out : arg));
    const piped = await runCliInProcess(argv);
    expect(piped.stdout).toContain(HOST);
    const { runCli } = await import('../../../cli/run-cli.js');
    let shown = '';
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const status = await runCli(argv, {
        stdout: { write: (text: string) => (shown += text), isTTY: true },
        stderr: { write: () => true },
      });
      expect(status).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(shown).not.toMatch(ACTS);
    expect(shown).toContain('HOST\\x1b[1A\\x1b[2K');
  });

  it.each([
    ['query, JSON lines', ['query', '--out', '<out>', '--format', 'jsonl', 'SELECT host, image FROM events']],
    ['timeline, JSON lines', ['timeline', '<out>', '--all-events', '--format', 'jsonl', '--columns', 'host,Image']],
  ])('%s: escapes them in JSON, the values unchanged', async (_name, args) => {
    const run = await runCliInProcess(args.map((arg) => (arg === '<out>' ? out : arg)));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(ACTS);
    const row = JSON.parse(run.stdout.trim()) as Record<string, string>;
    expect(row.host).toBe(HOST);
    expect(row.image ?? row.Image).toBe(IMAGE);
  });
});
