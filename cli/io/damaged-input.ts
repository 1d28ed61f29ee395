/** The one error an input stream may throw without stopping the command (input-files.ts, zip-entries.ts). */

/**
 * Thrown by an input's `chunks` (or `reopen`) when the rest of that input cannot be read: a damaged zip entry, an
 * encrypted one, a tar.gz whose compressed data breaks off. The reader rejects the rest of the input with `reason`
 * and `raw` (the input's stored bytes when they are small enough to keep, else none: `reason` then says where they
 * are) and goes on with the next input; what the input gave before the damage stays read. A damaged archive must
 * not stop the replay of every other file of a responder's folder.
 */
export class DamagedInputError extends Error {
  constructor(
    readonly reason: string,
    readonly raw: Uint8Array = new Uint8Array(0),
  ) {
    super(reason);
    this.name = 'DamagedInputError';
  }
}

/** The most stored bytes a damaged input's rejection carries (the limit of a line: record-chunks.ts). */
export const DAMAGED_RAW_BYTES = 16 * 1024 * 1024;
