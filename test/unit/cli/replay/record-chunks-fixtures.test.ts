/**
 * The pieces of real inputs read as the whole input (issue 13: streamed XML and UTF-16 text): every file of events/
 * and every evtx_dump .json of the Sigma regression data, as it is and saved as UTF-16LE with a BOM (PowerShell's
 * Out-File), and one OTRF recording exported as XML (one after another and in `<Events>`, UTF-8 and UTF-16) and
 * as UTF-16 newline-delimited JSON. Small pieces, so the recordings are cut many times.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { InputStream } from '../../../../cli/io/input-files.js';
import { recordPieces } from '../../../../cli/replay/record-chunks.js';
import { encodeXml } from '../../../../src/events/formats/xml.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';
import { otrfAvailable, readOtrfObjects } from '../../../helpers/otrf.js';
import { describeUnless, missing, sharedPath } from '../../../helpers/skip.js';
import { textPiece } from './record-chunks.cases.js';

const LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };
const EVENTS_DIR = path.resolve(import.meta.dirname, '../../../../events');
const REGRESSION = sharedPath('sigma/regression_data');
const encoder = new TextEncoder();

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function comparable(outcomes: RecordOutcome[]): unknown[] {
  return outcomes.map((o) => (o.kind === 'rejected' ? { ...o, raw: Buffer.from(o.raw).toString('hex') } : o));
}

/** The outcomes of the pieces and of the whole, and how many pieces. */
async function compare(bytes: Uint8Array, pieceBytes: number, chunkBytes: number) {
  const input: InputStream = {
    source: 'x',
    chunks: chunksOf(bytes, chunkBytes),
    reopen: () => chunksOf(bytes, chunkBytes),
  };
  const cut: RecordOutcome[] = [];
  let pieces = 0;
  for await (const piece of recordPieces(input, pieceBytes)) {
    pieces++;
    cut.push(...readRecord(textPiece(piece), LIMITS));
  }
  return { pieces, cut: comparable(cut), whole: comparable(readRecord(bytes, LIMITS)) };
}

function utf16(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(Buffer.from(bytes).toString(), 'utf16le')]),
  );
}

function filesUnder(dir: string, suffix: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(suffix)
    .sort()
    .map((name) => path.join(dir, name));
}

describe('recordPieces on the events/ fixtures', () => {
  const files = filesUnder(EVENTS_DIR, (name) => !name.endsWith('.md') && name.includes('.'));

  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(25);
  });

  it.each(files.map((file) => [path.relative(EVENTS_DIR, file)]))(
    '%s: pieces read as the whole, also as UTF-16',
    async (name) => {
      const bytes = new Uint8Array(readFileSync(path.join(EVENTS_DIR, name)));
      for (const sample of [bytes, utf16(bytes)]) {
        const { cut, whole } = await compare(sample, 256, 61);
        expect(cut).toEqual(whole);
      }
    },
  );
});

describeUnless(missing(REGRESSION))('recordPieces on the Sigma regression samples', () => {
  it('every .json, as it is and as UTF-16: pieces read as the whole', async () => {
    const files = filesUnder(REGRESSION, (name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(150);
    const differing: string[] = [];
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      for (const sample of [bytes, utf16(bytes)]) {
        const { cut, whole } = await compare(sample, 512, 127);
        if (JSON.stringify(cut) !== JSON.stringify(whole)) differing.push(path.relative(REGRESSION, file));
      }
    }
    expect(differing).toEqual([]);
  });
});

describeUnless(otrfAvailable() ? undefined : 'OTRF recordings absent')(
  'recordPieces on an OTRF recording exported',
  () => {
    const objects = otrfAvailable() ? readOtrfObjects('psh_cmstp_execution_bypassuac.zip') : [];
    const lines = objects.map((object) => JSON.stringify(object));
    const events = lines.flatMap((line) => {
      const [outcome] = readRecord(encoder.encode(line), LIMITS);
      return outcome?.kind === 'event' ? [outcome.event] : [];
    });
    const xml = events.map(encodeXml);
    const exports: [string, Uint8Array][] = [
      ['XML one after another', encoder.encode(`${xml.join('\r\n')}\r\n`)],
      [
        'XML in <Events>, UTF-16',
        utf16(encoder.encode(`<?xml version="1.0"?>\r\n<Events>\r\n${xml.join('\r\n')}\r\n</Events>\r\n`)),
      ],
      ['NDJSON as UTF-16', utf16(encoder.encode(`${lines.join('\r\n')}\r\n`))],
    ];

    it.each(exports)('%s: pieces read as the whole', async (_name, bytes) => {
      expect(events.length).toBeGreaterThan(1000);
      const { pieces, cut, whole } = await compare(bytes, 64 * 1024, 65_521);
      expect(pieces).toBeGreaterThan(10);
      expect(whole.length).toBeGreaterThan(1000);
      expect(cut).toEqual(whole);
    });
  },
);
