import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import {
  createEnrichmentContext,
  createHooks,
  type EnrichmentContext,
  type EnrichmentOptions,
  runHooks,
} from '../../../src/hooks/index.js';
import { dnsClient3008, PS_GUID, seedScenario, sysmon3, sysmon22, T0 } from './event-factories.js';

const IP = '151.101.248.133';
const OTHER_GUID = '{39e4a257-0000-0000-0000-000000000001}';

/** Runs the default hooks over the events sorted by time, as the pipeline does. */
function enrich(events: CanonicalEvent[], options: EnrichmentOptions = {}): EnrichmentContext {
  const context = createEnrichmentContext(options);
  runHooks(
    [...events].sort((a, b) => a.time - b.time),
    createHooks(options),
    context,
  );
  return context;
}

/** The counters of the two DNS hooks of a context. */
function countersOf(context: EnrichmentContext) {
  return { dns: context.counters['dns-answers'] ?? {}, net: context.counters['netconn-hostname'] ?? {} };
}

function answer(name: string, time: number, guid = PS_GUID, host?: string): CanonicalEvent {
  return sysmon22({ name, time, guid, host, results: `::ffff:${IP};` });
}

describe('netconn-hostname', () => {
  it('names the connection from the same process answer and keeps the Sysmon value aside', () => {
    // Prepare
    const connection = sysmon3({});
    const events = [sysmon22({ time: T0 + 5 }), connection];
    // Act
    const counters = countersOf(enrich(events));
    // Assess
    expect(connection.data).toMatchObject({
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameOriginal: '-',
      DestinationHostnameSource: 'dns-process',
      DestinationHostnameCnames: 'github.map.fastly.net',
    });
    expect(counters.dns).toMatchObject({ answers: 1 });
    expect(counters.net).toMatchObject({ enrichedProcess: 1, enrichedHost: 0 });
  });

  it('prefers the same process over a nearer answer of another process', () => {
    const connection = sysmon3({});
    enrich([answer('raw.githubusercontent.com', T0 - 10_000), answer('other.example', T0 - 1, OTHER_GUID), connection]);
    expect(connection.data.DestinationHostname).toBe('raw.githubusercontent.com');
    expect(connection.data.DestinationHostnameSource).toBe('dns-process');
  });

  it('takes the same-process answer nearest in time, before or after', () => {
    const nearBefore = sysmon3({});
    enrich([answer('far.example', T0 - 60_000), answer('near.example', T0 - 1000), nearBefore]);
    expect(nearBefore.data.DestinationHostname).toBe('near.example');

    const nearAfter = sysmon3({});
    enrich([answer('before.example', T0 - 10), answer('after.example', T0 + 3), nearAfter]);
    expect(nearAfter.data.DestinationHostname).toBe('after.example');
  });

  it('does not take a Sysmon 22 answer of another ProcessGuid with the same ProcessId as same-process', () => {
    const connection = sysmon3({});
    enrich([sysmon22({ guid: OTHER_GUID, pid: '6708', time: T0 - 5 }), connection]);
    expect(connection.data.DestinationHostnameSource).toBe('dns-host');
  });

  it('host level: the latest answer before the connection, from any process', () => {
    const connection = sysmon3({ guid: '{not-the-resolver}' });
    enrich([
      answer('older.example', T0 - 120_000, OTHER_GUID),
      answer('latest.example', T0 - 60_000, '{another}'),
      answer('after.example', T0 + 1000, OTHER_GUID),
      connection,
    ]);
    expect(connection.data.DestinationHostname).toBe('latest.example');
    expect(connection.data.DestinationHostnameSource).toBe('dns-host');
  });

  it('host level: the earliest answer within the look-ahead when none came before', () => {
    const connection = sysmon3({ guid: '{not-the-resolver}' });
    enrich([answer('later.example', T0 + 3000, OTHER_GUID), answer('soon.example', T0 + 2000, OTHER_GUID), connection]);
    expect(connection.data.DestinationHostname).toBe('soon.example');
  });

  it.each([
    ['same process', PS_GUID],
    ['host level', OTHER_GUID],
  ])('%s: an answer exactly lookAheadMs after counts, 1 ms later does not', (_label, guid) => {
    const inside = sysmon3({});
    enrich([answer('inside.example', T0 + 5000, guid), inside]);
    expect(inside.data.DestinationHostname).toBe('inside.example');

    const outside = sysmon3({});
    const counters = countersOf(enrich([answer('outside.example', T0 + 5001, guid), outside]));
    expect(outside.data.DestinationHostname).toBe('-');
    expect(outside.data.DestinationHostnameSource).toBeUndefined();
    expect(counters.net.missed).toBe(1);
  });

  it('honours a configured look-ahead', () => {
    const connection = sysmon3({});
    enrich([answer('late.example', T0 + 5001), connection], { lookAheadMs: 0 });
    expect(connection.data.DestinationHostnameSource).toBeUndefined();
  });

  it('ignores answers older than the retention before the connection', () => {
    const atLimit = sysmon3({});
    enrich([answer('day-old.example', T0 - 86_400_000), atLimit]);
    expect(atLimit.data.DestinationHostname).toBe('day-old.example');

    const beyond = sysmon3({});
    enrich([answer('too-old.example', T0 - 60_001), beyond], { retentionMs: 60_000 });
    expect(beyond.data.DestinationHostnameSource).toBeUndefined();
  });

  it('keeps the evidence of an earlier answer when the same process resolves the name again much later', () => {
    const connection = sysmon3({});
    enrich([answer('again.example', T0 - 10_000), answer('again.example', T0 + 3_600_000), connection]);
    expect(connection.data.DestinationHostname).toBe('again.example');
    expect(connection.data.DestinationHostnameSource).toBe('dns-process');
  });

  it('never uses a name another host resolved', () => {
    const connection = sysmon3({});
    const counters = countersOf(enrich([answer('elsewhere.example', T0 - 1, PS_GUID, 'WORKSTATION6'), connection]));
    expect(connection.data.DestinationHostname).toBe('-');
    expect(counters.net.missed).toBe(1);
  });

  it('compares host names case-insensitively', () => {
    const connection = sysmon3({ host: 'workstation5.THESHIRE.local' });
    enrich([answer('cased.example', T0 - 1, PS_GUID, 'WORKSTATION5.theshire.local'), connection]);
    expect(connection.data.DestinationHostname).toBe('cased.example');
  });

  it('matches an uncompressed IPv6 destination with its RFC 5952 answer', () => {
    const connection = sysmon3({ ip: '2001:db8:0:0:0:0:0:1' });
    enrich([sysmon22({ name: 'v6.example', results: '2001:db8::1;', time: T0 - 1 }), connection]);
    expect(connection.data.DestinationHostname).toBe('v6.example');
  });

  describe('modes', () => {
    it('replace (default) replaces a reverse-DNS name and keeps it in DestinationHostnameOriginal', () => {
      const connection = sysmon3({ hostname: 'cdn-151-101-248-133.fastly.example' });
      enrich([answer('raw.githubusercontent.com', T0 - 1), connection]);
      expect(connection.data.DestinationHostname).toBe('raw.githubusercontent.com');
      expect(connection.data.DestinationHostnameOriginal).toBe('cdn-151-101-248-133.fastly.example');
    });

    it('fill-empty leaves a Sysmon name alone and counts it as kept', () => {
      const connection = sysmon3({ hostname: 'cdn-151-101-248-133.fastly.example' });
      const counters = countersOf(
        enrich([answer('raw.githubusercontent.com', T0 - 1), connection], { mode: 'fill-empty' }),
      );
      expect(connection.data.DestinationHostname).toBe('cdn-151-101-248-133.fastly.example');
      expect(connection.data.DestinationHostnameOriginal).toBeUndefined();
      expect(connection.data.DestinationHostnameSource).toBeUndefined();
      expect(counters.net.kept).toBe(1);
    });

    it.each(['-', ''])('fill-empty fills %j', (hostname) => {
      const connection = sysmon3({ hostname });
      enrich([answer('raw.githubusercontent.com', T0 - 1), connection], { mode: 'fill-empty' });
      expect(connection.data.DestinationHostname).toBe('raw.githubusercontent.com');
      expect(connection.data.DestinationHostnameOriginal).toBe(hostname);
    });
  });

  it('does not overwrite DestinationHostnameOriginal when run twice over the same event', () => {
    const connection = sysmon3({});
    const events = [sysmon22({ time: T0 - 1 }), connection];
    enrich(events);
    enrich(events);
    expect(connection.data.DestinationHostnameOriginal).toBe('-');
    expect(connection.data.DestinationHostname).toBe('raw.githubusercontent.com');
  });

  it.each([
    ['127.0.0.1', 'localhost'],
    ['0:0:0:0:0:0:0:1', 'localhost'],
    ['fe80:0:0:0:e086:822b:9735:45c8', 'hfdc01'],
    ['224.0.0.251', 'mdns.example'],
  ])('skips the non-enrichable destination %s', (ip, name) => {
    const connection = sysmon3({ ip });
    const counters = countersOf(enrich([sysmon22({ name, results: `${ip};`, time: T0 - 1 }), connection]));
    expect(connection.data.DestinationHostname).toBe('-');
    expect(connection.data.DestinationHostnameSource).toBeUndefined();
    expect(counters.net.skipped).toBe(1);
  });

  it.each<[string, CanonicalEvent]>([
    ['garbage DestinationIp', sysmon3({ ip: 'garbage' })],
    ['no DestinationIp', { ...sysmon3({}), data: { DestinationHostname: '-' } }],
    ['no data', { ...sysmon3({}), data: undefined as unknown as Record<string, string> }],
    ['a non-string host', { ...sysmon3({}), host: undefined as unknown as string }],
    ['a NaN time', { ...sysmon3({}), time: Number.NaN }],
  ])('never throws and counts %s as invalid', (_label, event) => {
    const context = createEnrichmentContext();
    runHooks([sysmon22({ time: T0 - 1, results: `::ffff:${IP};` })], createHooks(), context);
    expect(() => runHooks([event], createHooks(), context)).not.toThrow();
    expect(countersOf(context).net.invalid).toBe(1);
  });

  describe('the founding scenario (../shared/seed-events)', () => {
    it('Edge -> rawsec.lu, keeping Sysmon pf-lb-2.online.net; svchost -> sls.update.microsoft.com with its CNAME', () => {
      // Prepare
      const { edgeConnection, svchostConnection, slsAnswer, rawsecAnswer } = seedScenario();
      // Act
      const counters = countersOf(enrich([edgeConnection, svchostConnection, slsAnswer, rawsecAnswer]));
      // Assess: the 3008 ProcessID equals the connection's ProcessId (5196, 1044), within the window
      expect(edgeConnection.data).toMatchObject({
        DestinationHostname: 'rawsec.lu',
        DestinationHostnameOriginal: 'pf-lb-2.online.net',
        DestinationHostnameSource: 'dns-process',
      });
      expect(edgeConnection.data.DestinationHostnameCnames).toBeUndefined();
      expect(svchostConnection.data).toMatchObject({
        DestinationHostname: 'sls.update.microsoft.com',
        DestinationHostnameOriginal: '',
        DestinationHostnameSource: 'dns-process',
        DestinationHostnameCnames: 'sls.update.microsoft.com.nsatc.net',
      });
      expect(counters.dns).toMatchObject({ answerEvents: 2 });
      expect(counters.net).toMatchObject({ enrichedProcess: 2, missed: 0 });
    });

    it('a DNS-Client answer of another ProcessID still names the connection at host level', () => {
      const { svchostConnection, slsAnswer } = seedScenario();
      slsAnswer.processId = 4242;
      enrich([svchostConnection, slsAnswer]);
      expect(svchostConnection.data.DestinationHostname).toBe('sls.update.microsoft.com');
      expect(svchostConnection.data.DestinationHostnameSource).toBe('dns-host');
    });

    it('a DNS-Client answer with the same ProcessID beats another process nearer in time', () => {
      const { svchostConnection, slsAnswer } = seedScenario();
      const nearer = dnsClient3008({
        host: 'DESKTOP-5SUA567',
        name: 'other.example',
        results: '13.74.179.117;',
        time: svchostConnection.time - 1,
        processId: 999,
      });
      enrich([svchostConnection, slsAnswer, nearer]);
      expect(svchostConnection.data.DestinationHostname).toBe('sls.update.microsoft.com');
      expect(svchostConnection.data.DestinationHostnameSource).toBe('dns-process');
    });
  });
});
