/**
 * Run in a fresh process by bench/rule-load.ts, bundled as CDK bundles the function (bench/child-process.ts): the
 * enrich function's cold start, its module (Powertools, middy, the SDK clients) then its composition root (config,
 * clients, rules from LAMBDA_TASK_ROOT/rules). No request is sent. Then, to show the work a deferred compile moves
 * (compile-record.json), one process-creation event through the service's rule set, and every other list
 * (RuleSet.prepare); read from the service's private dependencies, for this measurement only. Prints one JSON line;
 * times since process start.
 */
import type { RuleSet } from '../../src/detection/index.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const beforeImport = performance.now();
await import('../../lambda/enrich/handler.js');
const { createEnrichService } = await import('../../lambda/enrich/dependencies.js');
const imported = performance.now();
const service = await createEnrichService(process.env);
const ready = performance.now();
const readyCpu = cpu();
const rules = (service as unknown as { deps: { rules: RuleSet } }).deps.rules;
rules.match({
  host: 'WS01',
  channel: SYSMON_CHANNEL,
  provider: 'Microsoft-Windows-Sysmon',
  eventId: 1,
  time: 0,
  data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentImage: 'C:\\x\\word.exe' },
} as never);
const first = performance.now();
const firstCpu = cpu();
rules.prepare();
console.log(
  JSON.stringify({
    beforeImportMs: beforeImport,
    importMs: imported - beforeImport,
    serviceMs: ready - imported,
    readyMs: ready,
    readyCpuMs: readyCpu,
    firstEventMs: first - ready,
    firstEventCpuMs: firstCpu - readyCpu,
    allListsCpuMs: cpu(),
  }),
);
