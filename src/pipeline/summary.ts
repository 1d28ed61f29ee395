/** Counters of one run (a replay, a Lambda batch): what was read and what became of it. */
export interface Summary {
  /** Every document found in the input: written + rejected + filtered + held. */
  read: number;
  written: number;
  rejected: number;
  filtered: number;
  /** Connections sent to wait for a late answer (Lambda only); they are written when released. */
  held: number;
  /** Held connections released unresolved because the maximum hold passed. */
  holdExpired: number;
  /** Documents recognised, by shipper format. */
  byFormat: Record<string, number>;
  /** Events by `channel / event ID`. */
  byEvent: Record<string, number>;
  rejectedByReason: Record<string, number>;
  filteredByReason: Record<string, number>;
  dnsAnswers: number;
  connections: {
    total: number;
    enriched: number;
    bySource: Record<string, number>;
    unresolved: number;
    /** Loopback, link-local, multicast: not looked up. */
    skipped: number;
  };
  alerts: {
    total: number;
    byLevel: Record<string, number>;
    byRule: Record<string, number>;
    /** Notifications published (Lambda only). */
    sent: number;
    /** Notifications held back by de-duplication (Lambda only). */
    suppressed: number;
  };
}

/** A zeroed summary. */
export function emptySummary(): Summary {
  return {
    read: 0,
    written: 0,
    rejected: 0,
    filtered: 0,
    held: 0,
    holdExpired: 0,
    byFormat: {},
    byEvent: {},
    rejectedByReason: {},
    filteredByReason: {},
    dnsAnswers: 0,
    connections: { total: 0, enriched: 0, bySource: {}, unresolved: 0, skipped: 0 },
    alerts: { total: 0, byLevel: {}, byRule: {}, sent: 0, suppressed: 0 },
  };
}

/** Adds one to a named counter. */
export function bump(counters: Record<string, number>, name: string, by = 1): void {
  counters[name] = (counters[name] ?? 0) + by;
}

/** Adds `from` into `into` (for a run made of several batches). */
export function mergeSummary(into: Summary, from: Summary): void {
  into.read += from.read;
  into.written += from.written;
  into.rejected += from.rejected;
  into.filtered += from.filtered;
  into.held += from.held;
  into.holdExpired += from.holdExpired;
  mergeCounts(into.byFormat, from.byFormat);
  mergeCounts(into.byEvent, from.byEvent);
  mergeCounts(into.rejectedByReason, from.rejectedByReason);
  mergeCounts(into.filteredByReason, from.filteredByReason);
  into.dnsAnswers += from.dnsAnswers;
  into.connections.total += from.connections.total;
  into.connections.enriched += from.connections.enriched;
  into.connections.unresolved += from.connections.unresolved;
  into.connections.skipped += from.connections.skipped;
  mergeCounts(into.connections.bySource, from.connections.bySource);
  into.alerts.total += from.alerts.total;
  into.alerts.sent += from.alerts.sent;
  into.alerts.suppressed += from.alerts.suppressed;
  mergeCounts(into.alerts.byLevel, from.alerts.byLevel);
  mergeCounts(into.alerts.byRule, from.alerts.byRule);
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, count] of Object.entries(from)) bump(into, name, count);
}
