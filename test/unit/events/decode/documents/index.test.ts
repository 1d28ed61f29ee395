import { chainBudget, type Piece } from '../../../../../src/events/decode/chain-piece.js';
import { DOCUMENT_SYNTAXES, readText } from '../../../../../src/events/decode/documents/index.js';
import { sysmon3Xml } from '../../factories.js';

const text = (value: string): Piece[] => readText({ stage: 'text', text: value, depth: 0, raw: value }, chainBudget());

describe('document syntax registry', () => {
  it('tries XML, then JSON', () => {
    expect(DOCUMENT_SYNTAXES.map((syntax) => syntax.name)).toEqual(['xml', 'json']);
  });

  it('gives one JSON document per line, at the same depth', () => {
    const pieces = text('{"a":1}\n{"b":2}');
    expect(pieces).toEqual([
      { stage: 'document', value: { a: 1 }, syntax: 'json', depth: 0, raw: '{"a":1}' },
      { stage: 'document', value: { b: 2 }, syntax: 'json', depth: 0, raw: '{"b":2}' },
    ]);
  });

  it('gives an XML line among JSON lines back as text for the XML syntax', () => {
    const xml = sysmon3Xml();
    expect(text(`{"a":1}\n${xml}`)[1]).toEqual({ stage: 'text', text: xml, depth: 0, raw: xml });
  });

  it('gives each <Event> as an {Event} document of XML syntax', () => {
    const [piece] = text(sysmon3Xml());
    expect(piece?.stage === 'document' && piece.syntax).toBe('xml');
    expect(piece?.stage === 'document' && Object.keys(piece.value as object)).toEqual(['Event']);
  });

  it.each([
    ['', 'record empty'],
    ['hello', 'not JSON or XML'],
  ])('rejects %j: %s', (value, reason) => {
    const [piece] = text(value);
    expect(piece?.stage === 'outcome' && piece.outcome.kind === 'rejected' && piece.outcome.reason).toBe(reason);
  });
});
