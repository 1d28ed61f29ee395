/** The soak's figures as text, and the checks a clean seed passes. */
import type { Tally } from './compare.js';
import type { SoakResult } from './soak.js';

/** Every check the seed failed, one line each; empty: clean. */
export function problemsOf(result: SoakResult): string[] {
  const { comparison: c } = result;
  const problems: string[] = [];
  const tallyProblems = (what: string, t: Tally) => {
    if (t.lost > 0) problems.push(`${what}: ${t.lost} lost (${t.lostIds} ids)`);
    if (t.duplicated > 0) problems.push(`${what}: ${t.duplicated} duplicated (${t.duplicatedIds} ids)`);
    if (t.unexpected > 0) problems.push(`${what}: ${t.unexpected} unexpected`);
  };
  tallyProblems('events', c.events);
  if (c.differentlyNamed > 0) problems.push(`connections named differently: ${c.differentlyNamed}`);
  tallyProblems('rejected lines', c.rejected);
  tallyProblems('alerts', c.alerts);
  tallyProblems('notifications', c.notifications);
  if (c.notifications.unreadable > 0)
    problems.push(`notifications without a readable key: ${c.notifications.unreadable}`);
  for (const h of c.hostile.filter((h) => !h.ok)) {
    problems.push(
      `hostile "${h.name}": ${h.writtenEvents}/${h.expectedEvents} events, ${h.rejectedLines}/${h.expectedRejected} ` +
        `rejected lines, ${h.otherRejectedLines} other rejected lines from it`,
    );
  }
  if (result.failedBatches.length > 0) {
    const records = result.failedBatches.reduce((n, b) => n + b.records, 0);
    problems.push(`batches given up after their retries: ${result.failedBatches.length} (${records} records)`);
  }
  if (result.hold.deadLettered > 0) problems.push(`hold messages dead-lettered: ${result.hold.deadLettered}`);
  return problems;
}

const n = (value: number) => value.toLocaleString('en-US');

function tallyText(t: Tally): string {
  return `${n(t.found)} of ${n(t.expected)}; duplicated ${n(t.duplicated)}, lost ${n(t.lost)}, unexpected ${n(t.unexpected)}`;
}

/** The whole block of one seed. */
export function formatResult(result: SoakResult): string {
  const { comparison: c } = result;
  const problems = problemsOf(result);
  const m = result.mappings;
  const lines = [
    `\nseed ${result.seed}: ${problems.length === 0 ? 'CLEAN' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(0)} s ` +
      `(${result.scheduleSteps} schedule steps)`,
    `  records in: ${n(result.records.ordinary)} ordinary + ${result.records.hostile} hostile ` +
      `(${result.records.lateAnswersMoved} late answers moved next to their connection); ` +
      `events replay writes: ${n(result.eventsIn)}`,
    `  events written: ${tallyText(c.events)}`,
    `    of which went through the hold queue: lost ${n(c.heldShare.lost)}, duplicated ${n(c.heldShare.duplicated)}`,
    `  connections compared by name: ${n(c.namedCompared)}; named differently: ${c.differentlyNamed}`,
    `  rejected lines: ${tallyText(c.rejected)}`,
    `  alerts: ${tallyText(c.alerts)}`,
    `  notifications: ${tallyText(c.notifications)}; unreadable ${c.notifications.unreadable}`,
    `  held: ${n(result.hold.distinct)} connections, ${n(result.hold.deliveries)} deliveries; ` +
      `hold messages copied ${result.hold.concurrentCopies} at once + ${result.hold.lateCopies} later, ` +
      `dead-lettered ${result.hold.deadLettered}`,
    `  batches given up: ${result.failedBatches.length}` +
      (result.failedBatches.length > 0
        ? ` (${result.failedBatches
            .slice(0, 3)
            .map((b) => `${b.functionName} ${b.shardId} ${b.records} records: ${b.reason}`)
            .join('; ')})`
        : ''),
    `  enrich mapping: ${mappingText(m.enrich)}`,
    `  dns mapping:    ${mappingText(m.dns)}`,
    `  hold mapping:   ${result.hold.invocations} invocations, ${result.hold.answeredWithFailures} with failures, ` +
      `${result.hold.timeouts} timeouts, ${result.hold.functionErrors} function errors`,
    `  functions: ${Object.entries(result.functions)
      .map(([name, f]) => `${name} ${f.invocations} inv/${f.coldStarts} cold/${f.kills} killed/${f.deadlines} late`)
      .join(', ')}`,
    `  redeliveries: ${result.redeliveries.delivered} delivered, ${result.redeliveries.abandoned} abandoned`,
    `  faults injected: ${JSON.stringify(result.faults)}`,
    '  hostile records:',
    ...c.hostile.map(
      (h) =>
        `    ${h.ok ? 'ok  ' : 'BAD '} ${h.name} (${h.outcome}): events ${h.writtenEvents}/${h.expectedEvents}, ` +
        `rejected ${h.rejectedLines}/${h.expectedRejected}${h.otherRejectedLines > 0 ? ` + ${h.otherRejectedLines} other` : ''}` +
        (h.reasons.length > 0 ? ` [${h.reasons.join('; ')}]` : ''),
    ),
  ];
  if (c.events.examples.duplicated.length > 0)
    lines.push(`  duplicated events, e.g.: ${JSON.stringify(c.events.examples.duplicated)}`);
  if (c.events.examples.lost.length > 0) lines.push(`  lost events, e.g.: ${JSON.stringify(c.events.examples.lost)}`);
  if (c.namingExamples.length > 0) lines.push(`  named differently, e.g.: ${JSON.stringify(c.namingExamples)}`);
  if (problems.length > 0) lines.push('  problems:', ...problems.map((p) => `    - ${p}`));
  return lines.join('\n');
}

function mappingText(s: SoakResult['mappings']['enrich']): string {
  return (
    `${n(s.invocations)} invocations, ${s.answeredWithFailures} with batch item failures, ` +
    `${s.functionErrors} function errors, ${s.timeouts} timeouts, ${s.bisections} bisections, ` +
    `${s.duplicates} duplicates, ${s.lateDuplicates} late duplicates, ${s.rewinds} rewinds (${s.rewoundRecords} records)`
  );
}

/** One line per seed, for the table at the end. */
export function summaryLine(result: SoakResult): string {
  const c = result.comparison;
  return (
    `seed ${result.seed}: ${problemsOf(result).length === 0 ? 'clean ' : 'FAILED'} ` +
    `events ${n(c.events.found)}/${n(c.events.expected)}, duplicated ${c.events.duplicated}, lost ${c.events.lost}, ` +
    `named differently ${c.differentlyNamed}, rejected ${c.rejected.found}/${c.rejected.expected}, ` +
    `alerts ${c.alerts.found}/${c.alerts.expected}, notifications ${c.notifications.found}/${c.notifications.expected}, ` +
    `batches given up ${result.failedBatches.length}, ${(result.durationMs / 1000).toFixed(0)} s`
  );
}
