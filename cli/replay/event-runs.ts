/**
 * Events spilled to disk in sorted runs, and merged back in event-time order: the external sort that lets replay
 * handle every event of the input in time order while holding only a run's worth of events at a time.
 *
 * Order: event time, then `seq` (the event's position in the whole input, as read), so equal times keep the input
 * order, as the stable in-memory sort did, and the merge is deterministic.
 * A run is a file of JSON lines `[seq, origin, position, event]` (origin: an index into the replay's list of
 * record origins; position: the document's number in its record), or a {@link MemoryRun}: the same events kept
 * as objects, sorted, so that they cost no JSON round trip (replay keeps its first runs so, under a budget).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { LineBatch } from './line-batch.js';

export interface SpilledEvent {
  seq: number;
  origin: number;
  position: number;
  event: CanonicalEvent;
  /** The run line it was read from (merged events): written again as it is while the event is unchanged. */
  line?: string;
}

/**
 * A sorted run held in memory. Its merge consumes it: each event is let go as it leaves the run, so the memory
 * is freed as the merge goes on.
 */
export class MemoryRun {
  constructor(readonly items: (SpilledEvent | undefined)[]) {}
}

/** A sorted run: the path of its file, or its events in memory. */
export type Run = string | MemoryRun;

/** Event time, then input order. */
export function compareSpilled(a: SpilledEvent, b: SpilledEvent): number {
  return a.event.time - b.event.time || a.seq - b.seq;
}

/**
 * Bytes of lines encoded into one write (straight into a buffer: no batch string joined, then encoded). 64 KiB
 * since batch strings of 1 MiB went to V8's large-object space and stayed there until a full collection (10x OTRF
 * replay, 128 MiB of runs kept in memory then written out: peak RSS 402 MB with 1 MiB batches, 314 and 351 MB with
 * 64 KiB ones); a buffer's bytes are outside the heap, but the size was kept.
 */
const WRITE_BATCH_BYTES = 64 * 1024;
/** Bytes a run's file stream may hold before a write waits for the disk (the writes go on in the thread pool). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/**
 * Read size of one open run: the runs share {@link READ_BUDGET} bytes, each between 16 KiB and 256 KiB. Each read
 * costs about 40 us of CPU whatever its size (a thread-pool round trip and a buffer), so a few runs (a small
 * input) read in large pieces; at the fan-in (128 runs) each reads 16 KiB, as every run did before.
 */
const READ_BUDGET = 2 * 1024 * 1024;
const MIN_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 256 * 1024;

export function readBytesFor(openRuns: number): number {
  return Math.max(MIN_READ_BYTES, Math.min(MAX_READ_BYTES, Math.floor(READ_BUDGET / Math.max(1, openRuns))));
}
/** Runs merged at once at most; more are merged in groups first (each open run costs a file and a read buffer). */
export const MAX_FAN_IN = 128;

/** Lines written to a file with back-pressure, in batches. */
export class LineWriter {
  private readonly stream: WriteStream;
  private readonly batch = new LineBatch(WRITE_BATCH_BYTES);
  /** The stream's first error: writes do not wait for each other, so it is thrown by the next write or the close. */
  private failed: Error | undefined;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file);
    this.stream.on('error', (error) => {
      this.failed ??= error;
    });
  }

  /** Queues a line; await the result only to respect back-pressure (every call may be awaited or not, in order). */
  async write(line: string): Promise<void> {
    if (this.batch.add(line)) return;
    await this.flush();
    // A line longer than a batch could be: written alone.
    if (!this.batch.add(line)) await this.send(Buffer.from(`${line}\n`));
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    const bytes = this.batch.take();
    if (bytes !== undefined) await this.send(bytes);
  }

  private async send(bytes: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.stream.write(bytes) && this.stream.writableLength > MAX_QUEUED_BYTES) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    const closed = once(this.stream, 'close');
    this.stream.end();
    await closed;
    if (this.failed) throw this.failed;
  }

  /** Stops writing (after a failure or an interruption); the file is left for the caller to remove. */
  destroy(): void {
    this.stream.destroy();
  }
}

export function spilledLine(item: SpilledEvent): string {
  return JSON.stringify([item.seq, item.origin, item.position, item.event]);
}

function parseLine(line: string): SpilledEvent {
  const [seq, origin, position, event] = JSON.parse(line) as [number, number, number, CanonicalEvent];
  return { seq, origin, position, event, line };
}

/**
 * An event's properties and EventData fields, names and values in order (a canonical event holds no other object):
 * taken before a pick runs, so that {@link unchanged} tells whether its line must be made again.
 */
export function fieldsOf(event: CanonicalEvent): unknown[] {
  const out: unknown[] = [];
  const record = event as unknown as Record<string, unknown>;
  for (const key in record) if (key !== 'data') out.push(key, record[key]);
  out.push('data');
  const data = event.data;
  for (const key in data) out.push(key, data[key]);
  return out;
}

