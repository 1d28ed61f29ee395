import { MAX_LAYERS } from '../../../../src/events/decode/chain-piece.js';
import { splunkHec } from '../../../../src/events/envelopes/splunk-hec.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { evtxDocument, expectedSysmon3, nxlogDocument, record, summary, sysmon3Xml } from '../factories.js';

const hec = (event: unknown, extra: Record<string, unknown> = {}) => ({
  time: 1603346061.53,
  host: 'WORKSTATION5',
  sourcetype: '_json',
  event,
  ...extra,
});

describe('Splunk HEC envelope', () => {
  it.each<[string, () => Uint8Array, string[]]>([
    ['an event object', () => record(hec(evtxDocument())), ['event:evtx-json']],
    ['an event as rendered XML text', () => record(hec(sysmon3Xml(), { sourcetype: 'XmlWinEventLog' })), ['event:xml']],
    ['an event as JSON text', () => record(hec(JSON.stringify(nxlogDocument()))), ['event:nxlog']],
    [
      'a batch: envelopes back to back',
      () => record(`${JSON.stringify(hec(evtxDocument()))}${JSON.stringify(hec(nxlogDocument()))}`),
      ['event:evtx-json', 'event:nxlog'],
    ],
    ['only the event key', () => record({ event: evtxDocument() }), ['event:evtx-json']],
    ['an event that is a number', () => record(hec(42)), ['rejected:Splunk HEC event is not text or an object']],
    ['an event that is null', () => record(hec(null)), ['rejected:Splunk HEC event is not text or an object']],
    ['an empty event text', () => record(hec('')), ['rejected:record empty']],
    ['an event of unknown shape', () => record(hec({ foo: 1 })), ['rejected:unknown event shape']],
  ])('%s', (_name, make, expected) => {
    expect(summary(readRecord(make()))).toEqual(expected);
  });

  it('gives the same canonical event as the document alone', () => {
    const [outcome] = readRecord(record(hec(evtxDocument())));
    expect(outcome).toEqual({ kind: 'event', event: { ...expectedSysmon3(), format: 'evtx-json' } });
  });

  it('rejects a bad event with the envelope bytes, as sent', () => {
    const data = record(hec({ foo: 1 }));
    const [outcome] = readRecord(data);
    expect(outcome?.kind === 'rejected' && new TextDecoder().decode(outcome.raw)).toBe(new TextDecoder().decode(data));
  });

  it('is not taken for a Winlogbeat document, whose ECS `event` sits beside `winlog`', () => {
    expect(splunkHec.recognises({ event: { code: '3' }, winlog: {}, '@timestamp': 'x' })).toBe(false);
    expect(splunkHec.recognises({ time: 1, host: 'h' })).toBe(false);
    expect(splunkHec.recognises({ event: {}, time: 1, fields: {} })).toBe(true);
  });

  it(`rejects envelopes nested more than ${MAX_LAYERS} deep`, () => {
    let value: unknown = evtxDocument();
    for (let i = 0; i < MAX_LAYERS; i++) value = hec(value);
    expect(summary(readRecord(record(value)))).toEqual(['event:evtx-json']);
    expect(summary(readRecord(record(hec(value))))).toEqual(['rejected:encoding nested too deeply']);
  });
});
