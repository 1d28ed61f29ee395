/**
 * EVTX decoding beside JSON.parse of the same events as evtx_dump JSON (issue 13's target: at least as fast).
 *
 * Two sets, built from SigmaHQ's regression .evtx files (and any `--evtx <file>` given, measured on its own):
 * - "regression files": the 202 files as they are. Each holds one chunk with one or two records, so every record
 *   pays for its chunk (header, checksum, string and template tables): the worst case per record.
 * - "filled-chunk log": one 13 MiB log of the same chunks, each filled with copies of its first record (record id
 *   and times moved on, template referred to by offset as Windows writes later records), about 52 records a
 *   chunk as in a real log. Built in memory; every copy is checked to decode to the shape of its original. Its
 *   copies repeat every string and GUID of their original: the best case for the reader's value cache.
 * - "filled-chunk log, distinct strings": the same, each copy's string values and GUIDs made its own (one
 *   character, two bytes): no value repeats between copies, the cache's worst case. A real log lies between.
 * The JSON side is the reader's own documents as compact JSON lines (`evtx_dump -o jsonl`'s form): the
 * regression test checks these documents equal the evtx_dump .json beside each .evtx, field for field. The
 * native side starts from the file's bytes, JSON.parse from strings already decoded (its cheapest start); both
 * keep what they produce until the pass ends. Passes alternate native / JSON.parse / both to canonical events,
 * each repeated to last at least ~50 ms; the figures are medians of {@link PASSES} passes after warm-up, by
 * wall clock and by process CPU time (steadier on a shared machine). The repeats are counted after each run has
 * been repeated for {@link WARM_MS}: a JavaScript reader's first runs in a process are V8 compiling it (the first
 * run of the regression files costs 20-40 times a warm one), so counting them on the first run made one repeat a
 * pass there, and the figure measured the JIT's warm-up. The first timed run's CPU time is shown on its own (each
 * set is read once before, untimed, for its JSON lines).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from '../src/events/evtx/crc32.js';
import { readEvtx } from '../src/events/evtx/index.js';
import { readRecord } from '../src/events/read-record.js';
import { SIGMA_ROOT } from './detection.js';
import { type Figure, formatRate, printFigures } from './measure.js';

const PASSES = 9;
const WARM_UP = 2;
const MIN_PASS_MS = 50;
/** Each run is repeated for this long before its repeats are counted (see the module comment). */
const WARM_MS = 300;
const WHOLE_FILE = { documents: Number.POSITIVE_INFINITY, decompressedBytes: 2 * 1024 ** 3 };
const FILE_HEADER = 4096;
const CHUNK = 65536;

