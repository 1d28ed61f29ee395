import { FORMATS, normaliseDocument } from '../../../../src/events/formats/index.js';
import { evtxDocument, nxlogDocument } from '../factories.js';

describe('format registry', () => {
  it('tries the formats in a fixed order, one module each', () => {
    expect(FORMATS.map((format) => format.format)).toEqual([
      'xml',
      'evtx-json',
      'elastic-agent',
      'winlogbeat',
      'kinesis-agent',
      'fluent-bit',
      'nxlog',
    ]);
  });

  it('lets the first recogniser win when a document could match two shapes', () => {
    // An NXLog record that also carries an Event object is read as evtx-json, the earlier reader.
    const result = normaliseDocument({ ...nxlogDocument(), ...evtxDocument() }, 'json');
    expect(result.ok && result.value.format).toBe('evtx-json');
  });

  it.each([{}, { EventID: 3 }, { foo: 'bar' }])('rejects %j as an unknown event shape', (document) => {
    expect(normaliseDocument(document, 'json')).toEqual({ ok: false, error: 'unknown event shape' });
  });
});
