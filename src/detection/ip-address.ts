/** IPv4/IPv6 addresses and CIDR networks for the `cidr` modifier, as 16-bit word arrays (IPv4: 2 words). */

export interface Network {
  words: number[];
  prefix: number;
}

/** Parses `a.b.c.d[/n]` or an IPv6 network `x::y[/n]`; undefined when malformed. */
export function parseCidr(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text.trim() : text.slice(0, slash).trim());
  if (!addr) return undefined;
  const max = addr.length * 16;
  const prefix = slash < 0 ? max : Number(text.slice(slash + 1).trim());
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { words: addr, prefix };
}

/**
 * Parses an address; IPv4 as 2 words, IPv6 as 8. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is returned
 * as its IPv4 address so that IPv4 networks match it. A zone (`%eth0`) and brackets are ignored.
 */
export function parseIp(text: string): number[] | undefined {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (!t.includes(':')) return parseIpv4(t);
  const v6 = parseIpv6(t);
  if (v6 && v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff) {
    return [v6[6] ?? 0, v6[7] ?? 0];
  }
  return v6;
}

function parseIpv4(t: string): number[] | undefined {
  const octets = t.split('.');
  if (octets.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const o of octets) {
    if (!/^\d{1,3}$/.test(o)) return undefined;
    const n = Number(o);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return [((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0), ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)];
}

function parseIpv6(t: string): number[] | undefined {
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Colon-separated hex groups; a trailing dotted IPv4 counts as two groups. */
function groups(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const items = text.split(':');
  for (let i = 0; i < items.length; i++) {
    const g = items[i] ?? '';
    if (i === items.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (!v4) return undefined;
      out.push(...v4);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      out.push(Number.parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** True when the address (from {@link parseIp}) is inside the network; IPv4 never matches IPv6 networks. */
export function inNetwork(addr: readonly number[], net: Network): boolean {
  if (addr.length !== net.words.length) return false;
  let bits = net.prefix;
  for (let i = 0; i < addr.length && bits > 0; i++) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((addr[i] ?? 0) & mask) !== ((net.words[i] ?? 0) & mask)) return false;
    bits -= take;
  }
  return true;
}
