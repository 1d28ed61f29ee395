/**
 * Run in a fresh process by bench/rule-load.ts (bundled first, so no TypeScript loader is timed): the rule set's
 * cold start as replay does it, read the files, parse or read back the cache, compile; then the work deferred to
 * each list's first event (RuleSet.prepare) and one process-creation event. Prints one JSON line.
 */
import { RuleCache } from '../../node-io/rule-cache.js';
import { readRuleSources } from '../../node-io/rule-files.js';
import { compileParsedRules, parseRuleSources } from '../../src/detection/index.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';

const [corpus, cacheDir] = process.argv.slice(2);
if (!corpus) throw new Error('usage: rule-load <rule folder> [cache folder]');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const startedMs = performance.now();
const c0 = cpu();
const t0 = performance.now();
const sources = await readRuleSources([corpus]);
const t1 = performance.now();
const cached = cacheDir ? new RuleCache(cacheDir).parse(sources) : undefined;
const parsed = cached?.sources ?? parseRuleSources(sources);
const t2 = performance.now();
const result = compileParsedRules(parsed);
const t3 = performance.now();
const c3 = cpu();
const event = {
  host: 'WS01',
  channel: SYSMON_CHANNEL,
  provider: 'Microsoft-Windows-Sysmon',
  eventId: 1,
  time: 0,
  data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentImage: 'C:\\x\\word.exe' },
};
const firstMatches = result.ruleSet.match(event as never).length;
const t4 = performance.now();
result.ruleSet.prepare();
const t5 = performance.now();
console.log(
  JSON.stringify({
    files: sources.length,
    compiled: result.compiled,
    cache: cached?.outcome.status ?? 'none',
    startupMs: startedMs,
    readMs: t1 - t0,
    parseMs: t2 - t1,
    compileMs: t3 - t2,
    readyMs: t3 - t0,
    readyCpuMs: c3 - c0,
    firstEventMs: t4 - t3,
    firstMatches,
    restOfListsMs: t5 - t4,
  }),
);
