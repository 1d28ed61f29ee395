/**
 * The one definition of "enriched" that every view of a run shares (the replay summary, the HTML report): the share
 * of the connections enrichment looked up that got a name. Connections it does not look up on purpose (loopback,
 * link-local, multicast, no IP, or a Sysmon name kept in `fill-empty` mode) are neither a success nor a miss, so they
 * are left out of the denominator and counted apart.
 */

/** Connection counts as `Summary['connections']` keeps them (the report derives the same counts from the events). */
export interface ConnectionCounts {
  enriched: number;
  /** Looked up, but the host logged no usable answer. */
  unresolved: number;
}

export interface EnrichedShare {
  enriched: number;
  /** enriched + unresolved: the denominator. */
  lookedUp: number;
  /** enriched / lookedUp, between 0 and 1; undefined when nothing was looked up. */
  share: number | undefined;
}

/** The enriched share of `counts`; never divides by zero. */
export function enrichedShare(counts: ConnectionCounts): EnrichedShare {
  const lookedUp = counts.enriched + counts.unresolved;
  return { enriched: counts.enriched, lookedUp, share: lookedUp === 0 ? undefined : counts.enriched / lookedUp };
}

/** The share as people read it: `26.9%`, or `-` when nothing was looked up. */
export function formatEnrichedShare(counts: ConnectionCounts): string {
  const { share } = enrichedShare(counts);
  return share === undefined ? '-' : `${(100 * share).toFixed(1)}%`;
}
