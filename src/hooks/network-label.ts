/**
 * Poke hook (stateless; the worked example of docs/hooks.md): labels both addresses of each Sysmon 3 network
 * connection from CIDR tables, so a rule can say "a connection to the internet" or "to the VPN" without listing
 * ranges itself. It writes, for `Destination` and `Source` (`DestinationIp`, `SourceIp`):
 * - `<Side>IsPrivate`: `true` when the address is in one of {@link PRIVATE_RANGES} (not a globally reachable
 *   unicast address: private-use, shared, loopback, link-local, unique-local, documentation, multicast...), else
 *   `false`;
 * - `<Side>Network`: the label of the most specific entry of the user's table that holds the address (longest
 *   prefix wins), absent when none does.
 * An address that is absent or not an IP gets neither field. Only Sysmon 3 carries `DestinationIp`/`SourceIp`
 * (Security 4624's `IpAddress`, 5156's `DestAddress` are other fields, not labelled here).
 */
import { parseIp } from '../detection/ip-address.js';
import { canonicalIp } from '../dns/canonical-ip.js';
import { type CanonicalEvent, SYSMON_CHANNEL } from '../events/canonical-event.js';
import type { EnrichmentOptions } from './enrichment-context.js';
import type { Hook, HookContext } from './hook.js';
import { SYSMON_NETWORK_CONNECT_EVENT_ID } from './netconn-hostname.js';

/** The counters of `network-label`, per address (a Sysmon 3 event has two: destination and source). */
export const NETWORK_LABEL_COUNTERS = [
  /** Addresses an entry of the user's table holds (`<Side>Network` written). */
  'labelled',
  /** Addresses in {@link PRIVATE_RANGES} (`<Side>IsPrivate` = `true`). */
  'private',
  /** Other valid addresses (`<Side>IsPrivate` = `false`). */
  'public',
  /** `DestinationIp` / `SourceIp` absent or not an IP address: nothing written for that side. */
  'invalid',
] as const;

export type NetworkLabelCounter = (typeof NETWORK_LABEL_COUNTERS)[number];

/** One entry of a CIDR table: `10.20.0.0/16` (a bare address is a /32 or /128) and its label. */
export interface NetworkTableEntry {
  cidr: string;
  label: string;
}

/** A CIDR table: entries, or an object from CIDR to label (`{ "10.20.0.0/16": "corp-vpn" }`). */
export type NetworkTable = readonly NetworkTableEntry[] | Readonly<Record<string, string>>;

/** The hook's options (`EnrichmentOptions.networkLabels`). Absent: the hook does not run. */
export interface NetworkLabelOptions {
  /** The user's CIDR -> label table for `<Side>Network`. Default none: only `<Side>IsPrivate` is written. */
  table?: NetworkTable;
}

/**
 * The ranges `<Side>IsPrivate` calls private: the IANA special-purpose address registries' blocks that are not
 * globally reachable (RFC 6890 and the RFCs named), plus multicast and reserved space, so `false` means "a unicast
 * address of the public internet". IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is read as its IPv4 address.
 */
