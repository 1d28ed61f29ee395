/**
 * The comparison of deferred-live-containers(.heavy).test.ts: the same parsed rules compiled in full with live IOC
 * containers, and again with those containers and the record of a compile without them (as synth records it for the
 * enrich functions), give the same problems, counts and matches per event.
 */
import { compileParsedRules, parseRuleSources, type RuleSource } from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';

export function compareLiveDeferred(sources: readonly RuleSource[], events: readonly CanonicalEvent[]) {
  const parsed = parseRuleSources(sources);
  const synth = compileParsedRules(parsed).record;
  if (!synth) throw new Error('a full compile has a record');
  // Through JSON, as synth writes it into the bundle.
  const record = JSON.parse(JSON.stringify({ ...synth, automata: undefined }));
  const full = compileParsedRules(parsed, { containers: new ContainerSet() });
  const fromRecord = compileParsedRules(parseRuleSources(sources), { containers: new ContainerSet() }, { record });
  const outline = (r: typeof full) =>
    JSON.stringify({
      compiled: r.compiled,
      size: r.ruleSet.size,
      skipped: r.skipped,
      rejected: r.rejected,
      warnings: r.warnings,
    });
  const names = (m: ReturnType<typeof full.ruleSet.matchAll>) => m.map((x) => `${x.rule.id} ${x.rule.file}`);
  const differences: { index: number; full: string[]; fromRecord: string[] }[] = [];
  let matchedEvents = 0;
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
