import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { createEnrichmentContext, createHooks, HOOK_NAMES, planHooks, runHooks } from '../../../src/hooks/index.js';
import {
  CidrTable,
  compileNetworkTable,
  createNetworkLabelHook,
  InvalidNetworkTableError,
  type NetworkLabelOptions,
  PRIVATE_RANGES,
  parseNetworkTable,
} from '../../../src/hooks/network-label.js';
import { dnsClient3008, sysmon3 } from './event-factories.js';

/** A Sysmon 3 connection from `source` to `destination` (either may be missing: undefined drops the field). */
function connection(destination: string | undefined, source: string | undefined = '10.0.0.5'): CanonicalEvent {
  const event = sysmon3({});
  if (destination === undefined) delete event.data.DestinationIp;
  else event.data.DestinationIp = destination;
  if (source !== undefined) event.data.SourceIp = source;
  return event;
}

function run(events: CanonicalEvent[], networkLabels: NetworkLabelOptions | undefined = {}) {
  const context = createEnrichmentContext({ networkLabels });
  runHooks(events, planHooks([createNetworkLabelHook({ networkLabels })]), context);
  return context.counters['network-label'];
}

const TABLE = {
  '10.0.0.0/8': 'corp',
  '10.20.0.0/16': 'corp-vpn',
  '10.20.30.0/24': 'office-paris',
  '203.0.113.0/24': 'partner-documentation',
  '2001:db8:aa::/48': 'corp-v6',
  '2001:db8:aa:bb::/64': 'lab-v6',
};

describe('network-label hook', () => {
  it.each([
    // [destination, IsPrivate, Network]
    ['151.101.248.133', 'false', undefined],
    ['10.1.2.3', 'true', 'corp'],
    ['10.20.1.1', 'true', 'corp-vpn'],
    ['10.20.30.40', 'true', 'office-paris'],
    ['172.16.0.1', 'true', undefined],
    ['172.31.255.255', 'true', undefined],
    ['172.32.0.1', 'false', undefined],
    ['192.168.1.1', 'true', undefined],
    ['100.64.0.1', 'true', undefined],
    ['100.127.255.255', 'true', undefined],
    ['100.128.0.1', 'false', undefined],
    ['127.0.0.1', 'true', undefined],
    ['169.254.10.1', 'true', undefined],
    ['224.0.0.251', 'true', undefined],
    ['255.255.255.255', 'true', undefined],
    ['203.0.113.9', 'true', 'partner-documentation'],
    ['8.8.8.8', 'false', undefined],
    // IPv4-mapped IPv6 is its IPv4 address, in both notations.
    ['::ffff:10.20.30.40', 'true', 'office-paris'],
    ['::ffff:8c52:7103', 'false', undefined],
    ['0:0:0:0:0:ffff:c0a8:0101', 'true', undefined],
    // IPv6: ULA (RFC 4193), link-local, loopback, multicast, documentation, global.
    ['fd12:3456:789a::1', 'true', undefined],
    ['fc00::1', 'true', undefined],
    ['fe80::1c2d:0:0:5', 'true', undefined],
    ['fe80::1%12', 'true', undefined],
    ['::1', 'true', undefined],
    ['0:0:0:0:0:0:0:1', 'true', undefined],
    ['ff02::fb', 'true', undefined],
    ['2001:DB8:AA:BB::7', 'true', 'lab-v6'],
    ['2001:db8:aa:cc::7', 'true', 'corp-v6'],
    ['2606:4700:4700::1111', 'false', undefined],
  ])('%s: DestinationIsPrivate %s, DestinationNetwork %s', (ip, isPrivate, network) => {
    const event = connection(ip);
    run([event], { table: TABLE });
    expect(event.data.DestinationIsPrivate).toBe(isPrivate);
    expect(event.data.DestinationNetwork).toBe(network);
    // The source side (10.0.0.5) is labelled on its own.
    expect(event.data).toMatchObject({ SourceIsPrivate: 'true', SourceNetwork: 'corp' });
  });

  it.each([['-'], [''], ['not-an-ip'], ['010.0.0.1'], ['1.2.3'], ['::1::2']])(
    'writes nothing for an invalid address %j and counts it',
    (ip) => {
      const event = connection(ip, 'garbage');
      const counters = run([event], { table: TABLE });
      expect(Object.keys(event.data).filter((k) => /IsPrivate|Network$/.test(k))).toEqual([]);
      expect(counters).toEqual({ labelled: 0, private: 0, public: 0, invalid: 2 });
    },
  );

  it('counts per address: labelled, private, public, invalid', () => {
    const events = [
      connection('8.8.8.8', '10.20.30.7'), // public + private (labelled)
      connection('192.168.0.1', '192.168.0.2'), // private + private, no label
      connection(undefined, '2001:db8:aa::1'), // invalid + private (labelled)
      connection('2606:4700:4700::1111', '2606:4700:4700::1001'), // public + public
    ];
    delete events[1]?.data.SourceIp;
    const counters = run(events, { table: TABLE });
    expect(counters).toEqual({ labelled: 2, private: 3, public: 3, invalid: 2 });
  });

  it('selects only Sysmon 3: other events are left untouched', () => {
    const answer = dnsClient3008({});
    const before = structuredClone(answer);
    run([answer], { table: TABLE });
    expect(answer).toEqual(before);
  });

  it('does not run (selects nothing, no counters) without networkLabels, and runs as registered with it', () => {
    expect(HOOK_NAMES).toContain('network-label');
    const off = createHooks({}).find((hook) => hook.name === 'network-label');
    expect(off).toMatchObject({ picks: [], pokes: [], counters: [] });
    const event = connection('8.8.8.8');
    const context = createEnrichmentContext({});
    runHooks([event], planHooks(createHooks({}, ['network-label'])), context);
    expect(event.data.DestinationIsPrivate).toBeUndefined();
    // Off, it is not planned, so the summary has no empty `network-label: {}` entry.
    expect(context.counters['network-label']).toBeUndefined();
    expect(planHooks(createHooks({})).hooks.map((hook) => hook.name)).not.toContain('network-label');

    const on = createHooks({ networkLabels: {} }, ['network-label']);
    runHooks([event], planHooks(on), context);
    expect(event.data).toMatchObject({ DestinationIsPrivate: 'false', SourceIsPrivate: 'true' });
    expect(event.data.DestinationNetwork).toBeUndefined();
  });
});