/** Whether the event still has the fields {@link fieldsOf} took (same names, values and order). */
export function unchanged(before: readonly unknown[], event: CanonicalEvent): boolean {
  const now = fieldsOf(event);
  if (now.length !== before.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return false;
  return true;
}

/** The item's run line: the one it was read from while the event is unchanged, else made again. */
export function lineOf(item: SpilledEvent, before?: readonly unknown[]): string {
  return item.line !== undefined && before !== undefined && unchanged(before, item.event)
    ? item.line
    : spilledLine(item);
}

/** Sorts `items` and writes them as one run. */
export async function writeRun(file: string, items: SpilledEvent[]): Promise<void> {
  items.sort(compareSpilled);
  const writer = new LineWriter(file);
  try {
    for (const item of items) await writer.write(spilledLine(item));
    await writer.close();
  } catch (error) {
    writer.destroy();
    throw error;
  }
}

/** What the merge needs of a run: its head event, moved on in hand ({@link advance}) or by reading ({@link fill}). */
interface RunSource {
  head: SpilledEvent | undefined;
  advance(): boolean;
  fill(): Promise<boolean>;
  close(): Promise<void>;
}

/** A memory run read in order; each event is dropped from the run as it becomes the head. */
class MemoryRunReader implements RunSource {
  private at = 0;
  head: SpilledEvent | undefined;

  constructor(private readonly run: MemoryRun) {}

  advance(): boolean {
    const { items } = this.run;
    if (this.at < items.length) {
      this.head = items[this.at];
      items[this.at++] = undefined;
      if (this.head !== undefined) return true;
    }
    this.head = undefined;
    return false;
  }

  async fill(): Promise<boolean> {
    return this.advance();
  }

  async close(): Promise<void> {}
}

/**
 * One run read back in order: a small buffer of lines at a time, each line parsed when it becomes the head (so an
 * open run costs about two buffers, whatever the fan-in).
 */
class RunReader implements RunSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private lines: string[] = [];
  private at = 0;
  private ended = false;
  head: SpilledEvent | undefined;

  constructor(file: string, readBytes: number) {
    this.chunks = createReadStream(file, { highWaterMark: readBytes })[Symbol.asyncIterator]();
  }

  /** Moves to the next line in hand; false when the buffer ran out (then {@link fill}). */
  advance(): boolean {
    while (this.at < this.lines.length) {
      const line = this.lines[this.at++] as string;
      if (line !== '') {
        this.head = parseLine(line);
        return true;
      }
    }
    this.head = undefined;
    return false;
  }

  /** Reads on until a line is in hand; false when the run is done. */
  async fill(): Promise<boolean> {
    for (;;) {
      if (this.advance()) return true;
      if (this.ended) return false;
      const next = await this.chunks.next();
      let text: string;
      if (next.done) {
        this.ended = true;
        text = this.carry + this.decoder.end();
        this.carry = '';
      } else {
        const all = this.carry + this.decoder.write(next.value);
        const last = all.lastIndexOf('\n');
        text = all.slice(0, last + 1);
        this.carry = all.slice(last + 1);
      }
      this.lines = text.split('\n');
      this.at = 0;
    }
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/** A binary min-heap of readers by their head. */
function siftDown(heap: RunSource[], from: number): void {
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) return;
    const right = left + 1;
    let least = left;
    if (right < heap.length && compareSpilled(heap[right]?.head as SpilledEvent, heap[left]?.head as SpilledEvent) < 0)
      least = right;
    if (compareSpilled(heap[least]?.head as SpilledEvent, heap[i]?.head as SpilledEvent) >= 0) return;
    [heap[i], heap[least]] = [heap[least] as RunSource, heap[i] as RunSource];
    i = least;
  }
}

/**
 * Every event of the runs, in order (event time, then seq), in batches of up to `batchSize`. Reads at most a
 * buffer of each run file at a time, and consumes the memory runs. More than `fanIn` run files: some are first
 * merged into one in `scratch`, until `fanIn` are left (memory runs are merged last, whatever their number: they
 * cost no file and no read buffer). The order does not depend on which runs are in memory: (time, seq) is unique.
 */
export async function* mergeRuns(
  all: readonly Run[],
  batchSize = 512,
  scratch?: string,
  fanIn = MAX_FAN_IN,
): AsyncGenerator<SpilledEvent[]> {
  const memory = all.filter((run): run is MemoryRun => run instanceof MemoryRun);
  let runs = all.filter((run): run is string => typeof run === 'string');
  let level = 0;
  // Only as many runs are merged first as it takes to bring their number down to the fan-in: merging n runs into
  // one removes n - 1, so most events are read once when the runs are few more than the fan-in.
  while (runs.length > fanIn) {
    if (scratch === undefined) throw new Error(`${runs.length} runs to merge and no scratch folder`);
    const group = runs.slice(0, Math.min(fanIn, runs.length - fanIn + 1));
    const file = path.join(scratch, `merge-${level}.jsonl`);
    const writer = new LineWriter(file);
    try {
      // Nothing changes an event between its run and the merged run: its line is copied.
      for await (const batch of mergeRuns(group, batchSize))
        for (const item of batch) await writer.write(item.line ?? spilledLine(item));
      await writer.close();
    } catch (error) {
      writer.destroy();
      throw error;
    }
    // The merged runs are not needed any more (the caller removes its own runs with the scratch folder).
    await Promise.all(
      group.filter((run) => path.basename(run).startsWith('merge-')).map((run) => rm(run, { force: true })),
    );
    runs = [...runs.slice(group.length), file];
    level++;
  }
  const readBytes = readBytesFor(runs.length);
  const readers: RunSource[] = [
    ...memory.map((run) => new MemoryRunReader(run)),
    ...runs.map((file) => new RunReader(file, readBytes)),
  ];
  try {
    const heap: RunSource[] = [];
    for (const reader of readers) if (await reader.fill()) heap.push(reader);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    let batch: SpilledEvent[] = [];
    while (heap.length > 0) {
      const top = heap[0] as RunSource;
      batch.push(top.head as SpilledEvent);
      if (!top.advance() && !(await top.fill())) {
        const last = heap.pop() as RunSource;
        if (heap.length > 0) heap[0] = last;
      }
      if (heap.length > 0) siftDown(heap, 0);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
  }
}
