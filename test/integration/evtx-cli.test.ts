/**
 * .evtx files through the CLI's inputs: folders read them, every file not read is counted, replay decodes them,
 * send re-encodes their events one record each (evtx-json by default).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { pack } from 'tar-stream';
import { readInputs, type SkippedInput } from '../../cli/io/input-files.js';
import { formatSummary } from '../../cli/replay/format-summary.js';
import { runReplay } from '../../cli/replay/run-replay.js';
import { splitRecords } from '../../cli/send/split-records.js';
import { readRecord } from '../../src/events/read-record.js';
import { EvtxWriter, eventRecord, eventTemplate, string, systemValues } from '../unit/events/evtx/evtx-writer.js';

function evtxFile(count: number): Uint8Array {
  const writer = new EvtxWriter();
  for (let i = 1; i <= count; i++) {
    writer.record((w) =>
      eventRecord(w, eventTemplate(['CommandLine']), [...systemValues(1, BigInt(i)), string(`cmd ${i}`)]),
    );
  }
  return writer.file();
}

async function tarGz(entries: Record<string, string>): Promise<Uint8Array> {
  const tar = pack();
  for (const [name, text] of Object.entries(entries)) tar.entry({ name }, text);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const EVENT_JSON = JSON.stringify({
  Event: {
    System: {
      Provider: { Name: 'P' },
      EventID: 1,
      TimeCreated: { SystemTime: '2024-01-01T00:00:00Z' },
      Channel: 'Application',
      Computer: 'h',
    },
    EventData: { A: 'b' },
  },
});

describe('.evtx files among the inputs', () => {
  let folder: string;
  let out: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-evtx-'));
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-evtx-out-'));
    await mkdir(path.join(folder, 'logs'));
    await writeFile(path.join(folder, 'logs', 'Security.evtx'), evtxFile(3));
    await writeFile(path.join(folder, 'one.json'), EVENT_JSON);
    await writeFile(path.join(folder, 'notes.txt'), 'not an input');
    await writeFile(path.join(folder, '.DS_Store'), 'finder');
    await writeFile(path.join(folder, 'archive.tar.gz'), await tarGz({ 'x.json': EVENT_JSON, '._x.json': 'fork' }));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it('reads .evtx in folders and reports every file it does not read', async () => {
    const skipped: SkippedInput[] = [];
    const sources: string[] = [];
    for await (const input of readInputs([folder], { onSkipped: (s) => skipped.push(s) })) {
      sources.push(path.relative(folder, input.source));
    }
    expect(sources).toEqual(['archive.tar.gz!x.json', path.join('logs', 'Security.evtx'), 'one.json']);
    expect(skipped.map((s) => [path.relative(folder, s.source), s.reason.split(' (')[0]])).toEqual([
      ['.DS_Store', 'not a supported extension'],
      ['notes.txt', 'not a supported extension'],
      ['archive.tar.gz!._x.json', 'macOS resource fork'],
    ]);
  });

  it('replay decodes the .evtx and counts the skipped files in its summary', async () => {
    const result = await runReplay({ inputs: [folder], out, enrich: false, enrichment: {}, dedupeFields: [] });
    expect(result.summary).toMatchObject({ read: 5, written: 5, rejected: 0, skippedInputs: 3 });
    expect(result.summary.byFormat).toEqual({ 'evtx-json': 5 });
    expect(formatSummary(result.summary)).toContain('input files skipped: 3');
  });

  it('rejects a file with the EVTX signature that cannot be read, with a reason', () => {
    const broken = evtxFile(1).slice(0, 1000);
    expect(readRecord(broken).map((o) => (o.kind === 'rejected' ? o.reason : o.kind))).toEqual([
      'EVTX file header truncated',
    ]);
  });
});

describe('send with .evtx files', () => {
  const input = { source: 'Security.evtx', data: evtxFile(4) };
  const events = readRecord(input.data).flatMap((o) => (o.kind === 'event' ? [o.event] : []));

  it('sends each event as its own evtx-json record by default, which reads back as the same event', () => {
    const split = splitRecords(input);
    expect(split.skipped).toEqual([]);
    expect(split.records.map((r) => [r.source, r.host])).toEqual(
      [1, 2, 3, 4].map((n) => [`Security.evtx#${n}`, 'host-1']),
    );
    const back = split.records.flatMap((r) => readRecord(r.data).flatMap((o) => (o.kind === 'event' ? [o.event] : [])));
    expect(back).toEqual(events);
  });

  it('re-encodes as the format asked for', () => {
    const split = splitRecords(input, 'winlogbeat');
    expect(split.records).toHaveLength(4);
    const back = split.records.flatMap((r) => readRecord(r.data).flatMap((o) => (o.kind === 'event' ? [o.event] : [])));
    expect(back.map((e) => [e.format, e.data.CommandLine])).toEqual(
      [1, 2, 3, 4].map((n) => ['winlogbeat', `cmd ${n}`]),
    );
  });
});
