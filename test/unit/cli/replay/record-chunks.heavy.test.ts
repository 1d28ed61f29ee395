/**
 * record-chunks.test.ts and record-chunks-xml.test.ts on larger inputs and more read and piece sizes (run with
 * HOOKSTREAM_TESTS=full): the pieces' outcomes, in order, are the whole input's.
 */

import { readRecord } from '../../../../src/events/read-record.js';
import {
  comparable,
  encoder,
  LIMITS,
  mutated,
  pieceWise,
  replayedOutcomes,
  TEXTS,
  utf16,
  utf16Ndjson,
  xmlEvent,
  xmlExport,
} from './record-chunks.cases.js';

describe('recordPieces on larger XML and UTF-16 text', () => {
  it.each([
    ['one after another, UTF-8', false, 'utf-8'],
    ['in <Events>, UTF-8', true, 'utf-8'],
    ['in <Events>, UTF-16LE with BOM', true, 'utf-16le'],
    ['one after another, UTF-16LE with BOM', false, 'utf-16le'],
  ])('cuts an XML export of 120 events (%s) into pieces that read as the whole', async (_name, wrapped, encoding) => {
    const text = xmlExport(120, wrapped as boolean);
    const bytes = encoding === 'utf-16le' ? utf16(text) : encoder.encode(text);
    for (const chunkBytes of [3, 97, 4096]) {
      const { pieces, cut, whole } = await pieceWise(bytes, 1500, chunkBytes);
      expect(pieces.length).toBeGreaterThan(5);
      expect(whole.filter((o) => (o as { kind: string }).kind === 'rejected').length).toBe(24);
      expect(cut).toEqual(whole);
    }
  });

  it('cuts 80 lines of UTF-16 newline-delimited JSON, a lone surrogate among them', async () => {
    const { bytes, lone } = utf16Ndjson(80);
    for (const sample of [bytes, lone]) {
      for (const chunkBytes of [3, 101]) {
        const { pieces, cut, whole } = await pieceWise(sample, 700, chunkBytes);
        expect(pieces.length).toBeGreaterThan(5);
        expect(cut).toEqual(whole);
      }
    }
  });

  it('cuts 3,000 events with one truncated <Event> in the middle into 64 KiB pieces', async () => {
    const events = Array.from({ length: 3000 }, (_, n) => xmlEvent(n));
    events.splice(1500, 0, xmlEvent(1500).slice(0, 250));
    const bytes = encoder.encode(`<?xml version="1.0"?>\r\n<Events>\r\n${events.join('\r\n')}\r\n</Events>\r\n`);
    const whole = comparable(readRecord(bytes, LIMITS));
    const { pieces, outcomes } = await replayedOutcomes(bytes, 65_536, 70_000, 3);
    expect(pieces).toBeGreaterThan(20);
    expect(outcomes).toEqual(whole);
  });
});

const PIECE_BYTES = [1, 2, 3, 5, 17, 64, 333, 1000, 4096, 65_536, 1024 * 1024];

describe('XML read in pieces, every piece size with both kinds of reads', () => {
  it.each(TEXTS.map((t) => [t.name, t] as const))('%s', async (_name, t) => {
    const whole = comparable(readRecord(t.bytes, LIMITS));
    for (const [i, pieceBytes] of PIECE_BYTES.entries()) {
      for (const maxRead of [3, 700]) {
        const { outcomes } = await replayedOutcomes(t.bytes, pieceBytes, maxRead, 11 * i + maxRead);
        expect([pieceBytes, maxRead, outcomes]).toEqual([pieceBytes, maxRead, whole]);
      }
    }
  });
});

describe('randomly damaged XML and JSON arrays read in pieces, 400 texts', () => {
  it('give the whole text’s outcomes at three piece and read sizes', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const bytes = mutated(seed);
      const whole = comparable(readRecord(bytes, LIMITS));
      for (const [pieceBytes, maxRead] of [
        [5, 3],
        [40, 200],
        [300, 7],
      ] as const) {
        const { outcomes } = await replayedOutcomes(bytes, pieceBytes, maxRead, seed);
        expect([seed, pieceBytes, maxRead, outcomes]).toEqual([seed, pieceBytes, maxRead, whole]);
      }
    }
  });
});
