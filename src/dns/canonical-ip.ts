/**
 * IP text as Windows renders it (Sysmon 3 `DestinationIp`, Sysmon 22 / DNS-Client 3008 `QueryResults`) to one
 * canonical form, so an answer and a connection to the same address compare equal as strings.
 */

/**
 * Parses a decimal dotted quad starting at `start` and ending at `end` (exclusive).
 * Returns the 32-bit value, or -1 when the text is not exactly four decimal octets without leading zeros.
 */
function parseIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A leading zero is ambiguous (octal in some parsers); Windows never writes one.
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || parts === 3) return -1;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + octet;
}

function ipv4Text(value: number): string {
  return `${Math.floor(value / 16777216)}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/** Parses IPv6 text into 8 hextets, or returns undefined. Accepts `::`, an embedded dotted-quad tail. */
function parseIpv6(text: string): number[] | undefined {
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return undefined;
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? '' : text.slice(doubleColon + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const all = [...headGroups, ...tailGroups];
  for (let i = 0; i < all.length; i++) {
    const group = all[i] as string;
    const isLast = i === all.length - 1;
    if (isLast && group.includes('.')) {
      const v4 = parseIpv4(group, 0, group.length);
      if (v4 < 0) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    if (group.length === 0 || group.length > 4) return undefined;
    let value = 0;
    for (let j = 0; j < group.length; j++) {
      const digit = hexDigit(group.charCodeAt(j));
      if (digit < 0) return undefined;
      value = value * 16 + digit;
    }
    groups.push(value);
  }
  if (doubleColon === -1) return groups.length === 8 ? groups : undefined;
  // `::` stands for at least one zero group.
  if (groups.length > 7) return undefined;
  const headCount = headGroups.length;
  const fill = 8 - groups.length;
  const out = groups.slice(0, headCount);
  for (let i = 0; i < fill; i++) out.push(0);
  for (let i = headCount; i < groups.length; i++) out.push(groups[i] as number);
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** RFC 5952 text: lower-case, no leading zeros, the longest run (>= 2) of zero groups as `::`, first on a tie. */
function ipv6Text(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === 0) {
      if (runStart === -1) runStart = i;
    } else if (runStart !== -1) {
      if (i - runStart > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart;
      }
      runStart = -1;
    }
  }
  if (bestStart === -1) return groups.map((g) => g.toString(16)).join(':');
  const before = groups
    .slice(0, bestStart)
    .map((g) => g.toString(16))
    .join(':');
  const after = groups
    .slice(bestStart + bestLength)
    .map((g) => g.toString(16))
    .join(':');
  return `${before}::${after}`;
}

/**
 * Canonical text of an IP address, or undefined when `text` is not one (never throws).
 *
 * - IPv4: the dotted quad (`010.0.0.1`, with its ambiguous leading zero, is rejected).
 * - IPv4-mapped IPv6 (`::ffff:a.b.c.d`, `::ffff:8c52:7103`): the IPv4 dotted quad, as Sysmon 3 writes it.
 * - Other IPv6: RFC 5952 (lower-case, leading zeros stripped, longest zero run compressed). A zone index
 *   (`fe80::1%12`) is dropped: answers never carry one.
 * - Surrounding blanks are ignored.
 */
export function canonicalIp(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  if (start === end) return undefined;
  if (text.indexOf(':', start) === -1) {
    // Fast path: the common already-canonical dotted quad is returned as is, without allocating.
    if (parseIpv4(text, start, end) < 0) return undefined;
    return start === 0 && end === text.length ? text : text.slice(start, end);
  }
  let v6 = text.slice(start, end);
  const zone = v6.indexOf('%');
  if (zone !== -1) v6 = v6.slice(0, zone);
  const groups = parseIpv6(v6);
  if (groups === undefined) return undefined;
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return ipv4Text((groups[6] as number) * 65536 + (groups[7] as number));
  }
  return ipv6Text(groups);
}

/**
 * Whether a connection to `ip` (canonical text from {@link canonicalIp}) can carry a resolved name:
 * false for loopback (127/8, ::1), link-local (169.254/16, fe80::/10), multicast (224/4, ff00::/8),
 * unspecified (0.0.0.0, ::), limited broadcast (255.255.255.255), and for anything that is not canonical IP text.
 */
export function isEnrichableDestination(ip: string): boolean {
  if (typeof ip !== 'string' || ip.length === 0) return false;
  if (ip.indexOf(':') === -1) {
    const value = parseIpv4(ip, 0, ip.length);
    if (value < 0) return false;
    const first = Math.floor(value / 16777216);
    const second = Math.floor(value / 65536) % 256;
    if (first === 127) return false;
    if (first === 169 && second === 254) return false;
    if (first >= 224 && first <= 239) return false;
    if (value === 0 || value === 0xffffffff) return false;
    return true;
  }
  if (ip === '::1' || ip === '::') return false;
  const firstColon = ip.indexOf(':');
  if (firstColon === 4) {
    const first = Number.parseInt(ip.slice(0, 4), 16);
    if (first >= 0xfe80 && first <= 0xfebf) return false;
    if (first >= 0xff00) return false;
  }
  return true;
}
