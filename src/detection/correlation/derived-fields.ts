/**
 * Fields a correlation can group or count by that no event carries, derived from one that it does. Computed when
 * a correlation reads the field (group-by, condition.field); never written to the event or its output, and not
 * visible to detection conditions. One entry per field.
 */
import type { CanonicalEvent } from '../../events/canonical-event.js';

/**
 * Second-level labels under which registrations happen one level deeper (`example.co.uk`): a short list of common
 * ones, not the Public Suffix List, so a parent domain under a rarer one is one label too short (a coarser group).
 */
const TWO_LABEL_SUFFIXES = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'mil']);

/**
 * The registrable domain of a DNS name: its last two labels, or three when the second-to-last is a common
 * second-level label under a two-letter country code (`a.b.example.co.uk` -> `example.co.uk`). Names of one or two
 * labels are their own parent. Lower case, without a trailing dot.
 */
export function parentDomain(name: string): string | undefined {
  const labels = name.trim().toLowerCase().replace(/\.$/, '').split('.');
  if (labels.some((label) => label === '')) return undefined;
  const tld = labels[labels.length - 1] as string;
  const second = labels[labels.length - 2];
  const keep = tld.length === 2 && second !== undefined && TWO_LABEL_SUFFIXES.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Derived field name -> how to compute it from an event (undefined: the event does not have it). */
export const DERIVED_FIELDS: Readonly<Record<string, (event: CanonicalEvent) => string | undefined>> = {
  /** The registrable domain of a DNS query's name (Sysmon 22, DNS-Client 3008 `QueryName`). */
  QueryParentDomain: (event) => {
    const name = event.data.QueryName;
    return name ? parentDomain(name) : undefined;
  },
};
