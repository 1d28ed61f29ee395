/** Test helper: tiny Sigma rules and canonical events for table tests. */

import { type CompileOptions, compileRules, type RuleSource } from '../../src/detection/index.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';

/** A Sysmon event (process creation unless overridden). */
export function sysmonEvent(data: Record<string, string>, overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    host: 'WS01.corp.example',
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 1,
    time: Date.UTC(2026, 0, 1),
    format: 'evtx-json',
    data,
    ...overrides,
  };
}

/** A rule file named `file` holding {@link processRule}, its id the file name (so each rule of a set is its own). */
export function processRuleSource(file: string, detection: string, extra = ''): RuleSource {
  return { file, text: processRule(detection, extra).replace(/^id: .*$/m, `id: ${file}`) };
}

/** A process_creation rule around a detection block written in YAML (indented by 4 under `detection:`). */
export function processRule(detection: string, extra = ''): string {
  return `title: Test rule
id: 00000000-0000-4000-8000-000000000001
status: test
logsource:
    category: process_creation
    product: windows
detection:
${detection
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
level: high
${extra}`;
}

/** Compiles one rule and reports whether it matches the event; throws with the reason if it was rejected. */
export function ruleMatches(ruleText: string, event: CanonicalEvent, options?: CompileOptions): boolean {
  const { ruleSet, rejected, skipped } = compileRules([{ file: 'test.yml', text: ruleText }], options);
  if (rejected.length > 0 || skipped.length > 0) {
    throw new Error(`rule not compiled: ${JSON.stringify([...rejected, ...skipped])}`);
  }
  return ruleSet.match(event).length > 0;
}

/** The rejection reasons of one rule text. */
export function rejections(ruleText: string, options?: CompileOptions): string[] {
  return compileRules([{ file: 'test.yml', text: ruleText }], options).rejected.map((r) => r.reason);
}
