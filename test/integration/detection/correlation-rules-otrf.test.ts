/**
 * The project's correlation rules (rules/windows/correlation/) on OTRF recordings with the behaviour added, and
 * silent on the recordings as they are (this file: two recordings; every recording: *.heavy.test.ts).
 */
import { readRuleSources } from '../../../node-io/rule-files.js';
import { compileRules, type RuleSet } from '../../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../../src/hooks/index.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  asRecord,
  recording,
  TUNNEL_DOMAIN,
  withBeacon,
  withDnsClientTunnel,
  withSysmonTunnel,
} from './correlation-recordings.js';

const BEACON = 'Process Beaconing To A Resolved Hostname';
const TUNNEL = 'Many Distinct Names Resolved Under One Parent Domain In A Minute';

/** Replays one record (enriched unless told) with rules/ and returns the correlation alerts. */
async function correlationAlerts(rules: RuleSet, record: InputRecord, enrich = true) {
  const batch = await processBatch([record], {
    hooks: enrich ? planHooks(createHooks()) : undefined,
    context: createEnrichmentContext(),
    rules,
  });
  return batch.detections
    .filter((d) => d.correlation !== undefined)
    .map((d) => ({ title: d.rule.title, group: d.correlation?.group, count: d.correlation?.eventCount }));
}

describeUnless(missing(OTRF_DIR))('the project correlation rules on OTRF recordings', () => {
  let rules: RuleSet;
  const psh = 'psh_cmstp_execution_bypassuac.zip';
  const empire = 'empire_mimikatz_opth.tar.gz';

  beforeAll(async () => {
    const compiled = compileRules(await readRuleSources(['rules']));
    expect(compiled.rejected).toEqual([]);
    rules = compiled.ruleSet;
  });

  it.each([psh, empire])('stay silent on %s as recorded', async (file) => {
    expect(await correlationAlerts(rules, asRecord(file, recording(file)))).toEqual([]);
  });

  it('beaconing: fires once on powershell.exe connecting to raw.githubusercontent.com every minute', async () => {
    const alerts = await correlationAlerts(rules, asRecord('beacon.json', withBeacon(recording(psh))));
    expect(alerts).toEqual([
      {
        title: BEACON,
        group: {
          Computer: 'workstation5',
          ProcessGuid: '{39e4a257-1e6c-5f91-c712-000000000700}',
          Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          DestinationHostname: 'raw.githubusercontent.com',
        },
        count: 5,
      },
    ]);
  });

  // [case, copies, period seconds]
  it.each<[string, number, number]>([
    ['a burst of 50 connections in 25 s', 50, 0.5],
    ['three connections, a minute apart', 3, 60],
    ['nine connections, 3 minutes apart', 9, 180],
  ])('beaconing: silent on %s', async (_name, copies, period) => {
    const lines = withBeacon(recording(psh), copies, period);
    expect(await correlationAlerts(rules, asRecord('beacon.json', lines))).toEqual([]);
  });

  it('beaconing: silent without the enrichment (Sysmon logged the destination name as "-")', async () => {
    expect(await correlationAlerts(rules, asRecord('beacon.json', withBeacon(recording(psh))), false)).toEqual([]);
  });

  it('DNS tunnelling: fires on 60 distinct names under one parent domain in 50 s (Sysmon 22)', async () => {
    const alerts = await correlationAlerts(rules, asRecord('tunnel.json', withSysmonTunnel(recording(psh))));
    expect(alerts).toEqual([
      { title: TUNNEL, group: { Computer: 'workstation5', QueryParentDomain: TUNNEL_DOMAIN }, count: 40 },
    ]);
  });

  it('DNS tunnelling: fires on the same seen by DNS-Client 3008 only (Winlogbeat)', async () => {
    const alerts = await correlationAlerts(rules, asRecord('tunnel.json', withDnsClientTunnel(recording(empire))));
    expect(alerts).toEqual([
      { title: TUNNEL, group: { Computer: 'it001.shire.com', QueryParentDomain: TUNNEL_DOMAIN }, count: 40 },
    ]);
  });

  it('DNS tunnelling: silent on 39 distinct names', async () => {
    const lines = withSysmonTunnel(recording(psh), 39);
    expect(await correlationAlerts(rules, asRecord('tunnel.json', lines))).toEqual([]);
  });
});