describe('CidrTable', () => {
  it('longest prefix wins whatever the order the entries were added in', () => {
    const entries = Object.entries(TABLE);
    const forward = compileNetworkTable(entries.map(([cidr, label]) => ({ cidr, label })));
    const backward = compileNetworkTable(entries.reverse().map(([cidr, label]) => ({ cidr, label })));
    for (const ip of ['10.20.30.1', '10.20.31.1', '10.99.0.1', '2001:db8:aa:bb::1', '2001:db8:aa:1::1']) {
      expect(backward.lookup(ip)).toBe(forward.lookup(ip));
    }
    expect(forward.lookup('10.20.30.1')).toBe('office-paris');
    expect(forward.lookup('10.20.31.1')).toBe('corp-vpn');
  });

  it('a /0 holds everything of its family only; a bare address is one host', () => {
    const table = new CidrTable<string>();
    table.add('0.0.0.0/0', 'any-v4');
    table.add('192.0.2.7', 'one-host');
    table.add('::/0', 'any-v6');
    expect(table.lookup('192.0.2.7')).toBe('one-host');
    expect(table.lookup('192.0.2.8')).toBe('any-v4');
    expect(table.lookup('2001:db8::1')).toBe('any-v6');
  });

  it('an IPv4-mapped CIDR is the IPv4 network', () => {
    const table = compileNetworkTable({ '::ffff:10.20.0.0/112': 'vpn' });
    expect(table.lookup('10.20.255.1')).toBe('vpn');
    expect(table.lookup('10.21.0.1')).toBeUndefined();
  });

  it('finds nothing for text that is not an IP address, even with a /0', () => {
    const table = compileNetworkTable({ '0.0.0.0/0': 'any-v4', '::/0': 'any-v6' });
    for (const text of ['corp', 'zz::1', '10.0.0', '']) expect(table.lookup(text)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1/8', /host bits set/],
    ['10.0.0.0/33', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['2001:db8::/129', /prefix length/],
    ['2001:db8::1/32', /host bits set/],
    ['::ffff:10.0.0.0/95', /prefix length/],
    ['fe80::%1/64', /not an IP/],
    ['corp', /not an IP/],
  ])('rejects %s', (cidr, message) => {
    expect(() => new CidrTable().add(cidr, 'x')).toThrow(InvalidNetworkTableError);
    expect(() => new CidrTable().add(cidr, 'x')).toThrow(message);
  });

  it('rejects a CIDR given twice (in two spellings) and entries without a label', () => {
    expect(() =>
      compileNetworkTable([
        { cidr: '2001:db8::/32', label: 'a' },
        { cidr: '2001:0DB8:0::/32', label: 'b' },
      ]),
    ).toThrow(/twice/);
    expect(() => compileNetworkTable({ '10.0.0.0/8': ' ' })).toThrow(/non-empty label/);
    expect(() => createNetworkLabelHook({ networkLabels: { table: { '10.0.0.1/8': 'x' } } })).toThrow(
      InvalidNetworkTableError,
    );
  });

  it('the built-in private ranges are all valid and distinct', () => {
    expect(() => compileNetworkTable(PRIVATE_RANGES)).not.toThrow();
    expect(PRIVATE_RANGES.map((range) => range.cidr)).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']),
    );
  });
});

describe('parseNetworkTable', () => {
  it('reads CSV with a header, comments and commas in labels', () => {
    const text = 'cidr,label\n# the VPN\n10.20.0.0/16, corp-vpn\r\n\n192.0.2.0/24,AS64496, Example Net\n';
    expect(parseNetworkTable(text)).toEqual([
      { cidr: '10.20.0.0/16', label: 'corp-vpn' },
      { cidr: '192.0.2.0/24', label: 'AS64496, Example Net' },
    ]);
  });

  it('reads a JSON object or array', () => {
    expect(parseNetworkTable('{ "10.0.0.0/8": "corp" }')).toEqual([{ cidr: '10.0.0.0/8', label: 'corp' }]);
    expect(parseNetworkTable('[{ "cidr": "fc00::/7", "label": "ula" }]')).toEqual([{ cidr: 'fc00::/7', label: 'ula' }]);
  });

  it.each([
    ['10.0.0.0/8\n', /line 1: expected "cidr,label"/],
    ['10.0.0.0/8,corp\n10.1.0.0/16,\n', /line 2: the label is empty/],
    ['{ "10.0.0.0/8": ', /not JSON/],
  ])('rejects %j naming the line', (text, message) => {
    expect(() => parseNetworkTable(text)).toThrow(message);
  });
});
