/**
 * The `QueryResults` text of Sysmon 22 and DNS-Client 3008, e.g.
 * `type:  5 github.map.fastly.net;::ffff:151.101.248.133;`.
 */
import { LIMITS } from '../limits.js';
import { canonicalIp } from './canonical-ip.js';

/** What one `QueryResults` value says about the queried name. */
export interface ParsedQueryResults {
  /**
   * CNAME steps in the order Windows listed them, lower-case, no trailing dot; the first
   * {@link LIMITS.cnamesPerAnswer}.
   */
  cnames: string[];
  /**
   * Canonical addresses ({@link canonicalIp}) the name resolved to, first occurrence order, no duplicates; the
   * first {@link LIMITS.ipsPerAnswer}.
   */
  ips: string[];
  /** What the caps left out: further distinct addresses, further CNAME steps. */
  dropped: { ips: number; cnames: number };
}

const CNAME_TYPE = 5;

/** Lower-case, trimmed, without one trailing dot: the form names are compared and stored in. */
export function normalizeDnsName(name: string): string {
  let text = name.trim();
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text.toLowerCase();
}

/**
 * Parses `QueryResults` (never throws), in one pass: linear in the length of the text, whatever it holds.
 *
 * Items are `;`-separated (a trailing `;` is usual). `type:  5 name` is a CNAME step, kept in order. An item
 * that is neither a record nor an address is ignored, as is invalid IP text and a CNAME longer than
 * {@link LIMITS.dnsNameChars} (no DNS name is). `-` or empty means no answer.
 *
 * Other typed records (`type:  12` PTR, `type:  33` SRV, `type:  15` MX, ...) name no address of the queried
 * name; the addresses Windows lists after one of them belong to that record's target (the additional section:
 * `type:  33 ;172.18.38.5;` for a `_kerberos._tcp...` SRV query), so they are dropped too: a connection to a
 * domain controller must not be named `_kerberos._tcp.dc._msdcs...`.
 *
 * At most {@link LIMITS.ipsPerAnswer} addresses and {@link LIMITS.cnamesPerAnswer} CNAME steps are kept: a real
 * answer has a handful, and every address becomes a stored item carrying the chain, so a hostile value (78,000
 * addresses, 36,000 CNAME steps in 1 MB) must not become 78,000 items or one item over DynamoDB's 400 KB. What is
 * left out is counted in `dropped`.
 */
export function parseQueryResults(text: string | undefined): ParsedQueryResults {
  const result: ParsedQueryResults = { cnames: [], ips: [], dropped: { ips: 0, cnames: 0 } };
  if (typeof text !== 'string' || text.length === 0 || text === '-') return result;
  // Every distinct address seen, kept or not: duplicates are neither kept twice nor counted as dropped.
  const seen = new Set<string>();
  let afterOtherRecord = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    const item = text.slice(start, end).trim();
    start = end + 1;
    if (item.length === 0 || item === '-') continue;
    if (item.startsWith('type:')) {
      const rest = item.slice(5).trimStart();
      const space = rest.indexOf(' ');
      const typeText = space === -1 ? rest : rest.slice(0, space);
      const type = Number(typeText);
      if (type === CNAME_TYPE && !afterOtherRecord) {
        const name = normalizeDnsName(space === -1 ? '' : rest.slice(space + 1));
        if (name.length === 0 || name.length > LIMITS.dnsNameChars) continue;
        if (result.cnames.length < LIMITS.cnamesPerAnswer) result.cnames.push(name);
        else result.dropped.cnames++;
      } else if (type !== CNAME_TYPE) {
        afterOtherRecord = true;
      }
      continue;
    }
    if (afterOtherRecord) continue;
    const ip = canonicalIp(item);
    if (ip === undefined || seen.has(ip)) continue;
    seen.add(ip);
    if (result.ips.length < LIMITS.ipsPerAnswer) result.ips.push(ip);
    else result.dropped.ips++;
  }
  return result;
}
