/**
 * A blacklist of domains (an IOC container) matched against DestinationHostname, the case that only works because
 * of the enrichment: the Sysmon 3 connection (events/nxlog) names no host ("-"), and its host's Sysmon 22 answer
 * (events/scenario) names it. The same container serves a Sigma rule (`|expand` with a `%blacklist%` placeholder)
 * and a Gene rule (`extract(...) in blacklist`). With the hooks the alerts fire; without them they do not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileRules } from '../../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { parseContainerText } from '../../src/ioc/parse-container.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { BLACKLIST_GENE, BLACKLIST_SIGMA, BLACKLIST_SIGMA_ID } from '../helpers/blacklist-rules.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONNECTION = readFileSync(path.join(ROOT, 'events/nxlog/sysmon3-powershell.json'));
const ANSWER = readFileSync(path.join(ROOT, 'events/scenario/sysmon22-raw-githubusercontent.json'));

function rules(containers: ContainerSet) {
  const result = compileRules(
    [
      { file: 'blacklisted-domain.yml', text: BLACKLIST_SIGMA },
      { file: 'blacklisted-domain.gen', text: BLACKLIST_GENE },
    ],
    { containers },
  );
  expect(result.rejected).toEqual([]);
  expect(result.compiled).toBe(2);
  return result.ruleSet;
}

async function alerts(enrich: boolean, containers: ContainerSet) {
  const batch = await processBatch(
    [
      { origin: 'answer', data: ANSWER, arrival: 0 },
      { origin: 'connection', data: CONNECTION, arrival: 1 },
    ],
    {
      hooks: planHooks(enrich ? createHooks() : []),
      context: createEnrichmentContext(),
      rules: rules(containers),
    },
  );
  expect(batch.rejected).toEqual([]);
  return batch.detections.map((d) => ({
    rule: d.rule.id,
    format: d.rule.format ?? 'sigma',
    host: d.event.data.DestinationHostname,
  }));
}

describe('a domain blacklist on the enriched DestinationHostname', () => {
  const blacklist = () =>
    new ContainerSet([{ name: 'blacklist', values: parseContainerText('# test IOCs\ngithubusercontent.com\n') }]);

  it('alerts, from both formats, with the enrichment', async () => {
    expect(await alerts(true, blacklist())).toEqual([
      { rule: BLACKLIST_SIGMA_ID, format: 'sigma', host: 'raw.githubusercontent.com' },
      { rule: 'BlacklistedDestination', format: 'gene', host: 'raw.githubusercontent.com' },
    ]);
  });

  it('does not alert without the enrichment (the connection names no host)', async () => {
    expect(await alerts(false, blacklist())).toEqual([]);
  });

  it('does not alert when the domain is not in the container', async () => {
    expect(await alerts(true, new ContainerSet([{ name: 'blacklist', values: ['example.org'] }]))).toEqual([]);
  });
});

describe('containers reloaded after the rules compiled (as the functions do from S3)', () => {
  it('both formats follow the new values with no recompile', async () => {
    const containers = new ContainerSet([{ name: 'blacklist', values: ['example.org'] }]);
    const ruleSet = rules(containers);
    const run = async () =>
      (
        await processBatch(
          [
            { origin: 'answer', data: ANSWER, arrival: 0 },
            { origin: 'connection', data: CONNECTION, arrival: 1 },
          ],
          { hooks: planHooks(createHooks()), context: createEnrichmentContext(), rules: ruleSet },
        )
      ).detections.map((d) => d.rule.format ?? 'sigma');
    expect(await run()).toEqual([]);
    containers.replaceAll([{ name: 'blacklist', values: ['GitHubUserContent.com'] }]);
    expect(await run()).toEqual(['sigma', 'gene']);
    containers.replaceAll([]);
    expect(await run()).toEqual([]);
  });

  it('a Sigma placeholder with no container yet compiles and waits; a bad value is still rejected', () => {
    const containers = new ContainerSet();
    const waiting = compileRules([{ file: 'a.yml', text: BLACKLIST_SIGMA }], { containers });
    expect(waiting.rejected).toEqual([]);
    // A regex that no container value can make valid (checked with a stand-in value).
    const bad = BLACKLIST_SIGMA.replace("['%blacklist%', '*.%blacklist%']", "'(%blacklist%'").replace(
      '|expand',
      '|re|expand',
    );
    expect(compileRules([{ file: 'b.yml', text: bad }], { containers }).rejected.map((r) => r.reason)).toEqual([
      expect.stringContaining('invalid regular expression'),
    ]);
    // Without containers, the specification's rule: an unresolved placeholder rejects the rule.
    expect(compileRules([{ file: 'a.yml', text: BLACKLIST_SIGMA }]).rejected.map((r) => r.reason)).toEqual([
      expect.stringContaining('unresolved placeholder %blacklist%'),
    ]);
  });
});
