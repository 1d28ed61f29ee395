import { answersFromEvent, readDnsAnswers } from '../../../src/dns/answers-from-event.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { LIMITS } from '../../../src/limits.js';
import { dnsClient3008, seedScenario, sysmon3, sysmon22, T0 } from '../hooks/event-factories.js';

describe('answersFromEvent', () => {
  it('reads a Sysmon 22 answer with its process and CNAME chain', () => {
    // Prepare
    const event = sysmon22({ name: 'raw.githubusercontent.com.' });
    // Act
    const answers = answersFromEvent(event);
    // Assess
    expect(answers).toEqual([
      {
        host: 'workstation5',
        ip: '151.101.248.133',
        name: 'raw.githubusercontent.com',
        cnames: ['github.map.fastly.net'],
        time: T0,
        processGuid: '{39e4a257-1e6c-5f91-c712-000000000700}',
        processId: 6708,
        image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        source: 'sysmon-22',
      },
    ]);
  });

  it('reads a DNS-Client 3008 answer with the System ProcessID and no ProcessGuid (seed 03)', () => {
    const answers = answersFromEvent(seedScenario().slsAnswer);
    expect(answers).toEqual([
      {
        host: 'desktop-5sua567',
        ip: '13.74.179.117',
        name: 'sls.update.microsoft.com',
        cnames: ['sls.update.microsoft.com.nsatc.net'],
        time: Date.parse('2018-06-17T13:34:05.350Z'),
        processId: 1044,
        source: 'dns-client-3008',
      },
    ]);
  });

  it('gives one answer per address', () => {
    const event = sysmon22({
      name: 'ctldl.windowsupdate.com',
      results: 'type:  5 a767.dscg3.akamai.net;::ffff:23.63.247.25;::ffff:23.63.247.34;',
    });
    expect(answersFromEvent(event).map((a) => a.ip)).toEqual(['23.63.247.25', '23.63.247.34']);
  });

  it('upper-case ProcessGuid and host are normalised', () => {
    const [answer] = answersFromEvent(sysmon22({ host: ' HOST-A ', guid: '{B2796A13-61E0-5B27-0000-00108D544202}' }));
    expect(answer?.host).toBe('host-a');
    expect(answer?.processGuid).toBe('{b2796a13-61e0-5b27-0000-00108d544202}');
  });

  it.each<[string, CanonicalEvent]>([
    ['a failed query (QueryStatus 9701, results -)', sysmon22({ status: '9701', results: '-' })],
    ['a non-zero status even with results', sysmon22({ status: '9003' })],
    ['a DNS-Client failure (status 1460, no results)', dnsClient3008({ status: '1460', results: '' })],
    [
      'a PTR answer',
      sysmon22({ name: '8.39.18.172.in-addr.arpa.', results: 'type:  12 ip-172-18-39-8.ec2.internal;' }),
    ],
    ['a Sysmon 3 connection', sysmon3({})],
    ['an event 22 of another channel', { ...sysmon22({}), channel: 'Security' }],
    ['no QueryName', { ...sysmon22({}), data: { QueryResults: '1.2.3.4;', QueryStatus: '0' } }],
    ['no data at all', { ...sysmon22({}), data: undefined as unknown as Record<string, string> }],
    ['a query name longer than any DNS name', sysmon22({ name: `${'a'.repeat(LIMITS.dnsNameChars - 3)}.com` })],
  ])('gives nothing for %s', (_label, event) => {
    expect(answersFromEvent(event)).toEqual([]);
  });

  it('answers for a query name of the longest DNS name', () => {
    const name = `${'a'.repeat(LIMITS.dnsNameChars - 4)}.com`;
    expect(answersFromEvent(sysmon22({ name })).map((answer) => answer.name)).toEqual([name]);
  });
});

describe('readDnsAnswers', () => {
  const ips = (count: number) => Array.from({ length: count }, (_v, i) => `10.0.${i >> 8}.${i & 255}`);
  const steps = (count: number) => Array.from({ length: count }, (_v, i) => `type:  5 s${i}.example`);

  it.each<[string, CanonicalEvent, number, { ips: number; cnames: number }]>([
    ['an ordinary answer', sysmon22({}), 1, { ips: 0, cnames: 0 }],
    [
      'a Sysmon 22 over both caps',
      sysmon22({ results: `${[...steps(LIMITS.cnamesPerAnswer + 2), ...ips(LIMITS.ipsPerAnswer + 5)].join(';')};` }),
      LIMITS.ipsPerAnswer,
      { ips: 5, cnames: 2 },
    ],
    [
      'a DNS-Client 3008 over the address cap',
      dnsClient3008({ results: `${ips(LIMITS.ipsPerAnswer + 1).join(';')};` }),
      LIMITS.ipsPerAnswer,
      { ips: 1, cnames: 0 },
    ],
    [
      'a failed query over the caps: no answer, nothing counted',
      sysmon22({ status: '9701', results: `${ips(LIMITS.ipsPerAnswer + 5).join(';')};` }),
      0,
      { ips: 0, cnames: 0 },
    ],
  ])('keeps the event and counts what the caps dropped: %s', (_name, event, answers, dropped) => {
    // Act
    const read = readDnsAnswers(event);
    // Assess
    expect(read.answers).toHaveLength(answers);
    expect(read.dropped).toEqual(dropped);
    expect(read.answers).toEqual(answersFromEvent(event));
  });

  it('gives every capped answer the capped chain', () => {
    const event = sysmon22({ results: `${[...steps(40), ...ips(3)].join(';')};` });
    const { answers } = readDnsAnswers(event);
    expect(answers.map((answer) => answer.cnames.length)).toEqual([16, 16, 16]);
  });
});
