import { canonicalIp, isEnrichableDestination } from '../../../src/dns/canonical-ip.js';

describe('canonicalIp', () => {
  it.each([
    // IPv4 as Sysmon 3 writes it, and the ::ffff: form Sysmon 22 uses (OTRF psh_cmstp_execution_bypassuac)
    ['151.101.248.133', '151.101.248.133'],
    ['::ffff:151.101.248.133', '151.101.248.133'],
    ['::FFFF:140.82.113.3', '140.82.113.3'],
    ['0:0:0:0:0:ffff:8c52:7103', '140.82.113.3'],
    [' 10.0.2.15 ', '10.0.2.15'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    // IPv6 as Sysmon 3 writes it (uncompressed, OTRF covenant_psremoting_grunt) -> RFC 5952
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:e086:822b:9735:45c8', 'fe80::e086:822b:9735:45c8'],
    ['fe80::9818:268f:9265:bd80', 'fe80::9818:268f:9265:bd80'],
    ['2001:0DB8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:db8::1:0:0:0:1', '2001:db8:0:1::1'], // the longest run wins
    ['::', '::'],
    ['fe80::1%12', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
  ])('%j -> %j', (text, expected) => {
    expect(canonicalIp(text)).toBe(expected);
  });

  it.each([
    '',
    '-',
    ' ',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1..2.3',
    'a.b.c.d',
    '1.2.3.4;',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::1',
    'g::1',
    '1:2:3:4:5:6:7::8',
    '::ffff:1.2.3',
    'pf-lb-2.online.net',
  ])('%j is not an IP address', (text) => {
    expect(canonicalIp(text)).toBeUndefined();
  });

  it('never throws on non-string input', () => {
    expect(canonicalIp(undefined as unknown as string)).toBeUndefined();
    expect(canonicalIp(42 as unknown as string)).toBeUndefined();
  });
});

describe('isEnrichableDestination', () => {
  it.each([
    ['151.101.248.133', true],
    ['10.0.10.106', true],
    ['172.18.39.102', true],
    ['2001:db8::2:1', true],
    ['fec0::1', true],
    ['ff::1', true], // 00ff:..., not multicast
    ['127.0.0.1', false],
    ['127.255.0.9', false],
    ['::1', false],
    ['169.254.10.1', false],
    ['fe80::e086:822b:9735:45c8', false],
    ['febf::1', false],
    ['224.0.0.251', false],
    ['239.255.255.250', false],
    ['ff02::fb', false],
    ['0.0.0.0', false],
    ['::', false],
    ['255.255.255.255', false],
    ['not-an-ip', false],
    ['', false],
  ])('%j -> %j', (ip, expected) => {
    expect(isEnrichableDestination(ip)).toBe(expected);
  });
});
