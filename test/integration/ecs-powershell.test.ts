/**
 * Issue 14 part 2, PowerShell beyond 4104: PowerShell/Operational 4103 and classic Windows PowerShell 400, 403, 600
 * and 800 as the Winlogbeat / Elastic Agent PowerShell module emits them (src/events/encode/ecs-powershell.ts) read
 * back to the canonical event of their evtx_dump form (ecs-powershell.cases.ts builds it from one OTRF recording),
 * and fire the same PowerShell rules (a hand-written 4103 makes sure some fire). With the rendered message (Winlogbeat's default) the fields come back exactly;
 * without it they are rebuilt from ECS, equal up to whitespace (line ends, the spaces the module trims).
 * Every recording against the whole corpus: ecs-powershell.heavy.test.ts.
 */
import { compileRules } from '../../src/detection/index.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { encodePowerShellModule } from '../../src/events/encode/ecs-powershell.js';
import { readRecord } from '../../src/events/read-record.js';
import { otrfAvailable } from '../helpers/otrf.js';
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';
import { handWritten4103, moduleDifferences, otrfPowerShellEvents } from './ecs-powershell.cases.js';

const absent = missing(`${SIGMA_ROOT}/rules/windows`) ?? (otrfAvailable() ? undefined : 'OTRF recordings absent');
const events =
  absent === undefined ? [...otrfPowerShellEvents(25, ['covenant_psremoting_grunt.zip']), handWritten4103()] : [];

describeUnless(absent)('ECS (PowerShell module) 4103 and classic events read back as their evtx_dump form', () => {
  let match: (event: CanonicalEvent) => string[];
  beforeAll(async () => {
    const { readRuleSources } = await import('../../node-io/rule-files.js');
    const compiled = compileRules(await readRuleSources([`${SIGMA_ROOT}/rules/windows/powershell`])).ruleSet;
    match = (event) =>
      compiled
        .match(event)
        .map((m) => m.rule.id)
        .sort();
  });

  it('finds 4103, 400, 600 and 800 in the recording', () => {
    expect(new Set(events.map((event) => event.eventId))).toEqual(new Set([4103, 400, 600, 800]));
  });

  it('the module takes the fields rules read out of EventData (so the test can fail)', () => {
    for (const event of events) {
      const data = JSON.parse(encodePowerShellModule(event, { shipper: 'winlogbeat' })).winlog.event_data ?? {};
      expect([data.Payload, data.ContextInfo, data.Data1, data.Data2, data.Data3]).toEqual(Array(5).fill(undefined));
    }
  });

  it.each([
    ['Winlogbeat, with message', { shipper: 'winlogbeat' as const }],
    ['Elastic Agent, with message', { shipper: 'elastic-agent' as const }],
    ['Winlogbeat, without message', { shipper: 'winlogbeat' as const, withoutMessage: true }],
    ['Elastic Agent, without message', { shipper: 'elastic-agent' as const, withoutMessage: true }],
  ])('%s', (_name, options) => {
    const { differences, alerts } = moduleDifferences(events, options, match, (text) => readRecord(text));
    expect(differences).toEqual([]);
    console.log(`4103/classic as ${_name}: ${events.length} events, ${alerts} alerts`);
    expect(alerts).toBeGreaterThan(0);
  });
});
