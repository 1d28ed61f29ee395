import { normalizeDnsName, parseQueryResults } from '../../../src/dns/query-results.js';

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
    expect(parseQueryResults(text)).toEqual({ cnames, ips });
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
    expect(parseQueryResults(undefined)).toEqual({ cnames: [], ips: [] });
    expect(parseQueryResults(7 as unknown as string)).toEqual({ cnames: [], ips: [] });
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
