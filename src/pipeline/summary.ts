import { addEvtxChecksums, type EvtxChecksums, noEvtxChecksums } from '../events/evtx/index.js';

/** Counters of one run (a replay, a Lambda batch): what was read and what became of it. */
export interface Summary {
  /** Every document found in the input: written + rejected + filtered + held. */
  read: number;
  /** Input files not read (replay only): in a folder, an unsupported extension; in a tar, a macOS resource fork. */
  skippedInputs: number;
  written: number;
  /** Events with positional EventData values no known schema named (kept as Data1..DataN; docs/formats.md). */
  unnamedEvents: number;
  rejected: number;
  filtered: number;
  /** Connections sent to wait for a late answer (Lambda only); they are written when released. */
  held: number;
  /** Held connections released unresolved because the maximum hold passed. */
  holdExpired: number;
  /**
   * Input limits (src/limits.ts) that trimmed something without rejecting it: documents decoded with invalid
   * UTF-8 (replaced by U+FFFD), EventData values cut to the field limit, DNS answer addresses and CNAME steps dropped
   * over the per-answer caps.
   */
  trimmed: {
    invalidUtf8: number;
    truncatedFields: number;
    answerIps: number;
    answerCnames: number;
    /** Connections too large for a hold message (over LIMITS.holdMessageBytes alone): final at once. */
    holdTooLarge: number;
  };
  /**
   * What the CRC-32 checksums of the .evtx chunks read said (src/events/evtx, EvtxChecksums): chunks whose checksum
   * fails are read record by record all the same, so non-zero failures mean a dirty or damaged log whose events
   * may be stale or partial.
   */
  evtx: EvtxChecksums;
  /**
   * Exactly-once bookkeeping (Lambda only; docs/lambda.md): records skipped because an earlier delivery already
   * committed them, connections left to a hold message an earlier attempt sent, stale objects of a failed attempt
   * deleted.
   */
  retries: { committedSkipped: number; inheritedHolds: number; staleObjectsDeleted: number };
  /** Documents recognised, by shipper format. */
  byFormat: Record<string, number>;
  /** Events by `channel / event ID`. */
  byEvent: Record<string, number>;
  rejectedByReason: Record<string, number>;
  filteredByReason: Record<string, number>;
  /**
   * Every hook's counters, by hook name then counter (`hooks.<name>.<counter>` in `--json` and the metrics). The
   * fields below (dnsAnswers, connections, trimmed.answer*) are views of the built-in hooks' counters.
   */
  hooks: Record<string, Record<string, number>>;
  /** dns-answers: answers picked (hooks.dns-answers.answers). */
  dnsAnswers: number;
  /** netconn-hostname's counters, as the report reads them (with connections seen while enrichment was off). */
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
  /**
   * Rule evaluations that threw (RuleSet.evaluationErrors: a defect, never expected; the rule then counts as not
   * matching that event). Non-zero: a rule may have missed events.
   */
  evaluationErrors: number;
}

/** A zeroed summary. */
export function emptySummary(): Summary {
  return {
    read: 0,
    skippedInputs: 0,
    written: 0,
    unnamedEvents: 0,
    rejected: 0,
    filtered: 0,
    held: 0,
    holdExpired: 0,
    trimmed: { invalidUtf8: 0, truncatedFields: 0, answerIps: 0, answerCnames: 0, holdTooLarge: 0 },
    evtx: noEvtxChecksums(),
    retries: { committedSkipped: 0, inheritedHolds: 0, staleObjectsDeleted: 0 },
    byFormat: {},
    byEvent: {},
    rejectedByReason: {},
    filteredByReason: {},
    hooks: {},
    dnsAnswers: 0,
    connections: { total: 0, enriched: 0, bySource: {}, unresolved: 0, skipped: 0 },
    alerts: { total: 0, byLevel: {}, byRule: {}, sent: 0, suppressed: 0 },
    evaluationErrors: 0,
  };
}

/** Adds one to a named counter. */
export function bump(counters: Record<string, number>, name: string, by = 1): void {
  counters[name] = (counters[name] ?? 0) + by;
}

/** Adds `from` into `into` (for a run made of several batches). */
export function mergeSummary(into: Summary, from: Summary): void {
  into.read += from.read;
  into.skippedInputs += from.skippedInputs;
  into.written += from.written;
  into.unnamedEvents += from.unnamedEvents;
  into.rejected += from.rejected;
  into.filtered += from.filtered;
  into.held += from.held;
  into.holdExpired += from.holdExpired;
  for (const key of Object.keys(from.trimmed) as (keyof Summary['trimmed'])[]) into.trimmed[key] += from.trimmed[key];
  addEvtxChecksums(into.evtx, from.evtx);
  for (const key of Object.keys(from.retries) as (keyof Summary['retries'])[]) into.retries[key] += from.retries[key];
  mergeCounts(into.byFormat, from.byFormat);
  mergeCounts(into.byEvent, from.byEvent);
  mergeCounts(into.rejectedByReason, from.rejectedByReason);
  mergeCounts(into.filteredByReason, from.filteredByReason);
  for (const [hook, counters] of Object.entries(from.hooks)) {
    into.hooks[hook] ??= {};
    mergeCounts(into.hooks[hook], counters);
  }
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
  into.evaluationErrors += from.evaluationErrors;
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, count] of Object.entries(from)) bump(into, name, count);
}

/**
 * Adds what one hook counted (over a batch) into the summary: under `hooks.<name>`, and into the fields that are
 * views of the built-in hooks' counters (so the report, the metrics and older readers keep them).
 */
export function addHookCounters(summary: Summary, hook: string, counters: Readonly<Record<string, number>>): void {
  const own = summary.hooks[hook] ?? {};
  summary.hooks[hook] = own;
  for (const [name, count] of Object.entries(counters)) own[name] = (own[name] ?? 0) + count;
  const n = (name: string) => counters[name] ?? 0;
  if (hook === 'dns-answers') {
    summary.dnsAnswers += n('answers');
    summary.trimmed.answerIps += n('ipsDropped');
    summary.trimmed.answerCnames += n('cnamesDropped');
  } else if (hook === 'netconn-hostname') {
    const c = summary.connections;
    const process = n('enrichedProcess');
    const host = n('enrichedHost');
    if (process > 0) bump(c.bySource, 'dns-process', process);
    if (host > 0) bump(c.bySource, 'dns-host', host);
    c.enriched += process + host;
    c.unresolved += n('missed');
    c.skipped += n('skipped') + n('invalid');
    c.total += process + host + n('missed') + n('skipped') + n('invalid') + n('kept');
  }
}
