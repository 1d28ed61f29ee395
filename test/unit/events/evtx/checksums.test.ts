/**
 * The EVTX checksums as the reader counts them (read-evtx.ts, EvtxChecksums), on real logs: SigmaHQ's regression
 * .evtx files (../shared/sigma/regression_data; skipped visibly when absent), clean and with one byte flipped.
 * A failing checksum never stops the chunk: every record is still a document or a rejection (conservation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary } from '../../../../cli/replay/format-summary.js';
import { type EvtxChecksums, type EvtxOutcome, noEvtxChecksums, readEvtx } from '../../../../src/events/evtx/index.js';
import { decodeBatch } from '../../../../src/pipeline/decode-batch.js';
import { emptySummary } from '../../../../src/pipeline/summary.js';
import { listFiles, SIGMA_ROOT, sigmaCorpusPresent } from '../../../helpers/sigma-corpus.js';

const FILE_HEADER = 4096;
const CHUNK_HEADER = 512;

const present = sigmaCorpusPresent();
const files = present ? listFiles(join(SIGMA_ROOT, 'regression_data'), '.evtx') : [];

function read(bytes: Uint8Array): { outcomes: EvtxOutcome[]; checksums: EvtxChecksums } {
  const checksums = noEvtxChecksums();
  return { outcomes: readEvtx(bytes, { checksums }), checksums };
}

function documents(outcomes: EvtxOutcome[]): unknown[] {
  return outcomes.map((outcome) => (outcome.ok ? outcome.document : { rejected: outcome.reason }));
}

/** The first regression file whose chunk holds two records or more, with where its second record starts. */
function twoRecordFile(): { bytes: Uint8Array; second: number; secondEnd: number } {
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    if (readEvtx(bytes).length < 2) continue;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const second = FILE_HEADER + CHUNK_HEADER + view.getUint32(FILE_HEADER + CHUNK_HEADER + 4, true);
    return { bytes, second, secondEnd: second + view.getUint32(second + 4, true) };
  }
  throw new Error('no regression .evtx file with two records');
}

/** The offset of a UTF-16LE ASCII letter inside a run of at least 8 such letters in `bytes[start, end)`. */
function letterInString(bytes: Uint8Array, start: number, end: number): number {
  for (const parity of [0, 1]) {
    let run = 0;
    for (let at = start + parity; at + 1 < end; at += 2) {
      const letter = bytes[at + 1] === 0 && /[A-Za-z]/.test(String.fromCharCode(bytes[at] as number));
      run = letter ? run + 1 : 0;
      if (run === 8) return at;
    }
  }
  throw new Error('no UTF-16 string in the record');
}

(present ? describe : describe.skip)(
  present
    ? 'EVTX checksums on the regression logs'
    : 'EVTX checksums on the regression logs (SKIPPED: ../shared/sigma is absent)',
  () => {
    it('counts every chunk of the 202 clean files, none failing', () => {
      expect(files.length).toBeGreaterThanOrEqual(200);
      const total = noEvtxChecksums();
      for (const file of files) readEvtx(new Uint8Array(readFileSync(file)), { checksums: total });
      expect(total).toEqual({
        chunks: files.length,
        checksumFailed: 0,
        headerChecksumFailed: 0,
        recordsChecksumFailed: 0,
        underFailingFileHeader: 0,
      });
    });

    it('a flipped byte in a record string fails the records checksum; the chunk is still read, record by record', () => {
      const { bytes, second, secondEnd } = twoRecordFile();
      const clean = read(bytes);
      const dirty = bytes.slice();
      const at = letterInString(dirty, second + 24, secondEnd - 4);
      dirty[at] = (dirty[at] as number) ^ 0x20; // the letter's case: the same structure, one character changed
      const { outcomes, checksums } = read(dirty);
      expect(checksums).toEqual({ ...noEvtxChecksums(), chunks: 1, checksumFailed: 1, recordsChecksumFailed: 1 });
      // Conservation: as many outcomes as records, each a document; the first record is as it was.
      expect(outcomes).toHaveLength(clean.outcomes.length);
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      expect(documents(outcomes)[0]).toEqual(documents(clean.outcomes)[0]);
      expect(JSON.stringify(documents(outcomes)[1])).not.toBe(JSON.stringify(documents(clean.outcomes)[1]));
    });

    it('a flipped byte in the chunk header checksum fails it; every record is read as before', () => {
      const { bytes } = twoRecordFile();
      const clean = read(bytes);
      const dirty = bytes.slice();
      dirty[FILE_HEADER + 125] = (dirty[FILE_HEADER + 125] as number) ^ 0x01;
      const { outcomes, checksums } = read(dirty);
      expect(checksums).toEqual({ ...noEvtxChecksums(), chunks: 1, checksumFailed: 1, headerChecksumFailed: 1 });
      expect(documents(outcomes)).toEqual(documents(clean.outcomes));
    });

    it('a flipped byte in the file header counts the chunks under it; every record is read as before', () => {
      const { bytes } = twoRecordFile();
      const clean = read(bytes);
      const dirty = bytes.slice();
      dirty[40] = (dirty[40] as number) ^ 0x01; // header size field, inside the checksummed 120 bytes
      const { outcomes, checksums } = read(dirty);
      expect(checksums).toEqual({ ...noEvtxChecksums(), chunks: 1, underFailingFileHeader: 1 });
      expect(documents(outcomes)).toEqual(documents(clean.outcomes));
    });

    it('reaches the summary: counted per chunk, in the text with a warning, every record a document or a rejection', () => {
      const { bytes, second, secondEnd } = twoRecordFile();
      const dirty = bytes.slice();
      const at = letterInString(dirty, second + 24, secondEnd - 4);
      dirty[at] = (dirty[at] as number) ^ 0x20;
      const clean = bytes.slice();
      const summary = emptySummary();
      const records = [dirty, clean].map((data, i) => ({ origin: `f${i}.evtx`, data, arrival: 0 }));
      const batch = decodeBatch(records, summary, { documents: Number.POSITIVE_INFINITY });
      expect(summary.evtx).toEqual({ ...noEvtxChecksums(), chunks: 2, checksumFailed: 1, recordsChecksumFailed: 1 });
      expect(summary.read).toBe(2 * readEvtx(bytes).length);
      expect(summary.read).toBe(batch.events.length + batch.rejected.length + summary.filtered);
      const text = formatSummary(summary);
      expect(text).toContain(
        'evtx: 2 chunks, 1 with a failing header/records checksum (0 header, 1 records), 0 under a failing file header checksum',
      );
      expect(text).toContain('warning: EVTX checksums fail');
      const cleanSummary = emptySummary();
      decodeBatch([records[1] as (typeof records)[number]], cleanSummary, { documents: Number.POSITIVE_INFINITY });
      expect(formatSummary(cleanSummary)).not.toContain('warning: EVTX');
    });
  },
);
