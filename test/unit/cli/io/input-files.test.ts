/**
 * Inputs as streams: folders walked sorted, zip entries by name (folders left out) read from their own byte
 * range, tar.gz entries as the archive is read (a cut archive gives what it holds), skipped files reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { pack } from 'tar-stream';
import {
  ALREADY_READ,
  readInputs,
  SKIP_REASONS,
  type SkippedInput,
  streamInputs,
} from '../../../../cli/io/input-files.js';
import { OUTPUT_MARKER } from '../../../../cli/io/output-folder.js';
import { listZipEntries } from '../../../../cli/io/zip-entries.js';

async function tarOf(entries: { name: string; body?: string; type?: 'directory' }[]): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    if (entry.type === 'directory') archive.entry({ name: entry.name, type: 'directory' });
    else archive.entry({ name: entry.name }, entry.body ?? '');
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function read(paths: string[]): Promise<{ records: [string, string][]; skipped: SkippedInput[] }> {
  const skipped: SkippedInput[] = [];
  const records: [string, string][] = [];
  for await (const record of readInputs(paths, { onSkipped: (s) => skipped.push(s) }))
    records.push([
      path.basename(record.source.split('!')[0] as string) +
        (record.source.includes('!') ? record.source.slice(record.source.indexOf('!')) : ''),
      Buffer.from(record.data).toString('utf8'),
    ]);
  return { records, skipped };
}

describe('streamInputs and readInputs', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-inputs-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads zip entries by name, stored and deflated, folders left out', async () => {
    const big = 'x'.repeat(300_000);
    const zip = zipSync({
      'b.json': [new TextEncoder().encode(big), { level: 6 }],
      'a.json': [new TextEncoder().encode('{"a":1}'), { level: 0 }],
      'dir/': new Uint8Array(0),
      'dir/c.json': new TextEncoder().encode('{"c":3}'),
    });
    await writeFile(path.join(root, 'in.zip'), zip);
    const { records } = await read([path.join(root, 'in.zip')]);
    expect(records).toEqual([
      ['in.zip!a.json', '{"a":1}'],
      ['in.zip!b.json', big],
      ['in.zip!dir/c.json', '{"c":3}'],
    ]);
    expect((await listZipEntries(path.join(root, 'in.zip'))).map((e) => e.method)).toEqual([0, 8, 8]);
  });

  it('streams a tar.gz entry by entry, skipping folders and counting macOS resource forks', async () => {
    const tar = await tarOf([
      { name: 'logs', type: 'directory' },
      { name: 'logs/one.json', body: '{"one":1}' },
      { name: 'logs/._one.json', body: 'fork' },
      { name: 'logs/two.json', body: '{"two":2}' },
    ]);
    await writeFile(path.join(root, 'in.tar.gz'), gzipSync(tar));
    const { records, skipped } = await read([path.join(root, 'in.tar.gz')]);
    expect(records.map(([source]) => source)).toEqual(['in.tar.gz!logs/one.json', 'in.tar.gz!logs/two.json']);
    expect(records.map(([, body]) => body)).toEqual(['{"one":1}', '{"two":2}']);
    expect(skipped).toEqual([
      { source: `${path.join(root, 'in.tar.gz')}!logs/._one.json`, reason: 'macOS resource fork' },
    ]);
  });

  it('reads entries stored small but inflating large (read at once up to 4 MiB, streamed above), and a stored one over 64 KiB', async () => {
    // Each b.json stores in a few KB; 5 MB of one byte passes the at-once limit, 3 MB does not.
    const five = 'y'.repeat(5_000_000);
    const three = 'z'.repeat(3_000_000);
    const stored = 's'.repeat(100_000);
    const zip = zipSync({
      'five.json': [new TextEncoder().encode(five), { level: 9 }],
      'three.json': [new TextEncoder().encode(three), { level: 9 }],
      'stored.json': [new TextEncoder().encode(stored), { level: 0 }],
    });
    await writeFile(path.join(root, 'in.zip'), zip);
    const sizes = new Map((await listZipEntries(path.join(root, 'in.zip'))).map((e) => [e.name, e.compressedSize]));
    expect([sizes.get('five.json'), sizes.get('three.json')].every((size) => (size as number) < 64 * 1024)).toBe(true);
    expect(sizes.get('stored.json')).toBe(100_000);
    const { records } = await read([path.join(root, 'in.zip')]);
    expect(records).toEqual([
      ['in.zip!five.json', five],
      ['in.zip!stored.json', stored],
      ['in.zip!three.json', three],
    ]);
  });

  it('gives what a tar.gz cut short holds (its end blocks and gzip trailer missing)', async () => {
    const body = '{"n":1}\n'.repeat(2000);
    const tar = await tarOf([{ name: 'one.json', body }]);
    // The entry (header and padded data), flushed, then the archive's end blocks: the file is cut at the flush.
    const entryBytes = 512 + Math.ceil(body.length / 512) * 512;
    const gzip = createGzip();
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.write(tar.subarray(0, entryBytes));
    await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const cutAt = Buffer.concat(out).length;
    gzip.end(tar.subarray(entryBytes));
    await new Promise((resolve) => gzip.on('end', resolve));
    await writeFile(path.join(root, 'cut.tgz'), Buffer.concat(out).subarray(0, cutAt));
    const { records } = await read([path.join(root, 'cut.tgz')]);
    expect(records).toEqual([['cut.tgz!one.json', body]]);
  });

  it('walks folders sorted, reports unsupported files, and tells the total size and the bytes read', async () => {
    await mkdir(path.join(root, 'f/sub'), { recursive: true });
    await writeFile(path.join(root, 'f/b.json'), '{"b":1}');
    await writeFile(path.join(root, 'f/sub/a.ndjson'), '{"a":1}');
    await writeFile(path.join(root, 'f/notes.txt'), 'not an input');
    // The newest read file's mtime is told; the skipped notes.txt, newer still, is not one of them.
    await utimes(path.join(root, 'f/b.json'), 1_700_000_000, 1_700_000_000);
    await utimes(path.join(root, 'f/sub/a.ndjson'), 1_700_000_123.5, 1_700_000_123.5);
    await utimes(path.join(root, 'f/notes.txt'), 1_800_000_000, 1_800_000_000);
    const skipped: SkippedInput[] = [];
    let listed = 0;
    let newest: number | undefined;
    let bytes = 0;
    const sources: string[] = [];
    for await (const input of streamInputs([path.join(root, 'f')], {
      onSkipped: (s) => skipped.push(s),
      onListed: (_files, total, newestModified) => {
        listed = total;
        newest = newestModified;
      },
      onBytes: (n) => {
        bytes += n;
      },
    })) {
      sources.push(path.relative(root, input.source));
      for await (const _ of input.chunks);
    }
    expect(sources).toEqual(['f/b.json', 'f/sub/a.ndjson']);
    expect(skipped.map((s) => path.basename(s.source))).toEqual(['notes.txt']);
    expect(listed).toBe(14);
    expect(bytes).toBe(14);
    expect(newest).toBe(1_700_000_123_500);
  });

  it('follows symbolic links, reads each file once, and reports pipes, broken links, loops and output folders', async () => {
    // Prepare: a case folder with a link to a file outside it, a link to a folder outside it, a link to itself (a
    // loop), a broken link, a named pipe, an earlier output folder (marked) and a link to a file it already holds.
    const outside = path.join(root, 'outside');
    const kase = path.join(root, 'case');
    await mkdir(path.join(outside, 'more'), { recursive: true });
    await mkdir(path.join(kase, 'out1'), { recursive: true });
    await writeFile(path.join(outside, 'linked.json'), '{"linked":1}');
    await writeFile(path.join(outside, 'more', 'deep.json'), '{"deep":1}');
    await writeFile(path.join(kase, 'a.json'), '{"a":1}');
    await writeFile(path.join(kase, 'out1', OUTPUT_MARKER), '{}');
    await writeFile(path.join(kase, 'out1', 'replay.json.gz'), gzipSync('{"written":1}'));
    await symlink(path.join(outside, 'linked.json'), path.join(kase, 'b-link.json'));
    await symlink(path.join(outside, 'more'), path.join(kase, 'c-more'));
    await symlink(kase, path.join(kase, 'd-loop'));
    await symlink(path.join(root, 'nowhere.json'), path.join(kase, 'e-broken.json'));
    await symlink(path.join(kase, 'a.json'), path.join(kase, 'f-again.json'));
    execFileSync('mkfifo', [path.join(kase, 'g-pipe.json')]);

    // Act: the folder, and one of its files named again.
    const { records, skipped } = await read([kase, path.join(kase, 'a.json')]);

    // Assess: nothing read twice, nothing hanging on the pipe, every entry not read told with its reason.
    expect(records).toEqual([
      ['a.json', '{"a":1}'],
      ['b-link.json', '{"linked":1}'],
      ['deep.json', '{"deep":1}'],
    ]);
    expect(skipped.map((s) => [path.relative(root, s.source), s.reason])).toEqual([
      ['case/d-loop', SKIP_REASONS.folderAgain],
      ['case/e-broken.json', SKIP_REASONS.brokenLink],
      ['case/g-pipe.json', SKIP_REASONS.notRegular],
      ['case/out1', SKIP_REASONS.outputFolder],
      ['case/f-again.json', ALREADY_READ],
      ['case/a.json', ALREADY_READ],
    ]);
  });

  it('reports a file named .zip that is not one as not read, with the reason, and reads the next file', async () => {
    await writeFile(path.join(root, 'fake.zip'), 'not a zip');
    await writeFile(path.join(root, 'good.json'), '{"a":1}');
    const { records, skipped } = await read([path.join(root, 'fake.zip'), path.join(root, 'good.json')]);
    expect(skipped).toEqual([
      { source: path.join(root, 'fake.zip'), reason: 'zip unreadable: no end of central directory record' },
    ]);
    expect(records).toEqual([['good.json', '{"a":1}']]);
  });
});
