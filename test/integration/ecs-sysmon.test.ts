/**
 * Issue 14 acceptance: a Winlogbeat (or Elastic Agent) event whose Sysmon module renamed EventData to ECS and
 * removed some of it fires the same rules as its evtx_dump form, for every Sysmon event ID in the SigmaHQ
 * regression data. Each Sysmon event of the regression samples is read as evtx_dump JSON, turned into what the
 * module emits (src/events/encode/ecs-sysmon.ts), read back, and matched against the whole Windows corpus.
 * Twice: with the rendered `message` the shippers keep by default, and with it dropped (the ECS fields alone).
 */
import { readFileSync } from 'node:fs';
import { compileRules } from '../../src/detection/index.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { encodeSysmonModule, type SysmonModuleOptions } from '../../src/events/encode/ecs-sysmon.js';
import { FILE_HASH_EVENTS, PROCESS_HASH_EVENTS } from '../../src/events/formats/ecs/sysmon.js';
import { readRecord } from '../../src/events/read-record.js';
import { regressionCases, SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';

const absent = missing(`${SIGMA_ROOT}/regression_data`, `${SIGMA_ROOT}/rules/windows`);

/** The Sysmon events of the regression samples, as the real reader reads their evtx_dump JSON. */
function sysmonEvents(): CanonicalEvent[] {
  const seen = new Set<string>();
  const events: CanonicalEvent[] = [];
  for (const c of regressionCases()) {
    if (seen.has(c.jsonFile)) continue;
    seen.add(c.jsonFile);
    for (const outcome of readRecord(readFileSync(c.jsonFile))) {
      if (outcome.kind === 'event' && outcome.event.channel === 'Microsoft-Windows-Sysmon/Operational') {
        events.push(outcome.event);
      }
    }
  }
  return events;
}

const events = absent === undefined ? sysmonEvents() : [];
const byId = new Map<number, CanonicalEvent[]>();
for (const event of events) byId.set(event.eventId, [...(byId.get(event.eventId) ?? []), event]);
const ids = [...byId.keys()].sort((a, b) => a - b);

/**
 * The event without what the Sysmon module drops with no ECS field to rebuild it from (docs/formats.md, "ECS"):
 * Details other than DWORD, Source/DestinationPortName, the hashes of events it files under no hash field, and
 * every '' or '-' value.
 */
function withoutLost(event: CanonicalEvent): CanonicalEvent {
  const data: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.data)) {
    if (value === '' || value === '-') continue;
    if (name === 'SourcePortName' || name === 'DestinationPortName') continue;
    if (name === 'Details' && !/^DWORD \(0x[0-9a-fA-F]{8}\)$/.test(value)) continue;
    if ((name === 'Hashes' || name === 'Hash') && !HASHED.has(event.eventId)) continue;
    data[name] = value;
  }
  return { ...event, data };
}
const HASHED = new Set([...PROCESS_HASH_EVENTS, ...FILE_HASH_EVENTS]);

const VARIANTS: Array<[string, SysmonModuleOptions]> = [
  ['Winlogbeat with message', { shipper: 'winlogbeat', message: true }],
  ['Winlogbeat, message dropped', { shipper: 'winlogbeat', message: false }],
  ['Elastic Agent, message dropped', { shipper: 'elastic-agent', message: false }],
];

describeUnless(absent)('ECS (Sysmon module) events fire the rules of their evtx_dump form', () => {
  let match: (event: CanonicalEvent) => string[];
  beforeAll(async () => {
    const { readRuleSources } = await import('../../node-io/rule-files.js');
    const sources = await readRuleSources(
      ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) => `${SIGMA_ROOT}/${d}`),
    );
    const { ruleSet } = compileRules(sources);
    match = (event) =>
      ruleSet
        .match(event)
        .map((m) => m.rule.id)
        .sort();
  });

  it('finds the Sysmon event IDs of the regression data', () => {
    expect(ids).toEqual([1, 7, 10, 11, 12, 13, 16, 17]);
  });

  it.each(ids.flatMap((id) => VARIANTS.map(([name, options]) => [id, name, options] as const)))(
    'Sysmon %i as %s',
    (id, _name, options) => {
      const originals = byId.get(id) ?? [];
      const differences: string[] = [];
      for (const original of originals) {
        const outcomes = readRecord(new TextEncoder().encode(encodeSysmonModule(original, options)));
        expect(outcomes.map((o) => (o.kind === 'event' ? `event:${o.event.format}` : o.kind))).toEqual([
          `event:${options.shipper}`,
        ]);
        const [outcome] = outcomes;
        if (outcome?.kind !== 'event') continue;
        // With the message every field comes back; without it, what the module drops for good cannot.
        const expected = match(options.message ? original : withoutLost(original));
        const got = match(outcome.event);
        if (got.join() !== expected.join()) {
          differences.push(`${original.recordId}: expected ${expected.join(' ')}; got ${got.join(' ')}`);
        }
      }
      expect(differences).toEqual([]);
      expect(originals.length).toBeGreaterThan(0);
    },
  );
});
