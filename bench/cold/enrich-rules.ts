/**
 * Run in a fresh process by bench/rule-load.ts, bundled as the function is: the enrich cold start's rules step
 * alone (lambda/rules.ts loadRules of LAMBDA_TASK_ROOT/rules), without IOC containers or, with `containers`, with
 * an empty live set, as a function with a containers bucket and nothing in it loads them (the SDK and S3 left out:
 * bench/cold/enrich-start.ts measures the whole start, without containers). Then one process-creation event. Prints
 * one JSON line.
 */
import { loadRules } from '../../lambda/rules.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';
import { ContainerSet } from '../../src/ioc/container-set.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const containers = process.argv[2] === 'containers' ? new ContainerSet() : undefined;
const c0 = cpu();
const t0 = performance.now();
const rules = await loadRules('rules', process.env.LAMBDA_TASK_ROOT ?? process.cwd(), containers);
const t1 = performance.now();
const c1 = cpu();
rules.match({
  host: 'WS01',
  channel: SYSMON_CHANNEL,
  provider: 'Microsoft-Windows-Sysmon',
  eventId: 1,
  time: 0,
  data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentImage: 'C:\\x\\word.exe' },
} as never);
const t2 = performance.now();
const c2 = cpu();
console.log(
  JSON.stringify({
    readyMs: t1 - t0,
    rulesMs: t1 - t0,
    rulesCpuMs: c1 - c0,
    firstEventMs: t2 - t1,
    firstEventCpuMs: c2 - c1,
  }),
);
