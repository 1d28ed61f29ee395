/**
 * A damaged archive in a responder's folder is rejected (the entry, or the rest of the archive, with its reason
 * and its stored bytes when small) and every other file is still replayed: before, one damaged zip entry stopped
 * the whole replay with a usage error and nothing was written.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { runReplay } from '../../../cli/replay/run-replay.js';

function lines(from: number, count: number): string {
  return `${Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      SourceName: 'Microsoft-Windows-Sysmon',
      Hostname: 'HOST-1',
      EventTime: '2020-10-22 05:54:21',
      UtcTime: `2020-10-22 05:54:${String((from + i) % 60).padStart(2, '0')}.520`,
      Image: `C:\\Windows\\p${from + i}.exe`,
      CommandLine: `p${from + i}.exe --flag ${'x'.repeat(from + i)}`,
    }),
  ).join('\n')}\n`;
}

async function tarOf(entries: [string, string][]): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk) => parts.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, body] of entries) archive.entry({ name }, body);
  archive.finalize();
  await ended;
  return Buffer.concat(parts);
}

async function rejectedLines(out: string): Promise<{ reason: string; origin: string; raw: Buffer }[]> {
  const dir = path.join(out, 'rejected');
  const found: { reason: string; origin: string; raw: Buffer }[] = [];
  for (const file of (await readdir(dir, { recursive: true })).sort()) {
    if (!file.endsWith('.json.gz')) continue;
    for (const line of gunzipSync(await readFile(path.join(dir, file)))
      .toString()
      .split('\n')) {
      if (line.length === 0) continue;
      const r = JSON.parse(line) as { reason: string; origin: string; raw_base64: string };
      found.push({ reason: r.reason, origin: r.origin, raw: Buffer.from(r.raw_base64, 'base64') });
    }
  }
  return found;
}

describe('replay of a folder holding damaged archives', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-replay-damaged-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('rejects a damaged, an encrypted and an unreadable zip entry, and a broken tar.gz, and reads the rest', async () => {
    // Prepare: a zip whose first entry's deflate data is overwritten, whose second is good and whose third says
    // it is encrypted; a "zip" that is text; a tar.gz whose compressed data is damaged after its first entry; a
    // plain file.
    const folder = path.join(root, 'in');
    await mkdir(folder);
    const zip = zipSync(
      {
        'a.json': new TextEncoder().encode(lines(0, 40)),
        'b.json': new TextEncoder().encode(lines(100, 20)),
        'c.json': new TextEncoder().encode(lines(200, 5)),
      },
      { level: 6 },
    );
    const aStart = 30 + 'a.json'.length;
    zip.fill(0xff, aStart + 4, aStart + 24);
    // The encrypted flag (bit 0) of c.json in the central directory.
    const central = Buffer.from(zip).lastIndexOf(Buffer.from('PK\x01\x02c.json'.slice(0, 4), 'latin1'));
    zip[central + 8] = (zip[central + 8] as number) | 1;
    await writeFile(path.join(folder, 'archive.zip'), zip);
    const storedA = Buffer.from(
      zip.subarray(aStart, Buffer.from(zip).indexOf(Buffer.from('PK\x03\x04', 'latin1'), aStart)),
    );
    await writeFile(path.join(folder, 'text.zip'), 'this is not a zip\n');
    const tar = await tarOf([
      ['one.json', lines(300, 30)],
      ['two.json', lines(400, 3000)],
    ]);
    const gz = gzipSync(tar);
    // Damage well after the first entry's bytes (zlib drops the output of the write that fails: up to 256 KiB).
    gz.fill(0xff, Math.floor((gz.length * 3) / 4), Math.floor((gz.length * 3) / 4) + 64);
    await writeFile(path.join(folder, 'logs.tar.gz'), gz);
    await writeFile(path.join(folder, 'plain.json'), lines(500, 7));
    // Act
    const out = path.join(root, 'out');
    const { summary } = await runReplay({
      inputs: [folder],
      out,
      rules: [],
      enrich: true,
      enrichment: {},
      dedupeFields: ['host', 'destination'],
    });
    // Assert: b.json (20), the tar's first entry (30) and plain.json (7) are written; the rest is rejected.
    const rejected = await rejectedLines(out);
    const byOrigin = new Map(rejected.map((r) => [path.basename(r.origin), r]));
    expect(byOrigin.get('archive.zip!a.json')?.reason).toMatch(/^zip entry damaged: /);
    expect(byOrigin.get('archive.zip!a.json')?.raw.equals(storedA)).toBe(true);
    expect(byOrigin.get('archive.zip!c.json')?.reason).toBe('zip entry is encrypted');
    expect(byOrigin.get('text.zip')?.reason).toBe('zip unreadable: no end of central directory record');
    expect(byOrigin.get('text.zip')?.raw.toString()).toBe('this is not a zip\n');
    const tarRejection = rejected.find((r) => r.origin.includes('logs.tar.gz'));
    expect(tarRejection?.reason).toMatch(/^tar\.gz damaged: .*the rest of the archive is not read/);
    expect(summary.written).toBeGreaterThanOrEqual(20 + 30 + 7);
    expect(summary.written + summary.rejected + summary.filtered).toBe(summary.read);
    expect(rejected.length).toBe(summary.rejected);
  });
});
