/**
 * End to end on a real recording: with the whole SigmaHQ Windows corpus loaded, powershell.exe's connection to
 * raw.githubusercontent.com (151.101.248.133) fires the dead-drop-resolver rule only once enrichment has named it.
 */
import path from 'node:path';
import { readInputs } from '../../cli/io/input-files.js';
import { readRuleSources } from '../../node-io/rule-files.js';
import { compileRules, type RuleSet } from '../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { OTRF_DIR } from '../helpers/otrf.js';
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';

const DEAD_DROP = '297ae038-edc2-4b2e-bb3e-7c5fc94dd5c7'; // net_connection_win_domain_dead_drop_resolvers

describeUnless(missing(OTRF_DIR, path.join(SIGMA_ROOT, 'rules/windows')))(
  'psh_cmstp_execution_bypassuac with the SigmaHQ Windows rules',
  () => {
    let rules: RuleSet;
    let records: InputRecord[];

    beforeAll(async () => {
      rules = compileRules(await readRuleSources([path.join(SIGMA_ROOT, 'rules/windows')])).ruleSet;
      records = [];
      for await (const input of readInputs([path.join(OTRF_DIR, 'psh_cmstp_execution_bypassuac.zip')])) {
        records.push({ origin: input.source, data: input.data, arrival: 0 });
      }
    });

    const deadDropOn = async (enrich: boolean) => {
      const batch = await processBatch(records, {
        hooks: enrich ? planHooks(createHooks()) : undefined,
        context: createEnrichmentContext(),
        rules,
      });
      return batch.detections.filter((detection) => detection.rule.id === DEAD_DROP);
    };

    it('fires the dead-drop-resolver rule on powershell.exe’s enriched connection', async () => {
      const matches = await deadDropOn(true);
      expect(
        matches.map(({ event }) => [event.data.Image, event.data.DestinationIp, event.data.DestinationHostname]),
      ).toEqual([
        [
          'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          '151.101.248.133',
          'raw.githubusercontent.com',
        ],
      ]);
    });

    it('does not fire without enrichment (Sysmon logged the destination name as "-")', async () => {
      expect(await deadDropOn(false)).toEqual([]);
    });
  },
);
