/**
 * A line of newline-delimited JSON longer than the limit (record-chunks.ts, MAX_LINE_BYTES), or an element of a
 * top-level JSON array, is rejected in parts of its bytes with its reason, the events around it are replayed as
 * usual, and conservation holds. A small limit
 * here, so the input stays small.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LONG_ELEMENT, LONG_LINE } from '../../../cli/replay/record-chunks.js';
import { runReplay } from '../../../cli/replay/run-replay.js';

function sysmonLine(n: number): string {
  return JSON.stringify({
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: 'HOST-1',
    EventTime: '2020-10-22 05:54:21',
    UtcTime: `2020-10-22 05:54:${String(n % 60).padStart(2, '0')}.520`,
    Image: `C:\\Windows\\p${n}.exe`,
    ProcessGuid: `{${n}}`,
  });
}

async function linesUnder(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const file of (await readdir(dir, { recursive: true })).sort()) {
    if (!file.endsWith('.json.gz')) continue;
    const text = gunzipSync(await readFile(path.join(dir, file))).toString();
    lines.push(...text.split('\n').filter((line) => line.length > 0));
  }
  return lines;
}

describe('replay of a line over the limit', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-long-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['a line of newline-delimited JSON', LONG_LINE, (lines: string[]) => `${lines.join('\n')}\n`],
    ['an element of a top-level array', LONG_ELEMENT, (lines: string[]) => `[\n${lines.join(',\n')}\n]\n`],
  ])('rejects %s in parts of its bytes, in order, and replays the events around it', async (_name, reason, text) => {
    // Prepare: 300 events, then a 100,000-byte one, then 300 more.
    const long = `{"Image": "${'\\u0041'.repeat(16_666)}"}`;
    const lines = [
      ...Array.from({ length: 300 }, (_, n) => sysmonLine(n)),
      long,
      ...Array.from({ length: 300 }, (_, n) => sysmonLine(300 + n)),
    ];
    const file = path.join(root, 'in.json');
    await writeFile(file, text(lines));
    const out = path.join(root, 'out');
    // Act
    const { summary } = await runReplay({
      inputs: [file],
      out,
      rules: [],
      enrich: true,
      enrichment: {},
      dedupeFields: ['host', 'destination'],
      pieceBytes: 8 * 1024,
      maxLineBytes: 16 * 1024,
    });
    // Assert: 600 events written; the line as ceil(100,009 / 16,384) = 7 rejected parts that add up to it.
    expect(Buffer.byteLength(long)).toBe(100_009);
    expect(summary.written).toBe(600);
    expect(summary.rejectedByReason).toEqual({ [reason]: 7 });
    expect(summary.written + summary.rejected + summary.filtered).toBe(summary.read);
    const rejected = (await linesUnder(path.join(out, 'rejected'))).map(
      (line) => JSON.parse(line) as { reason: string; raw_base64: string },
    );
    expect(rejected.map((r) => r.reason)).toEqual(Array(7).fill(reason));
    const parts = rejected.map((r) => Buffer.from(r.raw_base64, 'base64'));
    expect(parts.slice(0, 6).every((part) => part.length === 16 * 1024)).toBe(true);
    expect(Buffer.concat(parts).toString()).toBe(long);
    expect((await linesUnder(path.join(out, 'events'))).length).toBe(600);
  });
});
