import { normalizeDnsName, parseQueryResults } from '../../../src/dns/query-results.js';
import { LIMITS } from '../../../src/limits.js';

const NONE_DROPPED = { ips: 0, cnames: 0 };

/** `count` distinct IPv4 addresses as Windows lists them (`::ffff:` form), from 10.0.0.0 up. */
function ipList(count: number): string[] {
  return Array.from({ length: count }, (_v, i) => `::ffff:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
}

function cnameSteps(count: number): string[] {
  return Array.from({ length: count }, (_v, i) => `type:  5 step${i}.example.net`);
}

describe('parseQueryResults', () => {
  // Real QueryResults values from the OTRF recordings and the seed events.
  it.each([
    ['::ffff:140.82.113.3;', [], ['140.82.113.3']],
    ['type:  5 github.map.fastly.net;::ffff:151.101.248.133;', ['github.map.fastly.net'], ['151.101.248.133']],
    [
      'type:  5 global.asimov.events.data.trafficmanager.net;type:  5 skypedataprdcolneu01.cloudapp.net;::ffff:52.114.76.37;',
      ['global.asimov.events.data.trafficmanager.net', 'skypedataprdcolneu01.cloudapp.net'],
      ['52.114.76.37'],
    ],
    [
      'type:  5 audownload.windowsupdate.nsatc.net;type:  5 au.download.windowsupdate.com.edgesuite.net;type:  5 a767.dscg3.akamai.net;::ffff:23.63.247.25;::ffff:23.63.247.34;::ffff:23.63.247.18;',
      ['audownload.windowsupdate.nsatc.net', 'au.download.windowsupdate.com.edgesuite.net', 'a767.dscg3.akamai.net'],
      ['23.63.247.25', '23.63.247.34', '23.63.247.18'],
    ],
    [
      'type:  5 teams-ring.teams-9999.teams-msedge.net;type:  5 teams-9999.teams-msedge.net;52.113.196.254;',
      ['teams-ring.teams-9999.teams-msedge.net', 'teams-9999.teams-msedge.net'],
      ['52.113.196.254'],
    ],
    ['::1;::ffff:127.0.0.1;', [], ['::1', '127.0.0.1']],
    ['fe80::9818:268f:9265:bd80;::ffff:172.18.39.106;', [], ['fe80::9818:268f:9265:bd80', '172.18.39.106']],
    ['140.82.113.3;', [], ['140.82.113.3']],
    // seed 03 (DNS-Client 3008)
    [
      'type:  5 sls.update.microsoft.com.nsatc.net;13.74.179.117;',
      ['sls.update.microsoft.com.nsatc.net'],
      ['13.74.179.117'],
    ],
    // no trailing ';', a trailing dot, upper case, duplicates
    ['type:  5 Edge.Example.NET.;2001:0db8::0001;2001:db8::1', ['edge.example.net'], ['2001:db8::1']],
  ])('%j', (text, cnames, ips) => {
    expect(parseQueryResults(text)).toEqual({ cnames, ips, dropped: NONE_DROPPED });
  });

  it.each([
    ['-'],
    [''],
    [';'],
    // PTR answers (Sysmon's own reverse lookups): a name, no address
    ['type:  12 ip-172-18-39-8.ec2.internal;'],
    ['type:  12 a23-63-247-25.deploy.static.akamaitechnologies.com;'],
    // SRV: the address after it is the target's (additional section), not the queried name's
    ['type:  33 ;172.18.38.5;'],
    ['type:  15 mail.example.com;::ffff:192.0.2.1;'],
    // invalid IP text is ignored
    ['::ffff:999.1.1.1;not-an-ip;1.2.3;'],
  ])('%j has no address', (text) => {
    expect(parseQueryResults(text).ips).toEqual([]);
  });

  it('never throws on non-string input', () => {
    expect(parseQueryResults(undefined)).toEqual({ cnames: [], ips: [], dropped: NONE_DROPPED });
    expect(parseQueryResults(7 as unknown as string)).toEqual({ cnames: [], ips: [], dropped: NONE_DROPPED });
  });
});

describe('parseQueryResults caps', () => {
  it.each<[string, string, number, number, { ips: number; cnames: number }]>([
    ['exactly the most addresses', `${ipList(LIMITS.ipsPerAnswer).join(';')};`, 0, LIMITS.ipsPerAnswer, NONE_DROPPED],
    [
      'one address over the most',
      `${ipList(LIMITS.ipsPerAnswer + 1).join(';')};`,
      0,
      LIMITS.ipsPerAnswer,
      { ips: 1, cnames: 0 },
    ],
    [
      'duplicates over the cap are neither kept nor counted',
      `${[...ipList(LIMITS.ipsPerAnswer + 2), ...ipList(LIMITS.ipsPerAnswer + 2)].join(';')};`,
      0,
      LIMITS.ipsPerAnswer,
      { ips: 2, cnames: 0 },
    ],
    [
      'exactly the most CNAME steps',
      `${cnameSteps(LIMITS.cnamesPerAnswer).join(';')};1.2.3.4;`,
      LIMITS.cnamesPerAnswer,
      1,
      NONE_DROPPED,
    ],
    [
      'three CNAME steps over the most',
      `${cnameSteps(LIMITS.cnamesPerAnswer + 3).join(';')};1.2.3.4;`,
      LIMITS.cnamesPerAnswer,
      1,
      { ips: 0, cnames: 3 },
    ],
    ['a CNAME of the longest name is kept', `type:  5 ${'a'.repeat(LIMITS.dnsNameChars)};1.2.3.4;`, 1, 1, NONE_DROPPED],
    [
      'a CNAME longer than any DNS name is no step (and not counted)',
      `type:  5 ${'a'.repeat(LIMITS.dnsNameChars + 1)};type:  5 ok.example;1.2.3.4;`,
      1,
      1,
      NONE_DROPPED,
    ],
  ])('%s', (_name, text, cnames, ips, dropped) => {
    // Act
    const parsed = parseQueryResults(text);
    // Assess
    expect([parsed.cnames.length, parsed.ips.length, parsed.dropped]).toEqual([cnames, ips, dropped]);
  });

  it('keeps the first addresses and steps, in order', () => {
    const parsed = parseQueryResults(`${cnameSteps(40).join(';')};${ipList(200).join(';')};`);
    expect(parsed.cnames).toEqual(cnameSteps(LIMITS.cnamesPerAnswer).map((step) => step.slice(9)));
    expect(parsed.ips).toEqual(ipList(LIMITS.ipsPerAnswer).map((ip) => ip.slice(7)));
  });

  it.each<[string, () => string[], { ips: number; cnames: number }]>([
    ['78,000 addresses', () => ipList(78_000), { ips: 78_000 - LIMITS.ipsPerAnswer, cnames: 0 }],
    [
      '36,000 CNAME steps and an address',
      () => [...cnameSteps(36_000), '1.2.3.4'],
      { ips: 0, cnames: 36_000 - LIMITS.cnamesPerAnswer },
    ],
  ])('parses a 1 MB value of %s with the caps applied', (_name, items, dropped) => {
    // Prepare
    const text = `${items().join(';')};`;
    expect(text.length).toBeGreaterThan(900_000);
    // Act
    const parsed = parseQueryResults(text);
    // Assess: the counts, not the time (the parse is one pass; bench/ measures speed).
    expect(parsed.ips.length).toBe(dropped.ips > 0 ? LIMITS.ipsPerAnswer : 1);
    expect(parsed.cnames.length).toBe(dropped.cnames > 0 ? LIMITS.cnamesPerAnswer : 0);
    expect(parsed.dropped).toEqual(dropped);
  });
});

describe('normalizeDnsName', () => {
  it.each([
    [
      '_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.THESHIRE.LOCAL.',
      '_kerberos._tcp.default-first-site-name._sites.dc._msdcs.theshire.local',
    ],
    ['8.39.18.172.in-addr.arpa.', '8.39.18.172.in-addr.arpa'],
    [' MORDORDC ', 'mordordc'],
  ])('%j -> %j', (name, expected) => {
    expect(normalizeDnsName(name)).toBe(expected);
  });
});