function listEvtx(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.evtx'))
      .map((name) => path.join(dir, name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A record's Binary XML `chunk[pos, end)` (a fragment holding one template instance, as records and their Binary
 * XML values are) rewritten for a copy placed later in the same chunk: each inline template definition becomes a
 * reference to the original's, values are copied (Binary XML ones rewritten alike) and, at the top level, 64-bit
 * integers and FILETIMEs move on by `copy` (the record id and times of a later event). `distinct` (a copy number,
 * 0 for none): every string value (its last character) and GUID (its first two bytes) is made that copy's own, at
 * every level, so that no value repeats between copies (the worst case for the reader's value cache). Undefined for
 * another shape.
 */
function rewriteFragment(
  chunk: Uint8Array,
  pos: number,
  end: number,
  copy: number,
  distinct: number,
): number[] | undefined {
  if (pos + 18 > end || chunk[pos] !== 0x0f || chunk[pos + 4] !== 0x0c) return undefined;
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const out = [...chunk.subarray(pos, pos + 14)];
  let p = pos + 14;
  if (view.getUint32(pos + 10, true) === p) p += 24 + view.getUint32(p + 20, true);
  if (p + 4 > end) return undefined;
  const count = view.getUint32(p, true);
  out.push(...chunk.subarray(p, p + 4));
  const descriptors = p + 4;
  p = descriptors + 4 * count;
  const values: number[][] = [];
  for (let i = 0; i < count; i++) {
    const size = view.getUint16(descriptors + 4 * i, true);
    const type = chunk[descriptors + 4 * i + 2] as number;
    if (p + size > end) return undefined;
    let value: number[] | undefined = [...chunk.subarray(p, p + size)];
    if (type === 0x21 && size > 0) value = rewriteFragment(chunk, p, p + size, 0, distinct);
    if (value === undefined || value.length > 0xffff) return undefined;
    if (distinct > 0 && type === 0x01) {
      let unit = (value.length >> 1) - 1;
      while (unit >= 0 && value[2 * unit] === 0 && value[2 * unit + 1] === 0) unit--;
      if (unit >= 0) {
        // A CJK character by copy number: unique among a chunk's copies, never a NUL or a space.
        value[2 * unit] = (0x4e00 + distinct) & 0xff;
        value[2 * unit + 1] = (0x4e00 + distinct) >> 8;
      }
    }
    if (distinct > 0 && type === 0x0f && size === 16) {
      value[0] = distinct & 0xff;
      value[1] = (distinct >> 8) & 0xff;
    }
    if (copy > 0 && size === 8 && (type === 0x0a || type === 0x11)) {
      const moved = new Uint8Array(8);
      const step = type === 0x11 ? 1_234_567n : 1n;
      new DataView(moved.buffer).setBigUint64(0, view.getBigUint64(p, true) + BigInt(copy) * step, true);
      value = [...moved];
    }
    values.push(value);
    p += size;
  }
  values.forEach((value, i) => {
    out.push(
      value.length & 0xff,
      value.length >> 8,
      chunk[descriptors + 4 * i + 2] ?? 0,
      chunk[descriptors + 4 * i + 3] ?? 0,
    );
  });
  for (const value of values) out.push(...value);
  out.push(...chunk.subarray(p, end));
  return out;
}

/**
 * The chunk of a one-chunk file filled with copies of its first record (checksums set), or undefined. `distinct`:
 * each copy's strings and GUIDs its own (see rewriteFragment).
 */
function filledChunk(file: Uint8Array, distinct: boolean): Uint8Array | undefined {
  if (file.length < FILE_HEADER + CHUNK) return undefined;
  const chunk = file.slice(FILE_HEADER, FILE_HEADER + CHUNK);
  const view = new DataView(chunk.buffer);
  const first = 512;
  if (chunk[first] !== 0x2a || chunk[first + 1] !== 0x2a) return undefined;
  const size = view.getUint32(first + 4, true);
  let lastNumber = view.getBigUint64(16, true);
  let lastId = view.getBigUint64(32, true);
  let lastAt = view.getUint32(44, true);
  let at = view.getUint32(48, true);
  for (let copy = 1; ; copy++) {
    const xml = rewriteFragment(chunk, first + 24, first + size - 4, copy, distinct ? copy : 0);
    if (xml === undefined) return undefined;
    const copySize = 24 + xml.length + 4;
    if (at + copySize > CHUNK) break;
    lastNumber++;
    lastId++;
    chunk.set(chunk.subarray(first, first + 24), at);
    view.setUint32(at + 4, copySize, true);
    view.setBigUint64(at + 8, lastId, true);
    view.setBigUint64(at + 16, view.getBigUint64(first + 16, true) + BigInt(copy) * 1_234_567n, true);
    chunk.set(xml, at + 24);
    view.setUint32(at + copySize - 4, copySize, true);
    lastAt = at;
    at += copySize;
  }
  view.setBigUint64(16, lastNumber, true);
  view.setBigUint64(32, lastId, true);
  view.setUint32(44, lastAt, true);
  view.setUint32(48, at, true);
  view.setUint32(52, crc32(chunk, 512, at), true);
  view.setUint32(124, crc32(chunk, 128, 512, crc32(chunk, 0, 120)), true);
  return chunk;
}

/** A value's shape: its keys and types, not its values. */
function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) return value.map(shape);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
}

/** One log of the filled chunks of the files; a chunk whose copies do not all decode to its first record's shape is left out. */
function filledLog(files: readonly Uint8Array[], distinct = false): { log: Uint8Array; chunks: number } {
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    const chunk = filledChunk(file, distinct);
    if (chunk === undefined) continue;
    const alone = new Uint8Array(FILE_HEADER + CHUNK);
    alone.set(file.subarray(0, FILE_HEADER));
    alone.set(chunk, FILE_HEADER);
    const records = readEvtx(alone);
    const first = records[0]?.ok ? JSON.stringify(shape(records[0].document)) : undefined;
    if (records.length < 2 || !records.every((r) => r.ok && JSON.stringify(shape(r.document)) === first)) continue;
    chunks.push(chunk);
  }
  const log = new Uint8Array(FILE_HEADER + CHUNK * chunks.length);
  if (files[0] !== undefined) log.set(files[0].subarray(0, FILE_HEADER));
  for (const [i, chunk] of chunks.entries()) log.set(chunk, FILE_HEADER + i * CHUNK);
  // The file header: last chunk number, chunk count, checksum (the reader needs none of them; other tools may).
  const header = new DataView(log.buffer);
  header.setBigUint64(16, BigInt(Math.max(chunks.length - 1, 0)), true);
  header.setUint16(42, chunks.length, true);
  header.setUint32(124, crc32(log, 0, 120), true);
  return { log, chunks: chunks.length };
}

