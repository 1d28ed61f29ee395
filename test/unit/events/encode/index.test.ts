import type { CanonicalEvent, ShipperFormat } from '../../../../src/events/canonical-event.js';
import { ENCODERS, encodeEvent } from '../../../../src/events/encode/index.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { expectedSysmon3 } from '../factories.js';

const FORMATS = Object.keys(ENCODERS) as ShipperFormat[];

const EVENTS: Array<[string, CanonicalEvent]> = [
  ['the Sysmon 3 connection', { ...expectedSysmon3(), recordId: 98765, processId: 2400, format: 'nxlog' }],
  [
    'a DNS-Client 3008 answer',
    {
      host: 'WORKSTATION5',
      channel: 'Microsoft-Windows-DNS-Client/Operational',
      provider: 'Microsoft-Windows-DNS-Client',
      eventId: 3008,
      time: Date.UTC(2020, 9, 22, 5, 54, 21, 500),
      recordId: 1234,
      processId: 6708,
      format: 'evtx-json',
      data: {
        QueryName: 'raw.githubusercontent.com',
        QueryType: '1',
        QueryOptions: '140737488355328',
        QueryStatus: '0',
        QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
      },
    },
  ],
  [
    'a Security event with markup characters and an unknown schema',
    {
      host: 'dc01.example.com',
      channel: 'Security',
      provider: 'Microsoft-Windows-Security-Auditing',
      eventId: 4688,
      time: Date.UTC(2021, 0, 2, 3, 4, 5, 6),
      format: 'xml',
      data: { CommandLine: 'cmd /c "a & b" <x> \'y\'', ProcessID: '0x1f', Empty: '' },
    },
  ],
];

const cases = EVENTS.flatMap(([name, event]) => FORMATS.map((format) => [name, format, event] as const));

describe('encoders round-trip through readRecord', () => {
  it.each(cases)('%s as %s', (_name, format, event) => {
    // Act
    const outcomes = readRecord(new TextEncoder().encode(encodeEvent(event, format)));
    // Assess
    const expected: CanonicalEvent = { ...event, format };
    if (format === 'kinesis-agent') delete expected.processId;
    expect(outcomes).toEqual([{ kind: 'event', event: expected }]);
  });
});
