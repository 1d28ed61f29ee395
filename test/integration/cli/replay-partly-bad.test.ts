/**
 * `replay` (runReplay, the command's public function) on files of good lines with bad lines between them: no good
 * line is lost, each bad line is rejected alone with its exact original bytes, and the counts add up.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
});
