/**
 * EVTX decoding beside JSON.parse of the same events as evtx_dump JSON (issue 13's target: at least as fast).
 * Over SigmaHQ's regression .evtx files (and any `--evtx <file>` given, e.g. a large log), each measured in the
 * same run: the native reader from bytes to documents, beside JSON.parse of each document's compact JSON (one
 * line per record, as `evtx_dump -o jsonl` writes); then both whole, to canonical events through readRecord.
 * Median of 5 timed passes after one warm-up pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readEvtx } from '../src/events/evtx/index.js';
import { readRecord } from '../src/events/read-record.js';
import { SIGMA_ROOT } from './detection.js';
import { type Figure, formatRate, printFigures } from './measure.js';

const PASSES = 5;
const WHOLE_FILE = { documents: Number.POSITIVE_INFINITY, decompressedBytes: 2 * 1024 ** 3 };

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

/** The median of `PASSES` timings of `run` (ms), after one untimed pass. */
function median(run: () => number): { ms: number; sink: number } {
  let sink = run();
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const start = performance.now();
    sink += run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(PASSES / 2)] as number, sink };
}

function measureSet(label: string, files: readonly string[]): Figure[] {
  const evtx = files.map((file) => new Uint8Array(readFileSync(file)));
  // The same records as evtx_dump JSON lines: one compact document per record.
  const lines: string[] = [];
  for (const bytes of evtx) {
    for (const record of readEvtx(bytes)) if (record.ok) lines.push(JSON.stringify(record.document));
  }
  const ndjson = new TextEncoder().encode(lines.join('\n'));
  const bytes = evtx.reduce((sum, file) => sum + file.length, 0);
  const native = median(() => {
    let n = 0;
    for (const file of evtx) n += readEvtx(file).length;
    return n;
  });
  // The documents are kept, as the reader keeps its outcomes: a baseline that drops each at once costs less GC.
  const parse = median(() => {
    const kept: unknown[] = [];
    for (const line of lines) kept.push(JSON.parse(line));
    return kept.length;
  });
  const nativeEvents = median(() => {
    let n = 0;
    for (const file of evtx) n += readRecord(file, WHOLE_FILE).length;
    return n;
  });
  const jsonEvents = median(() => readRecord(ndjson, WHOLE_FILE).length);
  if (native.sink < 0 || parse.sink < 0 || nativeEvents.sink < 0 || jsonEvents.sink < 0) throw new Error('unreachable');
  const rate = (ms: number) => formatRate((lines.length * 1000) / ms);
  return [
    {
      name: `${label}: files, records, bytes`,
      value: `${files.length} files, ${lines.length} records, ${(bytes / 1024 ** 2).toFixed(1)} MiB EVTX, ${(ndjson.length / 1024 ** 2).toFixed(1)} MiB as JSON lines`,
    },
    { name: `${label}: EVTX -> documents (native reader)`, value: `${rate(native.ms)} (${native.ms.toFixed(1)} ms)` },
    { name: `${label}: JSON.parse of the same documents`, value: `${rate(parse.ms)} (${parse.ms.toFixed(1)} ms)` },
    { name: `${label}: ratio, native / JSON.parse`, value: `${(parse.ms / native.ms).toFixed(2)}x` },
    {
      name: `${label}: EVTX -> canonical events (readRecord)`,
      value: `${rate(nativeEvents.ms)} (${nativeEvents.ms.toFixed(1)} ms)`,
    },
    {
      name: `${label}: JSON lines -> canonical events (readRecord)`,
      value: `${rate(jsonEvents.ms)} (${jsonEvents.ms.toFixed(1)} ms)`,
    },
  ];
}

/** The figures, or why they were skipped. `extra`: more .evtx files to measure on their own (`--evtx <file>`). */
export function benchEvtx(extra: readonly string[] = []): Figure[] | string {
  const regression = listEvtx(path.join(SIGMA_ROOT, 'regression_data'));
  const figures: Figure[] = [];
  if (regression.length > 0) figures.push(...measureSet('regression data', regression));
  for (const file of extra) figures.push(...measureSet(path.basename(file), [file]));
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
