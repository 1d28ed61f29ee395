/**
 * UTF-8 lines encoded straight into one buffer for a single write (no batch string joined, then encoded: two
 * copies of every byte and a large string per batch). Used by the run files (event-runs.ts) and the partition
 * files (partition-writers.ts). Encoded as Buffer.from of the joined lines would encode them: a lone surrogate as
 * U+FFFD, line by line alike.
 */
export class LineBatch {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafeSlow(size);
  }

  /**
   * Adds `line` and a line feed; false, with nothing added, when the line may not fit in what is left. A UTF-16
   * code unit is at most 3 bytes of UTF-8, so the room is known without measuring the line. After {@link take} a
   * line fails only if it is longer than a whole batch could hold: it is then written alone.
   */
  add(line: string): boolean {
    if (this.used + 3 * line.length + 1 > this.size) return false;
    this.used += this.buffer.write(line, this.used);
    this.buffer[this.used++] = 0x0a;
    return true;
  }

  /**
   * The lines added so far (undefined if none), handed over: a stream keeps the bytes until they are written, so the
   * batch goes on in a new buffer rather than reusing this one.
   */
  take(): Buffer | undefined {
    if (this.used === 0) return undefined;
    const bytes = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafeSlow(this.size);
    this.used = 0;
    return bytes;
  }
}
