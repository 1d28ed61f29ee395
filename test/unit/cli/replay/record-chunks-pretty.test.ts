/**
 * Pretty-printed documents one after another (`jq .`, `ConvertTo-Json` per event) are cut between two documents,
 * only where the whole-text splitter is between documents, so the pieces read as the whole does; before, such a
 * text had no place to cut and was held whole.
 */
import { findPrettyCut, recordPieces } from '../../../../cli/replay/record-chunks.js';
import { readRecord } from '../../../../src/events/read-record.js';
import {
  collect,
  comparable,
  encoder,
  input,
  LIMITS,
  pieceWise,
  prettyDocuments,
  utf16,
} from './record-chunks.cases.js';

describe('recordPieces on pretty-printed documents', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])(
    'cuts them between documents, each piece after the first at a "{" line, as the whole reads (%s)',
    async (_n, nl) => {
      // Prepare
      const text = prettyDocuments(20, nl);
      // Act
      const { pieces, cut, whole } = await pieceWise(text, 600);
      // Assert: cut (several pieces), the same 20 events as the whole, nothing lost.
      expect(pieces.length).toBeGreaterThan(3);
      expect(Buffer.concat(pieces).equals(Buffer.from(text))).toBe(true);
      for (const piece of pieces.slice(1)) expect(Buffer.from(piece).toString().startsWith(`{${nl}`)).toBe(true);
      expect(cut).toEqual(whole);
      expect(whole.filter((o) => (o as { kind: string }).kind === 'event')).toHaveLength(20);
    },
  );

  it('cuts UTF-16 pretty text the same way', async () => {
    const text = utf16(Buffer.from(prettyDocuments(12)).toString());
    const pieces = await collect(recordPieces(input(text), 1_200));
    expect(pieces.length).toBeGreaterThan(3);
    expect(comparable(pieces.flatMap((p) => readRecord(p, LIMITS)))).toEqual(comparable(readRecord(text, LIMITS)));
  });

  it('does not cut where a "}" line in column 0 closes a value inside a document', () => {
    // The inner object closes in column 0, and the next line opens another inside the same array: no boundary.
    const inner = '{\n"List": [\n{\n"a": 1\n}\n{\n"b": 2\n}\n]\n}\n';
    const units = encoder.encode(`${inner}${inner}${inner}`);
    const refused = findPrettyCut(units, 0, true);
    expect(refused.failed).toBe(true);
    expect(refused.cut).toBe(-1);
  });

  it('gives a damaged pretty text the whole text’s outcomes, a document cut short and text between them included', async () => {
    const docs = Buffer.from(prettyDocuments(10)).toString().split('\n}\n');
    const text = encoder.encode(
      [docs.slice(0, 3).join('\n}\n'), '{\n  "EventID": 1,\n  "Cut": "', 'not json', docs.slice(3).join('\n}\n')].join(
        '\n}\n',
      ),
    );
    const { pieces, cut, whole } = await pieceWise(text, 300);
    expect(pieces.length).toBeGreaterThan(2);
    expect(whole.some((o) => (o as { kind: string }).kind === 'rejected')).toBe(true);
    expect(cut).toEqual(whole);
  });
});
