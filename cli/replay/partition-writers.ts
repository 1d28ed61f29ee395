/**
 * replay's output written as it is produced: one gzip stream per partition file, not a buffer per partition.
 * Events and base alerts come in event-time order and rejected items all carry one arrival (the input files'
 * newest modification time), so each area visits its partitions one after another: one stream is open at a time. Correlation
 * alerts are decided at the end of the input; {@link AlertWriter} keeps the base alerts of each partition in a
 * plain scratch file and writes each alert partition once, base alerts first, as the in-memory replay did.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { LineBatch } from './line-batch.js';

/** Bytes of lines encoded into one write (line-batch.ts). */
const BATCH_BYTES = 256 * 1024;
/**
 * Bytes a partition's gzip stream may hold before a write waits for it: gzip runs on libuv's thread pool, so the
 * replay goes on with the next events while it compresses the last batches instead of waiting on each one
 * (16 KiB, the stream's default, made every batch wait for its own compression).
 */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/**
 * Partition files a writer lets finish (compress and write their last queued bytes) while it goes on with the next
 * partition. Waiting for each file's end before the next one's first line made the main thread idle for the
 * compression of up to MAX_QUEUED_BYTES at every partition change: about 250 ms of 1x OTRF's pass 3. Each closing
 * file holds at most its queued bytes and its gzip state, so this bounds the memory it adds.
 */
const MAX_CLOSING = 2;

/** A partition visited a second time: the input order promise (time order) was broken, a defect. */
export class PartitionOrderError extends Error {
  constructor(partition: string) {
    super(`partition ${partition} written again after another one: rows must come in partition order`);
    this.name = 'PartitionOrderError';
  }
}

interface OpenFile {
  partition: string;
  file: WriteStream;
  gzip?: Gzip;
  /** The lines not yet written (UTF-8, each ending in a line feed). */
  batch: LineBatch;
  /**
   * The first error of the file or gzip stream. Writes do not wait for each other (up to MAX_QUEUED_BYTES), so an
   * error may come while nothing awaits the stream: it is kept here and thrown by the next write or the close
   * (and an interrupted replay's destroy() does not crash on it).
   */
  failed?: Error;
}

/** A partition file ended and not yet closed: its first error once it has closed (undefined: none). */
interface ClosingFile {
  open: OpenFile;
  closed: Promise<Error | undefined>;
}

/**
 * Lines to `<root>/<partition>/<name><suffix>`, partitions one after another (each once); gzip-compressed
 * (`.json.gz`, no timestamp in the header: the output is the same for the same input) unless `plain`.
 */
export class PartitionWriter {
  private current: OpenFile | undefined;
  /** Files ended, oldest first, still compressing or writing (at most MAX_CLOSING). */
  private readonly closing: ClosingFile[] = [];
  private readonly done = new Set<string>();
  /** The partitions written, in order. */
  readonly partitions: string[] = [];

  constructor(
    private readonly root: string,
    private readonly name: string,
    private readonly plain = false,
  ) {}

  /** The file a partition's lines go to. */
  fileOf(partition: string): string {
    return path.join(this.root, ...partition.split('/'), `${this.name}${this.plain ? '.jsonl' : '.json.gz'}`);
  }

  async write(partition: string, line: string): Promise<void> {
    let open = this.current;
    if (open === undefined || open.partition !== partition) {
      if (open !== undefined) await this.endCurrent(MAX_CLOSING);
      if (this.done.has(partition)) throw new PartitionOrderError(partition);
      open = this.open(partition);
    }
    if (open.batch.add(line)) return;
    await this.flush(open);
    // A line longer than a batch could be: written alone.
    if (!open.batch.add(line)) await this.send(open, Buffer.from(`${line}\n`));
  }

