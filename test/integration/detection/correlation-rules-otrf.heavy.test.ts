/**
 * The project's correlation rules over every OTRF recording (npm run test:full): silent on each as recorded, and
 * with every recording replayed together plus the added behaviours, exactly the three expected alerts.
 * The normal suite runs two recordings (correlation-rules-otrf.test.ts).
 */
import { readRuleSources } from '../../../node-io/rule-files.js';
import { compileRules, type RuleSet } from '../../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../../src/hooks/index.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { OTRF_DIR, otrfFiles } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { asRecord, recording, withBeacon, withDnsClientTunnel, withSysmonTunnel } from './correlation-recordings.js';

async function correlationAlerts(rules: RuleSet, records: InputRecord[]) {
  const batch = await processBatch(records, {
    hooks: planHooks(createHooks()),
    context: createEnrichmentContext(),
    rules,
  });
  return batch.detections
    .filter((d) => d.correlation !== undefined)
    .map((d) => `${d.rule.title} ${JSON.stringify(d.correlation?.group)}`);
}

describeUnless(missing(OTRF_DIR))('the project correlation rules on every OTRF recording', () => {
  let rules: RuleSet;

  beforeAll(async () => {
    rules = compileRules(await readRuleSources(['rules'])).ruleSet;
  });

  it.each(otrfFiles())('stay silent on %s as recorded', async (file) => {
    expect(await correlationAlerts(rules, [asRecord(file, recording(file))])).toEqual([]);
  });

  it('fire exactly the added behaviours when every recording is replayed together', async () => {
    const records = otrfFiles().map((file) => {
      let lines = recording(file);
      if (file === 'psh_cmstp_execution_bypassuac.zip') lines = withSysmonTunnel(withBeacon(lines));
      if (file === 'empire_mimikatz_opth.tar.gz') lines = withDnsClientTunnel(lines);
      return asRecord(file, lines);
    });
    const alerts = await correlationAlerts(rules, records);
    expect(alerts.sort()).toEqual([
      'Many Distinct Names Resolved Under One Parent Domain In A Minute {"Computer":"it001.shire.com","QueryParentDomain":"exfil-example.net"}',
      'Many Distinct Names Resolved Under One Parent Domain In A Minute {"Computer":"workstation5","QueryParentDomain":"exfil-example.net"}',
      'Process Beaconing To A Resolved Hostname {"Computer":"workstation5","ProcessGuid":"{39e4a257-1e6c-5f91-c712-000000000700}","Image":"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe","DestinationHostname":"raw.githubusercontent.com"}',
    ]);
  });
});
