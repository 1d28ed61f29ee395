import { formatEnrichedShare } from '../../src/pipeline/enriched-share.js';
import type { Summary } from '../../src/pipeline/summary.js';

function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** The summary as a person reads it on a terminal. */
/** What each trimmed counter means, in the summary's words. */
const TRIMMED: Record<keyof Summary['trimmed'], string> = {
  invalidUtf8: 'documents with invalid UTF-8, decoded as U+FFFD (then written or rejected as they read)',
  truncatedFields: 'EventData values cut to 32 Ki characters',
  answerIps: 'DNS answer addresses dropped over 64 per answer',
  answerCnames: 'DNS answer CNAME steps dropped over 16 per answer',
  holdTooLarge: 'connections too large to hold, finalised at once',
};

/** What the summary alone does not know, from the replay around it. */
export interface SummaryNotes {
  /** Rejected records read from folders named `invalid` (events/invalid/: deliberately broken samples). */
  rejectedFromInvalid?: number;
  /** The input files not read, by reason (replay's skippedByReason). */
  skippedByReason?: Record<string, number>;
  /** Rules were evaluated: say how many evaluations failed, even when none did. */
  detection?: boolean;
}

export function formatSummary(summary: Summary, notes: SummaryNotes = {}): string {
  const lines: string[] = [];
  const c = summary.connections;
  // A first run rejects the deliberately broken samples of events/invalid/: say so, so that it does not read as a fault.
  const deliberate = notes.rejectedFromInvalid ?? 0;
  const fromInvalid =
    deliberate > 0
      ? ` (${deliberate === summary.rejected ? 'all' : deliberate} from folders named invalid/: deliberately broken samples, rejected as they must be)`
      : '';
  lines.push(
    `read ${summary.read}: ${summary.written} written, ${summary.rejected} rejected${fromInvalid}, ${summary.filtered} filtered`,
  );
  if (summary.skippedInputs > 0) {
    const reasons = sortedCounts(notes.skippedByReason ?? {});
    lines.push(`input files skipped: ${summary.skippedInputs}`);
    for (const [reason, count] of reasons) lines.push(`  ${count}  ${reason}`);
  }
  const evtx = summary.evtx;
  if (evtx.chunks > 0) {
    lines.push(
      `evtx: ${evtx.chunks} chunks, ${evtx.checksumFailed} with a failing header/records checksum (${evtx.headerChecksumFailed} header, ${evtx.recordsChecksumFailed} records), ${evtx.underFailingFileHeader} under a failing file header checksum`,
    );
    if (evtx.checksumFailed > 0 || evtx.underFailingFileHeader > 0) {
      lines.push(
        'warning: EVTX checksums fail: a dirty log (copied while Windows wrote it) or damaged bytes; those chunks were read record by record, their events may be stale or partial',
      );
    }
  }
  if (summary.unnamedEvents > 0) {
    lines.push(`events with unnamed EventData (no known schema, kept as Data1..DataN): ${summary.unnamedEvents}`);
  }
  lines.push('', 'records by format:');
  for (const [format, count] of sortedCounts(summary.byFormat)) lines.push(`  ${format.padEnd(16)} ${count}`);
  lines.push('', 'events by channel and ID:');
  for (const [event, count] of sortedCounts(summary.byEvent)) lines.push(`  ${event.padEnd(60)} ${count}`);
  lines.push('', `DNS answers: ${summary.dnsAnswers}`);
  lines.push(
    `network connections: ${c.total}; enriched ${c.enriched} (${formatEnrichedShare(c)} of those looked up), unresolved ${c.unresolved}, not looked up ${c.skipped} (loopback, link-local, multicast, no IP)`,
  );
  for (const [source, count] of sortedCounts(c.bySource)) lines.push(`  ${source.padEnd(12)} ${count}`);
  const hooks = Object.entries(summary.hooks);
  if (hooks.length > 0) {
    // Every hook's own counters, whatever the hook (the same names as --json and the metrics: hooks.<name>.<counter>).
    lines.push('', 'hook counters:');
    for (const [hook, counters] of hooks) {
      for (const [counter, count] of Object.entries(counters))
        lines.push(`${`  hooks.${hook}.${counter}`.padEnd(48)} ${count}`);
    }
  }
  if (summary.rejected > 0) {
    lines.push('', 'rejected:');
    for (const [reason, count] of sortedCounts(summary.rejectedByReason)) lines.push(`  ${count}  ${reason}`);
  }
  const trimmed = Object.entries(TRIMMED).filter(([key]) => summary.trimmed[key as keyof Summary['trimmed']] > 0);
  if (trimmed.length > 0) {
    // Not exactly as sent: the input limits of docs/lambda.md ("Limits") cut, capped or repaired something.
    lines.push('', 'trimmed:');
    for (const [key, label] of trimmed) lines.push(`  ${summary.trimmed[key as keyof Summary['trimmed']]}  ${label}`);
  }
  if (summary.filtered > 0) {
    lines.push('', 'filtered:');
    for (const [reason, count] of sortedCounts(summary.filteredByReason)) lines.push(`  ${count}  ${reason}`);
  }
  lines.push('', `alerts: ${summary.alerts.total}`);
  for (const [level, count] of sortedCounts(summary.alerts.byLevel)) lines.push(`  ${level.padEnd(14)} ${count}`);
  for (const [rule, count] of sortedCounts(summary.alerts.byRule)) lines.push(`  ${count}  ${rule}`);
  if (notes.detection || summary.evaluationErrors > 0) {
    lines.push(
      `rule evaluation errors: ${summary.evaluationErrors}${summary.evaluationErrors > 0 ? ' (a rule threw on an event and counted as not matching it: a defect, please report it)' : ''}`,
    );
  }
  return lines.join('\n');
}
