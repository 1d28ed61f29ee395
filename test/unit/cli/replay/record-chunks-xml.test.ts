/**
 * XML read in pieces gives the outcomes of the whole text whatever the piece size and wherever the stream's reads
 * end: well-formed and malformed exports (a truncated <Event>, stray text, a broken tag, invalid bytes, markup that
 * hides `</Event>`: record-chunks.cases.ts), replayed at piece sizes from 1 byte to 1 MiB, with reads of random
 * sizes. record-chunks.heavy.test.ts runs more piece sizes, each with both kinds of reads.
 */

import { readRecord } from '../../../../src/events/read-record.js';
import { comparable, LIMITS, mutated, replayedOutcomes, TEXTS } from './record-chunks.cases.js';

/** Piece sizes, each with reads of 1-3 bytes (boundaries inside every tag and character) or of up to 700. */
const RUNS: Array<[pieceBytes: number, maxRead: number]> = [
  [1, 3],
  [5, 700],
  [17, 3],
  [333, 700],
  [4096, 3],
  [1024 * 1024, 700],
];

describe('XML read in pieces', () => {
  it.each(TEXTS.map((t) => [t.name, t] as const))('%s: the same outcomes at every piece size', async (_name, t) => {
    // The whole text, read as one record: the rejections built in, in order, and nothing else.
    const whole = readRecord(t.bytes, LIMITS);
    expect(whole.flatMap((o) => (o.kind === 'rejected' ? [o.reason] : []))).toEqual(t.rejected);
    expect(whole.filter((o) => o.kind === 'event').length).toBeGreaterThanOrEqual(10);
    expect(whole.filter((o) => o.invalidUtf8).length).toBe(t.flagged ?? 0);
    for (const [i, [pieceBytes, maxRead]] of RUNS.entries()) {
      const { pieces, outcomes } = await replayedOutcomes(t.bytes, pieceBytes, maxRead, i + 1);
      // Small pieces must cut the text (else this compares the whole with itself). Below 5 bytes the first read
      // may not show the text's shape past a byte order mark: then it is read whole.
      if (pieceBytes >= 5 && pieceBytes <= 64) expect([pieceBytes, pieces > 3]).toEqual([pieceBytes, true]);
      expect([pieceBytes, maxRead, outcomes]).toEqual([pieceBytes, maxRead, comparable(whole)]);
    }
  });
});

describe('randomly damaged XML and JSON arrays read in pieces', () => {
  it('give the whole text’s outcomes (12 texts, each at three piece and read sizes)', async () => {
    let rejected = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const bytes = mutated(seed);
      const whole = readRecord(bytes, LIMITS);
      rejected += whole.filter((o) => o.kind === 'rejected').length;
      for (const [pieceBytes, maxRead] of [
        [5, 3],
        [40, 200],
        [300, 7],
      ] as const) {
        const { outcomes } = await replayedOutcomes(bytes, pieceBytes, maxRead, seed);
        expect([seed, pieceBytes, maxRead, outcomes]).toEqual([seed, pieceBytes, maxRead, comparable(whole)]);
      }
    }
    // The damage must show (else the texts would be the undamaged ones).
    expect(rejected).toBeGreaterThan(5);
  });
});
