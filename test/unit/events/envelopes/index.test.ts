import { ENVELOPES, findEnvelope } from '../../../../src/events/envelopes/index.js';
import { cloudWatchEnvelope, evtxDocument, nxlogDocument } from '../factories.js';

describe('envelope registry', () => {
  it('tries the envelopes in a fixed order', () => {
    expect(ENVELOPES.map((envelope) => envelope.name)).toEqual(['cloudwatch-logs', 'splunk-hec']);
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['a CloudWatch Logs payload', cloudWatchEnvelope(['x']), 'cloudwatch-logs'],
    ['a Splunk HEC event', { event: 'x', time: 1 }, 'splunk-hec'],
    ['an evtx-json document', evtxDocument(), undefined],
    ['an NXLog document', nxlogDocument(), undefined],
  ])('%s is %s', (_name, document, expected) => {
    expect(findEnvelope(document)?.name).toBe(expected);
  });
});
