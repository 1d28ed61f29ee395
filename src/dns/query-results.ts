/**
 * The `QueryResults` text of Sysmon 22 and DNS-Client 3008, e.g.
 * `type:  5 github.map.fastly.net;::ffff:151.101.248.133;`.
 */
import { canonicalIp } from './canonical-ip.js';

/** What one `QueryResults` value says about the queried name. */
export interface ParsedQueryResults {
  /** CNAME steps in the order Windows listed them, lower-case, no trailing dot. */
  cnames: string[];
  /** Canonical addresses ({@link canonicalIp}) the name resolved to, first occurrence order, no duplicates. */
  ips: string[];
}

const CNAME_TYPE = 5;

/** Lower-case, trimmed, without one trailing dot: the form names are compared and stored in. */
export function normalizeDnsName(name: string): string {
  let text = name.trim();
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text.toLowerCase();
}

/**
 * Parses `QueryResults` (never throws).
 *
 * Items are `;`-separated (a trailing `;` is usual). `type:  5 name` is a CNAME step, kept in order. An item
 * that is neither a record nor an address is ignored, as is invalid IP text. `-` or empty means no answer.
 *
 * Other typed records (`type:  12` PTR, `type:  33` SRV, `type:  15` MX, ...) name no address of the queried
 * name; the addresses Windows lists after one of them belong to that record's target (the additional section:
 * `type:  33 ;172.18.38.5;` for a `_kerberos._tcp...` SRV query), so they are dropped too: a connection to a
 * domain controller must not be named `_kerberos._tcp.dc._msdcs...`.
 */
export function parseQueryResults(text: string | undefined): ParsedQueryResults {
  const result: ParsedQueryResults = { cnames: [], ips: [] };
  if (typeof text !== 'string' || text.length === 0 || text === '-') return result;
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
        if (name.length > 0) result.cnames.push(name);
      } else if (type !== CNAME_TYPE) {
        afterOtherRecord = true;
      }
      continue;
    }
    if (afterOtherRecord) continue;
    const ip = canonicalIp(item);
    if (ip !== undefined && !result.ips.includes(ip)) result.ips.push(ip);
  }
  return result;
}
