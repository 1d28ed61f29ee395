/**
 * Lambda event-source filter patterns for the DNS answer events (Sysmon 22, DNS-Client 3008), derived from the
 * shipper format registry. Each format declares where its event ID sits in a plain-JSON document; the patterns
 * of all formats are deduplicated and merged into as few filters as Lambda needs (at most 5 per event source by
 * default). A pattern only ever tests the event ID: a record whose `data` is not JSON (gzip, KPL, XML, an
 * envelope) never matches and is dropped, and an event ID 22 of another channel passes and is ignored by the
 * DNS function, which checks the channel (src/dns/answers-from-event.ts).
 */

import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../canonical-event.js';

/** One Lambda filter pattern: nested objects down to lists of accepted values (OR'ed), fields AND'ed. */
export type DnsFilterPattern = { readonly data: FilterNode };
export type FilterNode = { readonly [key: string]: FilterNode | readonly FilterValue[] };
export type FilterValue = string | number;

/** The events the DNS function reads, by channel and event ID (the same pairs src/dns routes on). */
export const DNS_ANSWER_EVENTS: readonly { channel: string; eventId: number }[] = [
  { channel: SYSMON_CHANNEL, eventId: 22 },
  { channel: DNS_CLIENT_CHANNEL, eventId: 3008 },
];

/** Lambda's default number of filters per event source (a quota increase allows up to 10). */
export const MAX_EVENT_SOURCE_FILTERS = 5;

/** The derived patterns do not fit in the filters an event source allows: synth stops, naming them. */
export class DnsFilterOverflowError extends Error {
  constructor(
    readonly patterns: readonly DnsFilterPattern[],
    limit: number,
  ) {
    super(
      `${patterns.length} DNS event-source filter patterns after merging, more than the ${limit} Lambda allows: ` +
        patterns.map((pattern) => JSON.stringify(pattern)).join(', '),
    );
    this.name = 'DnsFilterOverflowError';
  }
}

/**
 * One pattern per DNS answer event with the event ID at `path` (e.g. `['winlog', 'event_id']`), accepting it
 * as a JSON number and as a string (shippers write both).
 */
export function dnsEventPatterns(path: readonly string[]): DnsFilterPattern[] {
  return DNS_ANSWER_EVENTS.map(({ eventId }) => ({ data: nest(path, [eventId, String(eventId)]) }) as DnsFilterPattern);
}

function nest(path: readonly string[], values: readonly FilterValue[]): FilterNode {
  let node: FilterNode | readonly FilterValue[] = values;
  for (let i = path.length - 1; i >= 0; i--) node = { [path[i] as string]: node };
  return node as FilterNode;
}

/** Leaf path (keys joined by NUL) -> accepted values, of one pattern. */
function leaves(node: FilterNode, prefix: string[] = [], out = new Map<string, FilterValue[]>()) {
  for (const key of Object.keys(node).sort()) {
    const child = node[key];
    if (Array.isArray(child)) out.set([...prefix, key].join('\0'), [...(child as readonly FilterValue[])]);
    else leaves(child as FilterNode, [...prefix, key], out);
  }
  return out;
}

function fromLeaves(map: ReadonlyMap<string, readonly FilterValue[]>): DnsFilterPattern {
  const data: Record<string, unknown> = {};
  for (const [joined, values] of map) {
    const keys = joined.split('\0');
    let at = data;
    for (const key of keys.slice(0, -1)) {
      if (at[key] === undefined) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    at[keys[keys.length - 1] as string] = values;
  }
  return { data: data as FilterNode };
}

const valueKey = (value: FilterValue): string => `${typeof value}:${value}`;

function union(a: readonly FilterValue[], b: readonly FilterValue[]): FilterValue[] {
  const seen = new Set(a.map(valueKey));
  return [...a, ...b.filter((value) => !seen.has(valueKey(value)))];
}

/**
 * The fewest patterns that select exactly what `patterns` select together: duplicates dropped, and two patterns
 * that test the same fields and differ in one field's values merged into one whose values are OR'ed
 * ((A and B1) or (A and B2) = A and (B1 or B2)), until no two can be. Never widens what is selected.
 */
export function mergeFilterPatterns(patterns: readonly DnsFilterPattern[]): DnsFilterPattern[] {
  const merged = patterns.map((pattern) => leaves(pattern.data));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < merged.length && !changed; i++) {
      for (let j = i + 1; j < merged.length && !changed; j++) {
        const joined = mergeable(merged[i] as Map<string, FilterValue[]>, merged[j] as Map<string, FilterValue[]>);
        if (joined === undefined) continue;
        merged[i] = joined;
        merged.splice(j, 1);
        changed = true;
      }
    }
  }
  return merged.map(fromLeaves);
}

/** The merge of two patterns over the same fields that differ in at most one field's values; else undefined. */
function mergeable(a: Map<string, FilterValue[]>, b: Map<string, FilterValue[]>) {
  if (a.size !== b.size) return undefined;
  let differing: string | undefined;
  for (const [path, values] of a) {
    const other = b.get(path);
    if (other === undefined) return undefined;
    const same = values.length === other.length && union(values, other).length === values.length;
    if (same) continue;
    if (differing !== undefined) return undefined;
    differing = path;
  }
  const out = new Map(a);
  if (differing !== undefined) out.set(differing, union(a.get(differing) ?? [], b.get(differing) ?? []));
  return out;
}

/**
 * The event-source filter patterns for the DNS function: every format's DNS patterns, merged. Throws
 * {@link DnsFilterOverflowError} when more than `limit` remain (a new shape that cannot share a filter).
 */
export function dnsFilterPatterns(
  formats: readonly { dnsFilter: readonly DnsFilterPattern[] }[],
  limit: number = MAX_EVENT_SOURCE_FILTERS,
): DnsFilterPattern[] {
  const merged = mergeFilterPatterns(formats.flatMap((format) => format.dnsFilter));
  if (merged.length > limit) throw new DnsFilterOverflowError(merged, limit);
  return merged;
}