export const PRIVATE_RANGES: readonly (NetworkTableEntry & { rfc: string })[] = [
  { cidr: '0.0.0.0/8', label: 'this-network', rfc: 'RFC 791' },
  { cidr: '10.0.0.0/8', label: 'private-use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', label: 'shared-address-space', rfc: 'RFC 6598 (carrier-grade NAT)' },
  { cidr: '127.0.0.0/8', label: 'loopback', rfc: 'RFC 1122' },
  { cidr: '169.254.0.0/16', label: 'link-local', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', label: 'private-use', rfc: 'RFC 1918' },
  { cidr: '192.0.0.0/24', label: 'ietf-protocol-assignments', rfc: 'RFC 6890' },
  { cidr: '192.0.2.0/24', label: 'documentation', rfc: 'RFC 5737 (TEST-NET-1)' },
  { cidr: '192.168.0.0/16', label: 'private-use', rfc: 'RFC 1918' },
  { cidr: '198.18.0.0/15', label: 'benchmarking', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', label: 'documentation', rfc: 'RFC 5737 (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', label: 'documentation', rfc: 'RFC 5737 (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', label: 'multicast', rfc: 'RFC 5771' },
  { cidr: '240.0.0.0/4', label: 'reserved', rfc: 'RFC 1112' },
  { cidr: '255.255.255.255/32', label: 'limited-broadcast', rfc: 'RFC 919' },
  { cidr: '::/128', label: 'unspecified', rfc: 'RFC 4291' },
  { cidr: '::1/128', label: 'loopback', rfc: 'RFC 4291' },
  { cidr: '64:ff9b:1::/48', label: 'local-use-nat64', rfc: 'RFC 8215' },
  { cidr: '100::/64', label: 'discard-only', rfc: 'RFC 6666' },
  { cidr: '2001:db8::/32', label: 'documentation', rfc: 'RFC 3849' },
  { cidr: '3fff::/20', label: 'documentation', rfc: 'RFC 9637' },
  { cidr: 'fc00::/7', label: 'unique-local', rfc: 'RFC 4193' },
  { cidr: 'fe80::/10', label: 'link-local', rfc: 'RFC 4291' },
  { cidr: 'ff00::/8', label: 'multicast', rfc: 'RFC 4291' },
];

/** A CIDR table that cannot be used (reported at start-up, like a bad rule file: fix the table). */
export class InvalidNetworkTableError extends Error {
  override readonly name = 'InvalidNetworkTableError';
}

/** An address as a number: IPv4 in [0, 2^32), IPv6 as a bigint in [0, 2^128). */
type Address = { v4: true; value: number } | { v4: false; value: bigint };

/**
 * The number of canonical text (from {@link canonicalIp}: a dotted quad, or RFC 5952 IPv6 without a dotted tail),
 * read by the `cidr` modifier's parser, which gives IPv4 as 2 words and IPv6 as 8.
 */
function addressOf(canonical: string): Address | undefined {
  const words = parseIp(canonical);
  if (words === undefined) return undefined;
  if (words.length === 2) return { v4: true, value: (words[0] as number) * 65536 + (words[1] as number) };
  let value = 0n;
  for (const word of words) value = (value << 16n) | BigInt(word);
  return { v4: false, value };
}

/** The network number of `address` under a prefix length (the address with its host bits shifted out). */
function networkOf(address: Address, length: number): number | bigint {
  if (address.v4) return Math.floor(address.value / 2 ** (32 - length));
  return address.value >> BigInt(128 - length);
}

/** One family's entries: a map per prefix length, the lengths longest first. */
interface FamilyTable<Label> {
  lengths: number[];
  byLength: Map<number, Map<number | bigint, Label>>;
}

/**
 * A longest-prefix-match table over IPv4 and IPv6. Lookups cost one Map probe per distinct prefix length of the
 * address's family, so a table of a few thousand entries over a handful of lengths stays cheap per event.
 */
export class CidrTable<Label> {
  private readonly v4: FamilyTable<Label> = { lengths: [], byLength: new Map() };
  private readonly v6: FamilyTable<Label> = { lengths: [], byLength: new Map() };

  /**
   * Adds `cidr` (`a.b.c.d/n`, IPv6 `x::/n`, a bare address for one host; `::ffff:a.b.c.d/n` with n >= 96 is the
   * IPv4 network). Throws {@link InvalidNetworkTableError} on a malformed CIDR, set host bits (`10.0.0.1/8`, a
   * typo more often than not) or a CIDR already in the table.
   */
  add(cidr: string, label: Label): void {
    const text = cidr.trim();
    const slash = text.indexOf('/');
    const addressText = slash === -1 ? text : text.slice(0, slash);
    const canonical = canonicalIp(addressText);
    const address = canonical === undefined ? undefined : addressOf(canonical);
    if (address === undefined || addressText.includes('%')) {
      throw new InvalidNetworkTableError(`${JSON.stringify(cidr)} is not an IP address or CIDR`);
    }
    const bits = address.v4 ? 32 : 128;
    let length = bits;
    if (slash !== -1) {
      const lengthText = text.slice(slash + 1);
      if (!/^\d{1,3}$/.test(lengthText))
        throw new InvalidNetworkTableError(`${JSON.stringify(cidr)}: bad prefix length`);
      length = Number(lengthText);
      // An IPv4-mapped IPv6 network: its prefix counts the 96 bits of ::ffff:0:0/96.
      if (address.v4 && addressText.includes(':')) length -= 96;
      if (length < 0 || length > bits) throw new InvalidNetworkTableError(`${JSON.stringify(cidr)}: bad prefix length`);
    }
    const network = networkOf(address, length);
    const exact = address.v4 ? networkOf(address, 32) : networkOf(address, 128);
    const back = address.v4
      ? (network as number) * 2 ** (32 - length) === exact
      : (network as bigint) << BigInt(128 - length) === exact;
    if (!back) throw new InvalidNetworkTableError(`${JSON.stringify(cidr)} has host bits set`);
    const family = address.v4 ? this.v4 : this.v6;
    let entries = family.byLength.get(length);
    if (entries === undefined) {
      entries = new Map();
      family.byLength.set(length, entries);
      family.lengths.push(length);
      family.lengths.sort((a, b) => b - a);
    }
    if (entries.has(network)) throw new InvalidNetworkTableError(`${JSON.stringify(cidr)} is in the table twice`);
    entries.set(network, label);
  }

  /** The label of the longest prefix holding `canonical` (text from {@link canonicalIp}), or undefined. */
  lookup(canonical: string): Label | undefined {
    const address = addressOf(canonical);
    if (address === undefined) return undefined;
    const family = address.v4 ? this.v4 : this.v6;
    for (const length of family.lengths) {
      const label = family.byLength.get(length)?.get(networkOf(address, length));
      if (label !== undefined) return label;
    }
    return undefined;
  }
}

/** Builds a table from entries or a CIDR -> label object; throws {@link InvalidNetworkTableError}. */
export function compileNetworkTable(table: NetworkTable): CidrTable<string> {
  const compiled = new CidrTable<string>();
  const entries: readonly NetworkTableEntry[] = Array.isArray(table)
    ? (table as readonly NetworkTableEntry[])
    : Object.entries(table).map(([cidr, label]) => ({ cidr, label }));
  for (const entry of entries) {
    if (typeof entry?.cidr !== 'string' || typeof entry.label !== 'string' || entry.label.trim() === '') {
      throw new InvalidNetworkTableError(`entry ${JSON.stringify(entry)} needs a cidr and a non-empty label`);
    }
    compiled.add(entry.cidr, entry.label.trim());
  }
  return compiled;
}

/**
 * Reads a table file's text: JSON (an object CIDR -> label, or an array of `{ cidr, label }`), or CSV lines
 * `cidr,label` (the label is the rest of the line, trimmed; blank lines, `#` comments and a `cidr,label` header
 * are skipped). Throws {@link InvalidNetworkTableError} naming the line.
 */
export function parseNetworkTable(text: string): NetworkTableEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidNetworkTableError(`not JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(parsed)) return parsed as NetworkTableEntry[];
    return Object.entries(parsed as Record<string, unknown>).map(([cidr, label]) => ({ cidr, label: label as string }));
  }
  const entries: NetworkTableEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const comma = line.indexOf(',');
    if (comma === -1) throw new InvalidNetworkTableError(`line ${i + 1}: expected "cidr,label"`);
    const cidr = line.slice(0, comma).trim();
    const label = line.slice(comma + 1).trim();
    if (entries.length === 0 && cidr.toLowerCase() === 'cidr') continue;
    if (label === '') throw new InvalidNetworkTableError(`line ${i + 1}: the label is empty`);
    entries.push({ cidr, label });
  }
  return entries;
}

const PRIVATE = compileNetworkTable(PRIVATE_RANGES);

/** Sysmon 3's two address fields, and the fields written for each. */
const SIDES = [
  { ip: 'DestinationIp', isPrivate: 'DestinationIsPrivate', network: 'DestinationNetwork' },
  { ip: 'SourceIp', isPrivate: 'SourceIsPrivate', network: 'SourceNetwork' },
] as const;

/**
 * Creates the `network-label` hook. Without `options.networkLabels` it selects no event (off: its factory is
 * registered so `networkLabels: {}` is all it takes to turn it on). Throws {@link InvalidNetworkTableError} on a
 * bad table, at creation (start-up), never per event.
 */
export function createNetworkLabelHook(options: EnrichmentOptions = {}): Hook<never, NetworkLabelCounter> {
  const config = options.networkLabels;
  const table = config?.table === undefined ? undefined : compileNetworkTable(config.table);
  return {
    name: 'network-label',
    picks: [],
    pokes: config === undefined ? [] : [{ channel: SYSMON_CHANNEL, eventIds: [SYSMON_NETWORK_CONNECT_EVENT_ID] }],
    counters: config === undefined ? [] : NETWORK_LABEL_COUNTERS,
    poke(event: CanonicalEvent, { counters }: HookContext<never, NetworkLabelCounter>) {
      const data = event.data;
      for (const side of SIDES) {
        const text = data?.[side.ip];
        const ip = typeof text === 'string' ? canonicalIp(text) : undefined;
        if (ip === undefined) {
          counters.invalid++;
          continue;
        }
        const isPrivate = PRIVATE.lookup(ip) !== undefined;
        data[side.isPrivate] = isPrivate ? 'true' : 'false';
        if (isPrivate) counters.private++;
        else counters.public++;
        const label = table?.lookup(ip);
        if (label !== undefined) {
          data[side.network] = label;
          counters.labelled++;
        }
      }
    },
  };
}
