import { elasticAgent } from '../../../../src/events/formats/elastic-agent.js';
import { normaliseDocument } from '../../../../src/events/formats/index.js';
import { expectedSysmon3, sysmon3Data } from '../factories.js';

const winlog = {
  channel: 'Microsoft-Windows-Sysmon/Operational',
  computer_name: 'WORKSTATION5',
  provider_name: 'Microsoft-Windows-Sysmon',
  event_id: '3',
  event_data: sysmon3Data(),
};

describe('elastic-agent', () => {
  it.each([
    ['a data stream', { data_stream: { type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' } }],
    ['agent.type filebeat', { agent: { type: 'filebeat' } }],
    ['agent.type elastic-agent', { agent: { type: 'elastic-agent' } }],
  ])('is recognised by %s and normalised like Winlogbeat', (_name, top) => {
    const document = { '@timestamp': '2020-10-22T05:54:21.530Z', winlog, ...top };
    expect(elasticAgent.recognises(document, 'json')).toBe(true);
    expect(normaliseDocument(document, 'json')).toEqual({
      ok: true,
      value: { ...expectedSysmon3(), format: 'elastic-agent' },
    });
  });

  it('leaves a Winlogbeat document (agent.type winlogbeat, no data stream) to the winlogbeat reader', () => {
    const document = { '@timestamp': '2020-10-22T05:54:21.530Z', winlog, agent: { type: 'winlogbeat' } };
    expect(elasticAgent.recognises(document, 'json')).toBe(false);
    const result = normaliseDocument(document, 'json');
    expect(result.ok && result.value.format).toBe('winlogbeat');
  });
});
