/**
 * The command line's answers to a user's mistakes: a clear message, a non-zero exit, no stack trace; and the rule
 * choosing flags of replay. In-process through runCli (the function main.ts calls), with two spawned runs of
 * cli/main.ts for the real process exit code.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli as runInProcess } from '../../../cli/run-cli.js';
import { runCli as spawnCli } from '../../helpers/run-cli.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function run(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const status = await runInProcess(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { status, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

function rule(id: number, level: string, status: string, tags: string[], logsource = 'category: process_creation') {
  return [
    `title: rule ${id}`,
    `id: 00000000-0000-4000-8000-00000000000${id}`,
    `status: ${status}`,
    `level: ${level}`,
    `tags: [${tags.join(', ')}]`,
    `logsource: { product: windows, ${logsource} }`,
    "detection: { selection: { Image|endswith: '\\powershell.exe' }, condition: selection }",
  ].join('\n');
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hookstream-cli-errors-'));
  await mkdir(path.join(dir, 'rules'));
  await mkdir(path.join(dir, 'bad-rules'));
  await mkdir(path.join(dir, 'empty'));
  const rules: [number, string, string, string[]][] = [
    [1, 'high', 'stable', ['attack.credential-access']],
    [2, 'critical', 'test', ['attack.credential_access', 'attack.t1003']],
    [3, 'medium', 'stable', ['attack.credential-access']],
    [4, 'high', 'experimental', ['attack.credential-access']],
    [5, 'high', 'test', ['attack.discovery']],
  ];
  for (const [id, level, status, tags] of rules) {
    await writeFile(path.join(dir, 'rules', `r${id}.yml`), rule(id, level, status, tags));
  }
  await writeFile(path.join(dir, 'bad-rules', 'good.yml'), rule(1, 'high', 'stable', []));
  await writeFile(
    path.join(dir, 'bad-rules', 'service.yml'),
    rule(6, 'high', 'stable', [], 'service: no-such-service'),
  );
  await writeFile(
    path.join(dir, 'bad-rules', 'condition.yml'),
    rule(7, 'high', 'stable', []).replace('condition: selection', 'condition: selection and'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hookstream command-line errors (in-process)', () => {
  it.each([
    [['replay', 'no/such/file.json', '--out', '/tmp/hookstream-never'], /no such file or folder: no\/such\/file\.json/],
    [['replay', 'events', '--rules', 'no/such/rules'], /rule path not found: no\/such\/rules/],
    [['replay', 'events', '--mode', 'sometimes'], /argument 'sometimes' is invalid/],
    [['replay', 'events', '--look-ahead', 'soon'], /"soon" is not a non-negative number/],
    [['replay', 'events', '--min-level', 'urgent'], /argument 'urgent' is invalid\. Allowed choices are informational/],
    [['replay', 'events', '--status', 'stable,!'], /status: "!" needs a value after it/],
    [['replay'], /missing required argument 'inputs'/],
    [['rules', 'check', 'rules', '--frobnicate'], /unknown option '--frobnicate'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j: one line, a pointer to --help at most, no usage text, no stack trace', async (args, message) => {
    const { status, stderr } = await run(args);
    expect(status).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/^hookstream: /);
    expect(lines.slice(1)).toEqual(
      lines.length > 1 ? [expect.stringMatching(/^\(see 'hookstream( \w+)* --help'\)$/)] : [],
    );
    expect(stderr).not.toMatch(/Usage:|\n\s+at /);
  });

  it('points a bad argument of a sub-command at that command’s help', async () => {
    const { stderr } = await run(['rules', 'check', 'rules', '--frobnicate']);
    expect(stderr).toContain("(see 'hookstream rules check --help')");
  });

  it.each([[['--help']], [['replay', '--help']], [['rules', 'check', '--help']]])('%j prints usage', async (args) => {
    const { status, stdout } = await run(args);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: hookstream/);
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const { status, stdout } = await run(['--version']);
    expect(status).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });

  it('an input that yields no record says so, exits non-zero and creates no output folder', async () => {
    const out = path.join(dir, 'out-empty');
    const { status, stderr } = await run(['replay', path.join(dir, 'empty'), '--out', out]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^hookstream: no input records in .*empty: no files with a supported extension/);
    expect(() => readFileSync(path.join(out, '.hookstream'))).toThrow();
  });

  it('refuses rules that do not compile, one line each naming the file and the reason, before writing anything', async () => {
    const out = path.join(dir, 'out-bad');
    const { status, stdout, stderr } = await run([
      'replay',
      'events',
      '--out',
      out,
      '--rules',
      path.join(dir, 'bad-rules'),
    ]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^hookstream: rule rejected: .*bad-rules\/condition\.yml: .+$/),
      expect.stringMatching(
        /^hookstream: rule rejected: .*bad-rules\/service\.yml: unknown logsource service: no-such-service$/,
      ),
      'hookstream: 2 rule(s) do not compile; --skip-invalid-rules loads the rest',
    ]);
  });

  it('--skip-invalid-rules loads the rest and lists the skipped ones', async () => {
    const out = path.join(dir, 'out-skip');
    const { status, stdout } = await run([
      'replay',
      'events',
      '--out',
      out,
      '--no-progress',
      '--rules',
      path.join(dir, 'bad-rules'),
      '--skip-invalid-rules',
    ]);
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('rules: 1 selected (all rules), 0 left out, 2 invalid skipped (--skip-invalid-rules):');
    expect(lines[1]).toMatch(/^ {2}rule skipped: .*condition\.yml: /);
    expect(lines[2]).toMatch(/^ {2}rule skipped: .*service\.yml: unknown logsource service: no-such-service$/);
  });
});

describe('choosing rules', () => {
  it('replay --min-level high --status stable,test --tags attack.credential_access loads only those rules', async () => {
    const out = path.join(dir, 'out-chosen');
    const args = ['replay', 'events', '--out', out, '--rules', path.join(dir, 'rules'), '--no-progress'];
    const chosen = ['--min-level', 'high', '--status', 'stable,test', '--tags', 'attack.credential_access'];
    const text = await run([...args, ...chosen]);
    expect(text.status).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(
      'rules: 2 selected (level >= high; status stable, test; tags attack.credential_access), 3 left out (1 by level, 1 by status, 1 by tags)',
    );
    const json = JSON.parse((await run([...args, ...chosen, '--json'])).stdout) as {
      rules: unknown;
      evaluationErrors: number;
    };
    expect(json.rules).toEqual({
      selection: 'level >= high; status stable, test; tags attack.credential_access',
      selected: 2,
      leftOut: { level: 1, status: 1, tags: 1 },
      invalidSkipped: [],
    });
    expect(json.evaluationErrors).toBe(0);
  });

  it('rules check takes the same flags and exclusions', async () => {
    const { status, stdout } = await run([
      'rules',
      'check',
      path.join(dir, 'rules'),
      '--tags',
      '!attack.discovery',
      '--status',
      '!experimental',
    ]);
    expect(status).toBe(0);
    expect(stdout.split('\n')[1]).toBe(
      'rules: 3 selected (status !experimental; tags !attack.discovery), 2 left out (1 by status, 1 by tags)',
    );
  });
});

describe('the process (spawned cli/main.ts)', () => {
  it('exits 2 on a user error with one line and a pointer', () => {
    const { status, stderr } = spawnCli(['replay', 'events', '--mode', 'sometimes']);
    expect(status).toBe(2);
    expect(stderr).toMatch(
      /^hookstream: option '--mode <mode>' argument 'sometimes' is invalid.*\n\(see 'hookstream replay --help'\)\n$/,
    );
  });

  it('exits 1 when rules check finds a rule that does not compile', () => {
    const { status, stdout } = spawnCli(['rules', 'check', path.join(dir, 'bad-rules')]);
    expect(status).toBe(1);
    expect(stdout).toMatch(/rejected .*service\.yml: unknown logsource service: no-such-service/);
  });
});
