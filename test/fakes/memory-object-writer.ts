import type { ObjectWriter } from '../../src/pipeline/ports.js';

export interface RecordedObject {
  key: string;
  body: Uint8Array;
  contentType: string;
  contentEncoding?: string;
}

/** In-memory ObjectWriter: keeps the latest object per key (a put replaces, as in S3) and every put in order. */
export class MemoryObjectWriter implements ObjectWriter {
  readonly objects = new Map<string, RecordedObject>();
  readonly puts: RecordedObject[] = [];
  readonly deletes: string[] = [];
  /** Set to make the next puts throw (e.g. a RetryableDependencyError), to test the caller's error path. */
  failWith: Error | undefined;

  async put(key: string, body: Uint8Array, options: { contentType: string; contentEncoding?: string }): Promise<void> {
    if (this.failWith) throw this.failWith;
    const recorded: RecordedObject = { key, body: Uint8Array.from(body), contentType: options.contentType };
    if (options.contentEncoding !== undefined) recorded.contentEncoding = options.contentEncoding;
    this.objects.set(key, recorded);
    this.puts.push(recorded);
  }

  async delete(key: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.objects.delete(key);
    this.deletes.push(key);
  }
}
