/**
 * The comparison of deferred-live-containers(.heavy).test.ts: the same parsed rules compiled in full with live IOC
 * containers, and again with those containers and the record of a compile without them (as synth records it for the
 * enrich functions), give the same problems, counts and matches per event.
 */
import { compileParsedRules, parseRuleSources, type RuleSource } from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';
import { compareCompiles } from '../detection/deferred-compile-support.js';

export function compareLiveDeferred(sources: readonly RuleSource[], events: readonly CanonicalEvent[]) {
  const parsed = parseRuleSources(sources);
  const synth = compileParsedRules(parsed).record;
  if (!synth) throw new Error('a full compile has a record');
  // Through JSON, as synth writes it into the bundle.
  const record = JSON.parse(JSON.stringify({ ...synth, automata: undefined }));
  const full = compileParsedRules(parsed, { containers: new ContainerSet() });
  const fromRecord = compileParsedRules(parseRuleSources(sources), { containers: new ContainerSet() }, { record });
  return compareCompiles(full, fromRecord, record, events);
}