interface Timing {
  wall: number[];
  cpu: number[];
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/**
 * Runs the `runs` in turn, pass after pass (each repeated `repeats[i]` times), keeping each pass's times in ms.
 * `first`: each run's first CPU time (ms), before any warm-up.
 */
function alternate(runs: ReadonlyArray<() => number>): { timings: Timing[]; repeats: number[]; first: number[] } {
  const first: number[] = [];
  const repeats = runs.map((run) => {
    const cpu = cpuMs();
    run();
    first.push(cpuMs() - cpu);
    // Repeated until warm, then counted on the last run (see WARM_MS).
    const until = performance.now() + WARM_MS;
    let last: number;
    do {
      const start = performance.now();
      run();
      last = performance.now() - start;
    } while (performance.now() < until);
    return Math.max(1, Math.ceil(MIN_PASS_MS / Math.max(last, 0.01)));
  });
  const timings = runs.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  let sink = 0;
  for (let pass = 0; pass < WARM_UP + PASSES; pass++) {
    runs.forEach((run, i) => {
      const wall = performance.now();
      const cpu = cpuMs();
      for (let r = 0; r < (repeats[i] as number); r++) sink += run();
      if (pass < WARM_UP) return;
      (timings[i] as Timing).wall.push((performance.now() - wall) / (repeats[i] as number));
      (timings[i] as Timing).cpu.push((cpuMs() - cpu) / (repeats[i] as number));
    });
  }
  if (sink < 0) throw new Error('unreachable: keeps the work from being optimised away');
  return { timings, repeats, first };
}

function measureSet(label: string, evtx: readonly Uint8Array[], note: string): Figure[] {
  const lines: string[] = [];
  for (const bytes of evtx) {
    for (const record of readEvtx(bytes)) if (record.ok) lines.push(JSON.stringify(record.document));
  }
  const ndjson = new TextEncoder().encode(lines.join('\n'));
  const bytes = evtx.reduce((sum, file) => sum + file.length, 0);
  const { timings, first } = alternate([
    () => {
      let n = 0;
      for (const file of evtx) n += readEvtx(file).length;
      return n;
    },
    // The documents are kept, as the reader keeps its outcomes: a baseline that drops each at once costs less GC.
    () => {
      const kept: unknown[] = [];
      for (const line of lines) kept.push(JSON.parse(line));
      return kept.length;
    },
    () => {
      let n = 0;
      for (const file of evtx) n += readRecord(file, WHOLE_FILE).length;
      return n;
    },
    () => readRecord(ndjson, WHOLE_FILE).length,
  ]);
  const [native, parse, nativeEvents, jsonEvents] = timings as [Timing, Timing, Timing, Timing];
  const rate = (t: Timing) =>
    `${formatRate((lines.length * 1000) / median(t.wall))} (${median(t.wall).toFixed(1)} ms; CPU ${median(t.cpu).toFixed(1)} ms)`;
  const ratio = (a: Timing, b: Timing) =>
    `${(median(b.wall) / median(a.wall)).toFixed(2)}x by wall clock, ${(median(b.cpu) / median(a.cpu)).toFixed(2)}x by CPU time`;
  return [
    {
      name: `${label}: input`,
      value: `${evtx.length} file(s), ${lines.length} records, ${(bytes / 1024 ** 2).toFixed(1)} MiB EVTX, ${(ndjson.length / 1024 ** 2).toFixed(1)} MiB as JSON lines${note}`,
    },
    { name: `${label}: EVTX -> documents (native reader)`, value: rate(native) },
    {
      name: `${label}: first timed run, CPU (after the untimed read for its JSON lines)`,
      value: `${(first[0] as number).toFixed(1)} ms (JSON.parse: ${(first[1] as number).toFixed(1)} ms)`,
    },
    { name: `${label}: JSON.parse of the same documents`, value: rate(parse) },
    { name: `${label}: ratio, native / JSON.parse`, value: ratio(native, parse) },
    { name: `${label}: EVTX -> canonical events (readRecord)`, value: rate(nativeEvents) },
    { name: `${label}: JSON lines -> canonical events (readRecord)`, value: rate(jsonEvents) },
    { name: `${label}: ratio, EVTX / JSON lines to events`, value: ratio(nativeEvents, jsonEvents) },
  ];
}

/** The filled-chunk log (for checking it with other readers). */
export function filledRegressionLog(distinct = false): Uint8Array {
  const files = listEvtx(path.join(SIGMA_ROOT, 'regression_data')).map((file) => new Uint8Array(readFileSync(file)));
  return filledLog(files, distinct).log;
}

/** The figures, or why they were skipped. `extra`: more .evtx files to measure on their own (`--evtx <file>`). */
export function benchEvtx(extra: readonly string[] = []): Figure[] | string {
  const regression = listEvtx(path.join(SIGMA_ROOT, 'regression_data')).map(
    (file) => new Uint8Array(readFileSync(file)),
  );
  const figures: Figure[] = [];
  if (regression.length > 0) {
    figures.push(...measureSet('regression files', regression, ', 1-2 records a chunk'));
    const { log, chunks } = filledLog(regression);
    figures.push(...measureSet('filled-chunk log', [log], `, ${chunks} chunks of copies of those records`));
    // The same with no string or GUID repeated between copies: the other bound for repeated values (a real log
    // repeats its provider, computer, user, image names and more, not its times and command lines).
    const distinct = filledLog(regression, true);
    figures.push(
      ...measureSet(
        'filled-chunk log, distinct strings',
        [distinct.log],
        `, ${distinct.chunks} chunks, every copy's strings and GUIDs its own`,
      ),
    );
  }
  for (const file of extra) figures.push(...measureSet(path.basename(file), [new Uint8Array(readFileSync(file))], ''));
  return figures.length > 0
    ? figures
    : `skipped: no .evtx in ${SIGMA_ROOT}/regression_data and none given (--evtx <file>)`;
}

/** `--evtx <file>` arguments, any number. */
export function evtxArguments(argv: readonly string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++)
    if (argv[i] === '--evtx' && argv[i + 1] !== undefined) files.push(argv[++i] as string);
  return files;
}

// `npx tsx bench/evtx.ts [--evtx <file>]...`: this benchmark alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = benchEvtx(evtxArguments(process.argv.slice(2)));
  if (typeof figures === 'string') console.log(`EVTX decoding: ${figures}`);
  else printFigures('EVTX decoding beside JSON.parse of the same events', figures);
}
