/**
 * Shared by ecs-security.test.ts (the SigmaHQ regression samples) and ecs-security.heavy.test.ts (the OTRF
 * recordings): a Winlogbeat (or Elastic Agent) event whose Security module moved EventData to ECS, split its
 * lists and added fields of its own fires the same rules as its original form. Each Security event is read by
 * the real reader, turned into what the module emits (src/events/encode/ecs-security.ts), read back and matched
 * against the whole Windows corpus, per event ID.
 */
import { readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { encodeSecurityModule, type SecurityModuleOptions } from '../../src/events/encode/ecs-security.js';
import { readRecord } from '../../src/events/read-record.js';
import { otrfFiles, readOtrfObjects } from '../helpers/otrf.js';
import { regressionCases, SIGMA_ROOT } from '../helpers/sigma-corpus.js';

const encoder = new TextEncoder();

const isSecurity = (event: CanonicalEvent) => event.provider === 'Microsoft-Windows-Security-Auditing';

/** The Security events of the regression samples, as the real reader reads their evtx_dump JSON, by event ID. */
export function regressionSecurityEvents(): Map<number, CanonicalEvent[]> {
  const seen = new Set<string>();
  const events: CanonicalEvent[] = [];
  for (const c of regressionCases()) {
    if (seen.has(c.jsonFile)) continue;
    seen.add(c.jsonFile);
    for (const outcome of readRecord(readFileSync(c.jsonFile))) {
      if (outcome.kind === 'event' && isSecurity(outcome.event)) events.push(outcome.event);
    }
  }
  return byId(events);
}

/** The first `perId` Security events of each event ID of each OTRF recording (or of `files`), by event ID. */
export function otrfSecurityEvents(
  perId: number,
  files: readonly string[] = otrfFiles(),
): Map<number, CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  for (const file of files) {
    const counts = new Map<number, number>();
    for (const object of readOtrfObjects(file)) {
      for (const outcome of readRecord(encoder.encode(JSON.stringify(object)))) {
        if (outcome.kind !== 'event' || !isSecurity(outcome.event)) continue;
        const seen = counts.get(outcome.event.eventId) ?? 0;
        if (seen >= perId) continue;
        counts.set(outcome.event.eventId, seen + 1);
        events.push(outcome.event);
      }
    }
  }
  return byId(events);
}

/** Two maps of events by ID as one. */
export function mergedById(...maps: Map<number, CanonicalEvent[]>[]): Map<number, CanonicalEvent[]> {
  return byId(maps.flatMap((map) => [...map.values()].flat()));
}

function byId(events: CanonicalEvent[]): Map<number, CanonicalEvent[]> {
  const map = new Map<number, CanonicalEvent[]>();
  for (const event of events) map.set(event.eventId, [...(map.get(event.eventId) ?? []), event]);
  return new Map([...map].sort((a, b) => a[0] - b[0]));
}

/**
 * The event without what the module loses for good (src/events/formats/ecs/security.ts): the `::ffff:` prefix
 * of a moved IpAddress, and the whitespace of a split AccessMask beyond the usual separator.
 */
function withoutLost(event: CanonicalEvent): CanonicalEvent {
  const data = { ...event.data };
  if (data.IpAddress?.startsWith('::ffff:') && data.IpAddress !== '::ffff:') {
    data.IpAddress = data.IpAddress.slice('::ffff:'.length);
  }
  if (data.AccessMask !== undefined) {
    const items = data.AccessMask.split(/\s+/).filter((item) => item !== '');
    if (items.length > 0) data.AccessMask = items.join('\r\n\t\t\t\t');
  }
  return { ...event, data };
}

const VARIANTS: Array<[string, SecurityModuleOptions]> = [
  ['Winlogbeat', { shipper: 'winlogbeat' }],
  ['Elastic Agent', { shipper: 'elastic-agent' }],
];

/** Rules whose logsource names the Security service (not process_creation's, which also read 4688). */
const SECURITY_ROUTED = /^\s*service:\s*security\s*$/m;

/**
 * The table test: per event ID and shipper, the module's form fires exactly the rules of the original, against
 * the whole Windows corpus, or (`securityRulesOnly`, to compile less of it) the Security service's rules.
 */
export function securityModuleTable(events: Map<number, CanonicalEvent[]>, securityRulesOnly = false): void {
  let match: (event: CanonicalEvent) => string[];
  beforeAll(async () => {
    const { readRuleSources } = await import('../../node-io/rule-files.js');
    const all = await readRuleSources(
      ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) => `${SIGMA_ROOT}/${d}`),
    );
    const sources = securityRulesOnly ? all.filter((source) => SECURITY_ROUTED.test(source.text)) : all;
    const { ruleSet } = compileRules(sources);
    match = (event) =>
      ruleSet
        .match(event)
        .map((m) => m.rule.id)
        .sort();
  });

  const cases = [...events].flatMap(([id, list]) =>
    VARIANTS.map(([name, options]) => [id, name, list, options] as const),
  );
  it.each(cases)('Security %i as %s', (id, shipper, list, options) => {
    const differences: string[] = [];
    let alerts = 0;
    for (const original of list) {
      const outcomes = readRecord(encoder.encode(encodeSecurityModule(original, options)));
      const [outcome] = outcomes;
      expect(outcomes).toHaveLength(1);
      expect(outcome?.kind === 'event' && outcome.event.format).toBe(options.shipper);
      if (outcome?.kind !== 'event') continue;
      const expected = match(withoutLost(original));
      alerts += expected.length;
      const got = match(outcome.event);
      if (got.join() !== expected.join()) {
        differences.push(`${original.recordId}: expected ${expected.join(' ')}; got ${got.join(' ')}`);
      }
    }
    expect(differences).toEqual([]);
    expect(list.length).toBeGreaterThan(0);
    // Which cases exercise rules at all (many Security events fire none): shown, not asserted.
    if (alerts > 0) console.log(`Security ${id} as ${shipper}: ${list.length} events, ${alerts} alerts`);
  });
}
