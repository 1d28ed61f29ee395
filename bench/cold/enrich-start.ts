/**
 * Run in a fresh process by bench/rule-load.ts, bundled as CDK bundles the function (bench/child-process.ts): the
 * enrich function's cold start, its module (Powertools, middy, the SDK clients) then its composition root (config,
 * rules from LAMBDA_TASK_ROOT/rules, then clients and adapters; `rulesMs` is the part up to the rule set's mark).
 * No request is sent. Then, to show the work a deferred compile moves (compile-record.json), one process-creation
 * event through the service's rule set, and every other list (RuleSet.prepare); read from the service's private
 * dependencies, for this measurement only. Prints one JSON line; times since process start.
 */
import type { RuleSet } from '../../src/detection/index.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// The process CPU at the composition root's rule set ready mark (lambda/enrich/dependencies.ts RULES_READY_MARK):
// read as the mark is set, since CPU cannot be read back afterwards.
let rulesReadyCpu = Number.NaN;
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => {
  if (name === 'hookstream:enrich-rules-ready') rulesReadyCpu = cpu();
  return mark(name, options);
};
const beforeImport = performance.now();
await import('../../lambda/enrich/handler.js');
const { createEnrichService, RULES_READY_MARK } = await import('../../lambda/enrich/dependencies.js');
const imported = performance.now();
const service = await createEnrichService(process.env);
const ready = performance.now();
const readyCpu = cpu();
// For a CPU profile of the cold start alone (node --cpu-prof): HOOKSTREAM_BENCH_STOP=ready ends the process here.
if (process.env.HOOKSTREAM_BENCH_STOP === 'ready') process.exit(0);
// Set by the composition root once its rule set is compiled, before the SDK clients and adapters are made.
const rulesReady = performance.getEntriesByName(RULES_READY_MARK)[0]?.startTime ?? Number.NaN;
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
    rulesMs: rulesReady - imported,
    rulesReadyMs: rulesReady,
    rulesReadyCpuMs: rulesReadyCpu,
    readyMs: ready,
    readyCpuMs: readyCpu,
    firstEventMs: first - ready,
    firstEventCpuMs: firstCpu - readyCpu,
    allListsCpuMs: cpu(),
  }),
);
