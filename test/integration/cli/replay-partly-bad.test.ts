/**
 * `replay` (runReplay, the command's public function) on files of good lines with bad lines between them: no good
 * line is lost, each bad line is rejected alone with its exact original bytes, and the counts add up.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { gzip, joinLines, mixedLines } from '../../unit/events/factories.js';

async function readLines(root: string, area: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(path.join(root, area), { recursive: true })).filter((file) => file.endsWith('.json.gz'));
  const lines: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(path.join(root, area, file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
  }
  return lines;
}

const sorted = (items: readonly string[]) => [...items].sort();

/** Every file under `root` but the output marker, by relative path, as raw bytes (hex): the whole tree, exactly. */
async function tree(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const file = path.relative(root, path.join(entry.parentPath, entry.name));
    if (entry.name.startsWith('.')) continue;
    files[file] = (await readFile(path.join(root, file))).toString('hex');
  }
  return files;
}

describe('replay of partly bad input', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hookstream-partly-bad-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no good line, rejects each bad line alone with its exact bytes, and counts add up', async () => {
    // Prepare: the same lines as newline-delimited text and inside gzip.
    const lines = mixedLines();
    const inputs = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    await mkdir(inputs);
    await writeFile(path.join(inputs, 'mixed.ndjson'), joinLines(lines));
    await writeFile(path.join(inputs, 'mixed.ndjson.gz'), gzip(joinLines(lines, true)));

    // Act
    const { summary } = await runReplay({ inputs: [inputs], out, enrich: true, enrichment: {}, dedupeFields: [] });

    // Assess
    const good = lines.filter((line) => line.expected.startsWith('event'));
    const bad = lines.filter((line) => line.expected.startsWith('rejected'));
    const events = await readLines(out, 'events');
    const rejected = await readLines(out, 'rejected');
    expect(sorted(events.map((event) => `event:${event.SourcePort}`))).toEqual(
      sorted([...good, ...good].map((line) => line.expected.replace('+invalid', ''))),
    );
    expect(sorted(rejected.map((line) => Buffer.from(String(line.raw_base64), 'base64').toString('hex')))).toEqual(
      sorted([...bad, ...bad].map((line) => Buffer.from(line.bytes).toString('hex'))),
    );
    expect(sorted(rejected.map((line) => `rejected:${line.reason}`))).toEqual(
      sorted([...bad, ...bad].map((line) => line.expected.replace('+invalid', ''))),
    );
    expect(summary).toMatchObject({ read: 2 * lines.length, written: 2 * good.length, rejected: 2 * bad.length });
    expect(summary.read).toBe(summary.written + summary.rejected + summary.filtered);
    expect(summary.trimmed.invalidUtf8).toBe(2 * lines.filter((line) => line.expected.endsWith('+invalid')).length);
  });

  it('writes byte-identical output, rejected/ included, for the same input files: the arrival is their newest mtime', async () => {
    // Prepare: good and bad lines in two files, given fixed modification times (the newer one: 2024-05-06 07:08:09Z).
    const lines = mixedLines();
    const inputs = path.join(dir, 'same');
    await mkdir(inputs);
    await writeFile(path.join(inputs, 'a.ndjson'), joinLines(lines));
    await writeFile(path.join(inputs, 'b.ndjson.gz'), gzip(joinLines(lines, true)));
    const newest = Date.parse('2024-05-06T07:08:09Z');
    await utimes(path.join(inputs, 'a.ndjson'), newest / 1000 - 3600, newest / 1000 - 3600);
    await utimes(path.join(inputs, 'b.ndjson.gz'), newest / 1000, newest / 1000);
    const replay = (out: string) =>
      runReplay({ inputs: [inputs], out, enrich: true, enrichment: {}, dedupeFields: [] });

    // Act: two replays, a second apart so that a clock read during the run would show.
    await replay(path.join(dir, 'first'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await replay(path.join(dir, 'second'));

    // Assess: the same files with the same bytes; every rejected item in the newest mtime's partition.
    const first = await tree(path.join(dir, 'first'));
    expect(await tree(path.join(dir, 'second'))).toEqual(first);
    const rejectedFiles = Object.keys(first).filter((file) => file.startsWith('rejected'));
    expect(rejectedFiles).toEqual([path.join('rejected', 'dt=2024-05-06', 'hour=07', 'replay.json.gz')]);
    const rejected = await readLines(path.join(dir, 'first'), 'rejected');
    expect(rejected.length).toBe(2 * lines.filter((line) => line.expected.startsWith('rejected')).length);
    expect(new Set(rejected.map((line) => line.arrival))).toEqual(new Set(['2024-05-06T07:08:09.000Z']));
  });
});
