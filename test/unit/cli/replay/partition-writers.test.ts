/**
 * Output written as streams: one gzip file per partition, partitions in order; alerts with the late (correlation)
 * alerts after the base alerts of their partition.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LineWriter } from '../../../../cli/replay/event-runs.js';
import { AlertWriter, PartitionOrderError, PartitionWriter } from '../../../../cli/replay/partition-writers.js';

async function lines(file: string): Promise<string[]> {
  return gunzipSync(await readFile(file))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

describe('PartitionWriter', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-partitions-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('a file that cannot be written fails the write or the close (writes do not wait for each other)', async () => {
    // The partition's file name is taken by a folder: the file stream fails while no write awaits it.
    const writer = new PartitionWriter(path.join(folder, 'events'), 'replay');
    await mkdir(writer.fileOf('dt=2020-10-22/hour=05'), { recursive: true });
    const attempt = async () => {
      for (let n = 0; n < 20_000; n++) await writer.write('dt=2020-10-22/hour=05', `{"n":${n}}`);
      await writer.close();
    };
    await expect(attempt()).rejects.toThrow(/EISDIR/);
    writer.destroy();
    const lineWriter = new LineWriter(path.join(folder, 'events'));
    await expect(
      (async () => {
        await lineWriter.write('{"n":1}');
        await lineWriter.close();
      })(),
    ).rejects.toThrow(/EISDIR/);
    lineWriter.destroy();
  });

  it('writes the bytes the joined lines encode to: multi-byte and lone surrogates, lines longer than a batch', async () => {
    // Prepare: lines that fill batches unevenly, two-byte text, emoji, lone surrogates (U+FFFD in UTF-8), and lines
    // longer than a whole batch (256 KiB) between short ones.
    const many: string[] = [];
    for (let n = 0; n < 3_000; n++) {
      if (n % 500 === 7) many.push(`{"long":"${'é😀'.repeat(40_000 + n)}"}`);
      else if (n % 3 === 0) many.push(JSON.stringify({ n, text: 'Ünïcødé 😀 \ud800 x \udfff'.repeat(1 + (n % 50)) }));
      else many.push(JSON.stringify({ n, pad: 'x'.repeat(n % 300) }));
    }
    const writer = new PartitionWriter(path.join(folder, 'events'), 'replay');
    // Act
    for (const line of many) await writer.write('dt=2020-10-22/hour=05', line);
    await writer.close();
    // Assess: byte for byte what one string of all the lines encodes to.
    const written = gunzipSync(await readFile(path.join(folder, 'events/dt=2020-10-22/hour=05/replay.json.gz')));
    expect(written.equals(Buffer.from(`${many.join('\n')}\n`))).toBe(true);
  });

  it('a run file (LineWriter) holds the bytes the joined lines encode to, lines longer than a batch too', async () => {
    // Prepare: lines across many 64 KiB batches, multi-byte text, and lines longer than a batch between short ones.
    const many: string[] = [];
    for (let n = 0; n < 3_000; n++) {
      if (n % 400 === 3) many.push(JSON.stringify([n, 'ä😀'.repeat(12_000 + n)]));
      else many.push(JSON.stringify([n, 0, n, { text: 'Ünïcødé 😀 \ud800'.repeat(n % 40), pad: 'x'.repeat(n % 200) }]));
    }
    const file = path.join(folder, 'run-0.jsonl');
    const writer = new LineWriter(file);
    // Act
    for (const line of many) await writer.write(line);
    await writer.close();
    // Assess
    expect((await readFile(file)).equals(Buffer.from(`${many.join('\n')}\n`))).toBe(true);
  });

  it('writes each partition as one gzip file of its lines, in order', async () => {
    const writer = new PartitionWriter(path.join(folder, 'events'), 'replay');
    // Enough lines to cross the write batch several times.
    const many = Array.from({ length: 20_000 }, (_, n) => JSON.stringify({ n, pad: 'x'.repeat(20) }));
    for (const line of many) await writer.write('dt=2020-10-22/hour=05', line);
    await writer.write('dt=2020-10-22/hour=06', '{"last":true}');
    await writer.close();
    expect(writer.partitions).toEqual(['dt=2020-10-22/hour=05', 'dt=2020-10-22/hour=06']);
    expect(await lines(path.join(folder, 'events/dt=2020-10-22/hour=05/replay.json.gz'))).toEqual(many);
    expect(await lines(path.join(folder, 'events/dt=2020-10-22/hour=06/replay.json.gz'))).toEqual(['{"last":true}']);
  });

  it('files still closing while the next partitions are written all hold their lines', async () => {
    // Prepare: ten partitions, each enough lines to keep its gzip stream busy when the writer moves on.
    const writer = new PartitionWriter(path.join(folder, 'events'), 'replay');
    const partitions = Array.from({ length: 10 }, (_, h) => `dt=2020-10-22/hour=${String(h).padStart(2, '0')}`);
    const linesOf = (h: number) =>
      Array.from({ length: 5_000 }, (_, n) => JSON.stringify({ h, n, r: (n * 7919) % 997 }));
    // Act
    for (const [h, partition] of partitions.entries())
      for (const line of linesOf(h)) await writer.write(partition, line);
    await writer.close();
    // Assess: every file is whole once close() resolves.
    expect(writer.partitions).toEqual(partitions);
    for (const [h, partition] of partitions.entries())
      expect(await lines(path.join(folder, 'events', partition, 'replay.json.gz'))).toEqual(linesOf(h));
  });

  it('a file that fails after the writer moved on to other partitions fails a later write or the close', async () => {
    // Prepare: the first partition's file name is taken by a folder; a few lines each, so no write waits for it.
    const writer = new PartitionWriter(path.join(folder, 'events'), 'replay');
    await mkdir(writer.fileOf('dt=2020-10-22/hour=00'), { recursive: true });
    const attempt = async () => {
      for (let h = 0; h < 6; h++) await writer.write(`dt=2020-10-22/hour=0${h}`, `{"h":${h}}`);
      await writer.close();
    };
    // Act, Assess
    await expect(attempt()).rejects.toThrow(/EISDIR/);
    writer.destroy();
  });

  it('writes the same bytes for the same lines (no timestamp in the gzip header)', async () => {
    const write = async (area: string) => {
      const writer = new PartitionWriter(path.join(folder, area), 'replay');
      for (let n = 0; n < 100; n++) await writer.write('dt=2020-10-22/hour=05', `{"n":${n}}`);
      await writer.close();
      return readFile(path.join(folder, area, 'dt=2020-10-22/hour=05/replay.json.gz'));
    };
    const first = await write('a');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await write('b')).equals(first)).toBe(true);
  });

  it('refuses a partition written again after another one', async () => {
    const writer = new PartitionWriter(folder, 'replay');
    await writer.write('dt=2020-10-22/hour=05', '{}');
    await writer.write('dt=2020-10-22/hour=06', '{}');
    await expect(writer.write('dt=2020-10-22/hour=05', '{}')).rejects.toBeInstanceOf(PartitionOrderError);
    writer.destroy();
  });
});

describe('AlertWriter', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-alerts-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('puts each partition’s late alerts after its base alerts, and writes partitions with late alerts only', async () => {
    const alerts = new AlertWriter(path.join(folder, 'alerts'), 'replay', path.join(folder, 'scratch'));
    await alerts.write('dt=2020-10-22/hour=05', '{"base":1}');
    await alerts.write('dt=2020-10-22/hour=05', '{"base":2}');
    await alerts.write('dt=2020-10-22/hour=07', '{"base":3}');
    alerts.addLate('dt=2020-10-22/hour=06', '{"late":1}');
    alerts.addLate('dt=2020-10-22/hour=05', '{"late":2}');
    const files = await alerts.finish();
    expect(files).toBe(3);
    const at = (hour: string) => path.join(folder, `alerts/dt=2020-10-22/hour=${hour}/replay.json.gz`);
    expect(await lines(at('05'))).toEqual(['{"base":1}', '{"base":2}', '{"late":2}']);
    expect(await lines(at('06'))).toEqual(['{"late":1}']);
    expect(await lines(at('07'))).toEqual(['{"base":3}']);
    // The scratch copies of the base alerts are gone.
    expect(
      (await readdir(path.join(folder, 'scratch'), { recursive: true })).filter((f) => f.endsWith('.jsonl')),
    ).toEqual([]);
  });
});
