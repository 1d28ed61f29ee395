/**
 * The PowerShell module's 4104 script blocks (src/events/encode/ecs-powershell.ts) fire the same rules as read from
 * the OTRF recordings (every 4104 in them, NXLog and Winlogbeat 6 lines), against the whole Windows corpus, as
 * Winlogbeat and as Elastic Agent; so do every 4103 and classic 400/403/600/800 of the recordings, read back to the
 * canonical event of their evtx_dump form (ecs-powershell.cases.ts), with and without the rendered message.
 * Heavy: it reads every recording (about 20 s here).
 */
import { compileRules } from '../../src/detection/index.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { encodePowerShellModule, type PowerShellModuleOptions } from '../../src/events/encode/ecs-powershell.js';
import { readRecord } from '../../src/events/read-record.js';
import { otrfAvailable, otrfFiles, readOtrfObjects } from '../helpers/otrf.js';
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';
import { moduleDifferences, otrfPowerShellEvents } from './ecs-powershell.cases.js';

const absent = missing(`${SIGMA_ROOT}/rules/windows`) ?? (otrfAvailable() ? undefined : 'OTRF recordings absent');
const encoder = new TextEncoder();

function scriptBlocks(): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  for (const file of otrfFiles()) {
    for (const object of readOtrfObjects(file)) {
      if (object.EventID !== 4104 && object.event_id !== 4104) continue;
      for (const outcome of readRecord(encoder.encode(JSON.stringify(object)))) {
        if (outcome.kind === 'event' && outcome.event.channel === 'Microsoft-Windows-PowerShell/Operational')
          events.push(outcome.event);
      }
    }
  }
  return events;
}

const events = absent === undefined ? scriptBlocks() : [];
const moduleEvents = absent === undefined ? otrfPowerShellEvents() : [];

describeUnless(absent)('ECS (PowerShell module) 4104 script blocks fire the rules of their recorded form', () => {
  let match: (event: CanonicalEvent) => string[];
  beforeAll(async () => {
    const { readRuleSources } = await import('../../node-io/rule-files.js');
    const sources = await readRuleSources(
      ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) => `${SIGMA_ROOT}/${d}`),
    );
    const compiled = compileRules(sources).ruleSet;
    match = (event) =>
      compiled
        .match(event)
        .map((m) => m.rule.id)
        .sort();
  });

  it('finds the script blocks of the recordings', () => {
    expect(events.length).toBeGreaterThanOrEqual(50);
  });

  it.each<[string, PowerShellModuleOptions]>([
    ['Winlogbeat', { shipper: 'winlogbeat' }],
    ['Elastic Agent', { shipper: 'elastic-agent' }],
  ])('as %s', (_name, options) => {
    const differences: string[] = [];
    let alerts = 0;
    for (const original of events) {
      const text = encodePowerShellModule(original, options);
      // The module moved the script text out of EventData: without the mapping no ScriptBlockText rule could fire.
      expect(JSON.parse(text).winlog.event_data?.ScriptBlockText).toBeUndefined();
      const [outcome] = readRecord(encoder.encode(text));
      if (outcome?.kind !== 'event') {
        differences.push(`${original.recordId}: ${outcome?.kind}`);
        continue;
      }
      const expected = match(original);
      alerts += expected.length;
      const got = match(outcome.event);
      if (got.join() !== expected.join()) differences.push(`${original.recordId}: expected ${expected}; got ${got}`);
    }
    expect(differences).toEqual([]);
    console.log(`4104 as ${_name}: ${events.length} events, ${alerts} alerts`);
    expect(alerts).toBeGreaterThan(0);
  });

  it.each([
    ['Winlogbeat, with message', { shipper: 'winlogbeat' as const }],
    ['Elastic Agent, without message', { shipper: 'elastic-agent' as const, withoutMessage: true }],
  ])('4103 and classic as %s', (name, options) => {
    const { differences, alerts } = moduleDifferences(moduleEvents, options, match, (text) => readRecord(text));
    expect(differences).toEqual([]);
    const ids = [...new Set(moduleEvents.map((event) => event.eventId))].sort((a, b) => a - b);
    console.log(`4103/classic as ${name}: ${moduleEvents.length} events (IDs ${ids}), ${alerts} alerts`);
    expect(ids).toEqual([400, 403, 600, 800, 4103]);
    expect(alerts).toBeGreaterThan(0);
  });
});