  private open(partition: string): OpenFile {
    const target = this.fileOf(partition);
    // Made at once, not on the thread pool: there it waited behind the gzip work of the files still compressing
    // (16 partitions of 1x OTRF: 56-91 ms of waiting, on a busy machine, for a few microseconds of work each).
    mkdirSync(path.dirname(target), { recursive: true });
    const file = createWriteStream(target);
    const open: OpenFile = { partition, file, batch: new LineBatch(BATCH_BYTES) };
    const keep = (error: Error) => {
      open.failed ??= error;
    };
    file.on('error', keep);
    if (!this.plain) {
      open.gzip = createGzip();
      // The file would wait forever for the end of a failed gzip stream: it is closed with it.
      open.gzip.on('error', (error) => {
        keep(error);
        file.destroy();
      });
      open.gzip.pipe(file);
    }
    this.current = open;
    this.done.add(partition);
    this.partitions.push(partition);
    return open;
  }

  private async flush(open: OpenFile): Promise<void> {
    if (open.failed) throw open.failed;
    const bytes = open.batch.take();
    if (bytes !== undefined) await this.send(open, bytes);
  }

  private async send(open: OpenFile, bytes: Buffer): Promise<void> {
    if (open.failed) throw open.failed;
    const sink = open.gzip ?? open.file;
    if (!sink.write(bytes) && sink.writableLength > MAX_QUEUED_BYTES) await once(sink, 'drain');
  }

  /**
   * Ends the open partition file without waiting for it to close, then waits until at most `closing` ended files
   * are still closing; throws the first error of a file that closed.
   */
  private async endCurrent(closing: number): Promise<void> {
    const open = this.current;
    if (open !== undefined) {
      await this.flush(open);
      this.current = undefined;
      // Settled, never rejected: an error is kept until it is awaited, never an unhandled rejection.
      const closed = once(open.file, 'close').then(
        () => open.failed,
        (error: Error) => open.failed ?? error,
      );
      (open.gzip ?? open.file).end();
      this.closing.push({ open, closed });
    }
    while (this.closing.length > closing) {
      const error = await (this.closing.shift() as ClosingFile).closed;
      if (error !== undefined) throw error;
    }
  }

  /** Ends the open partition file; resolves when every file is closed. */
  async close(): Promise<void> {
    await this.endCurrent(0);
  }

  /** Stops at once (a failure or an interruption): the partial files are left for the caller to remove. */
  destroy(): void {
    const files = this.closing.splice(0).map(({ open }) => open);
    if (this.current !== undefined) files.push(this.current);
    for (const open of files) {
      open.gzip?.destroy();
      open.file.destroy();
    }
    this.current = undefined;
  }
}

/**
 * Alerts: base alerts as detection finds them (in event-time order), then the correlation alerts of the end of the
 * input; each partition file holds its base alerts, then its correlation alerts, each in the order given.
 */
export class AlertWriter {
  private readonly base: PartitionWriter;
  private readonly late = new Map<string, string[]>();

  constructor(
    private readonly root: string,
    private readonly name: string,
    scratch: string,
  ) {
    this.base = new PartitionWriter(scratch, name, true);
  }

  /** A base alert (partitions in order). */
  async write(partition: string, line: string): Promise<void> {
    await this.base.write(partition, line);
  }

  /** A correlation alert, decided after every base alert: kept until {@link finish}. */
  addLate(partition: string, line: string): void {
    const lines = this.late.get(partition);
    if (lines === undefined) this.late.set(partition, [line]);
    else lines.push(line);
  }

  /** Writes every alert partition; returns how many files. */
  async finish(): Promise<number> {
    await this.base.close();
    const partitions = [...new Set([...this.base.partitions, ...this.late.keys()])].sort();
    const withBase = new Set(this.base.partitions);
    const out = new PartitionWriter(this.root, this.name);
    try {
      for (const partition of partitions) {
        if (withBase.has(partition)) {
          const scratch = this.base.fileOf(partition);
          await copyLines(scratch, (line) => out.write(partition, line));
          await rm(scratch, { force: true });
        }
        for (const line of this.late.get(partition) ?? []) await out.write(partition, line);
      }
      await out.close();
    } catch (error) {
      out.destroy();
      throw error;
    }
    return partitions.length;
  }

  destroy(): void {
    this.base.destroy();
  }
}

async function copyLines(file: string, write: (line: string) => Promise<void>): Promise<void> {
  let carry = '';
  await pipeline(createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }), async (source) => {
    for await (const chunk of source as AsyncIterable<string>) {
      const text = carry + chunk;
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) if (line !== '') await write(line);
    }
  });
  if (carry !== '') await write(carry);
}
