/**
 * Support for the deferred-compile differential tests: the same parsed rules compiled in full, and again with the
 * record of that full compile (each list's predicates compiled on the list's first event, compile-rules.ts), give
 * the same problems, counts and matches per event; with live IOC containers too (compareLiveDeferred).
 */
import {
  type CompileOptions,
  type CompileResult,
  compileParsedRules,
  parseRuleSources,
  type RuleSource,
} from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';

export interface DeferredComparison {
  compiled: number;
  deferred: boolean;
  events: number;
  matchedEvents: number;
  /** Problems, counts and warnings of both compiles, as text: equal when nothing differs. */
  full: string;
  fromRecord: string;
  differences: { index: number; full: string[]; fromRecord: string[] }[];
}

export function compareDeferred(
  sources: readonly RuleSource[],
  events: readonly CanonicalEvent[],
  options: CompileOptions = {},
): DeferredComparison {
  const parsed = parseRuleSources(sources);
  const full = compileParsedRules(parsed, options);
  if (!full.record) throw new Error('a full compile without containers has a record');
  // The record goes through JSON, as a rule cache keeps it.
  const record = JSON.parse(JSON.stringify(full.record));
  const fromRecord = compileParsedRules(parseRuleSources(sources), options, { record });
  return compareCompiles(full, fromRecord, record, events);
}

/**
 * The enrich functions' case: the record of a compile without IOC containers (as synth writes it into the bundle,
 * its automata left out) used by a compile with live containers (every deployed function has a containers bucket),
 * against a full compile with the same containers.
 */
export function compareLiveDeferred(
  sources: readonly RuleSource[],
  events: readonly CanonicalEvent[],
): DeferredComparison {
  const parsed = parseRuleSources(sources);
  const synth = compileParsedRules(parsed).record;
  if (!synth) throw new Error('a full compile has a record');
  const record = JSON.parse(JSON.stringify({ ...synth, automata: undefined }));
  const full = compileParsedRules(parsed, { containers: new ContainerSet() });
  const fromRecord = compileParsedRules(parseRuleSources(sources), { containers: new ContainerSet() }, { record });
  return compareCompiles(full, fromRecord, record, events);
}

/** Both compiles' outlines and their matches on every event (the first 20 events where they differ). */
export function compareCompiles(
  full: CompileResult,
  fromRecord: CompileResult,
  record: unknown,
  events: readonly CanonicalEvent[],
): DeferredComparison {
  const outline = (r: typeof full) =>
    JSON.stringify({
      compiled: r.compiled,
      size: r.ruleSet.size,
      skipped: r.skipped,
      rejected: r.rejected,
      warnings: r.warnings,
    });
  const differences: DeferredComparison['differences'] = [];
  let matchedEvents = 0;
  const names = (m: ReturnType<typeof full.ruleSet.matchAll>) => m.map((x) => `${x.rule.id} ${x.rule.file}`);
  events.forEach((event, index) => {
    const a = names(full.ruleSet.matchAll(event));
    const b = names(fromRecord.ruleSet.matchAll(event));
    const alerting = names(full.ruleSet.match(event)).join('\n') === names(fromRecord.ruleSet.match(event)).join('\n');
    if (a.length > 0) matchedEvents++;
    if ((a.join('\n') !== b.join('\n') || !alerting) && differences.length < 20) {
      differences.push({ index, full: a, fromRecord: b });
    }
  });
  return {
    compiled: full.compiled,
    deferred: fromRecord.record === record,
    events: events.length,
    matchedEvents,
    full: outline(full),
    fromRecord: outline(fromRecord),
    differences,
  };
}
