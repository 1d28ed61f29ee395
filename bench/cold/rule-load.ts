/**
 * Run in a fresh process by bench/rule-load.ts (bundled first, so no TypeScript loader is timed): the rule set's
 * cold start as replay does it (node-io/load-rules.ts), read the files, parse or read back the cache, compile (with
 * the cache's compile record: each list's predicates deferred to its first event; `full` ignores the record); then
 * one process-creation event (its list compiled and its automata built), then every other list (RuleSet.prepare).
 * Prints one JSON line.
 */
import { RuleCache } from '../../node-io/rule-cache.js';
import { readRuleSources } from '../../node-io/rule-files.js';
import { compileParsedRules, optionsFingerprint, parseRuleSourcesWith } from '../../src/detection/compile-rules.js';
import { DEFAULT_SELECTION } from '../../src/detection/rule-selection.js';
import { loadYamlParser } from '../../src/detection/yaml-parse.js';
import { SYSMON_CHANNEL } from '../../src/events/canonical-event.js';

const [corpus, cacheDir, mode] = process.argv.slice(2);
if (!corpus) throw new Error('usage: rule-load <rule folder> [cache folder [full]]');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const startedMs = performance.now();
const c0 = cpu();
const t0 = performance.now();
// As replay reads (node-io/load-rules.ts): with a cache, RuleCache.load reads the files only when no stamp vouches
// for them; "read" is then the listing and stat of every file, and "cache read" the entry.
const cache = cacheDir ? new RuleCache(cacheDir) : undefined;
const sources = cache ? undefined : await readRuleSources([corpus]);
const t1 = performance.now();
const cached = await cache?.load([corpus]);
// As replay parses: the yaml package loaded only when the YAML is parsed (inside the "parse" step).
const parsed = cached?.sources ?? parseRuleSourcesWith(sources ?? [], await loadYamlParser());
const t2 = performance.now();
// As replay compiles (node-io/load-rules.ts): the default selection, the cache entry's record when there is one.
const options = { selection: DEFAULT_SELECTION };
const record =
  cached && mode !== 'full' ? cache?.readRecord(cached.outcome.file, optionsFingerprint(options)) : undefined;
const result = compileParsedRules(parsed, options, record ? { record } : undefined);
const t3 = performance.now();
const c3 = cpu();
// Replay writes the record of a full compile (and, since session 9, every list's automata, built for it) after
// the rule set is ready: timed on its own, so that neither "ready" nor "first event" holds it.
if (cached && !record && result.record) cache?.writeRecord(cached.outcome.file, result.record);
const tw = performance.now();
const cw = cpu();
// For a CPU profile of one stage (node --cpu-prof): HOOKSTREAM_BENCH_STOP=ready or first ends the process there.
const stop = process.env.HOOKSTREAM_BENCH_STOP;
if (stop === 'ready') process.exit(0);
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
const c4 = cpu();
if (stop === 'first') process.exit(0);
result.ruleSet.prepare();
const t5 = performance.now();
const c5 = cpu();
console.log(
  JSON.stringify({
    files: parsed.length,
    stamped: cached?.outcome.stamped === true,
    compiled: result.compiled,
    cache: cached?.outcome.status ?? 'none',
    deferred: record !== undefined,
    rejected: result.rejected.length,
    skipped: result.skipped.length,
    startupMs: startedMs,
    readMs: t1 - t0,
    parseMs: t2 - t1,
    compileMs: t3 - t2,
    readyMs: t3 - t0,
    readyCpuMs: c3 - c0,
    recordWriteMs: tw - t3,
    recordWriteCpuMs: cw - c3,
    firstEventMs: t4 - tw,
    firstEventCpuMs: c4 - cw,
    firstMatches,
    restOfListsMs: t5 - t4,
    restOfListsCpuMs: c5 - c4,
    allListsCpuMs: c5 - c0,
  }),
);
