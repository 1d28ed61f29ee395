/**
 * The rule set's cold start with the whole SigmaHQ Windows folder, each in a fresh process: as replay loads it
 * (no cache, a cache miss, a cache hit), and the enrich function's cold start as deployed (bundle with
 * rules/parsed-rules.json, compile-record.json, listing-proof.json and prefilter-automata.bin written as synth writes
 * them) beside the same bundle without the automata, without the proof (the folder listed at start), without the
 * record, and with the YAML only. "Ready" is loaded and compiled; each (channel, event ID) list's predicates are
 * compiled and its prefilter automata read back (built, without the automata file) on that list's first event, so
 * the first event and the rest of the lists are printed too. Then the rules step alone with and without IOC
 * containers (bench/cold/enrich-rules.ts): an infra-deployed function has a containers bucket, which enrich-start
 * cannot give (it would read S3).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatRuleOptions, parseRuleOptions, RULE_OPTIONS_FILE } from '../lambda/rules.js';
import { ruleCompileOptions } from '../node-io/load-rules.js';
import {
  COMPILE_RECORD_FILE,
  PARSED_RULES_FILE,
  proveBundledListing,
  writeBundledParsedRules,
  writeBundledRecord,
} from '../node-io/rule-cache.js';
import { readRuleSources } from '../node-io/rule-files.js';
import { compileParsedRules, parseRuleSources } from '../src/detection/index.js';
import { bundle, formatMs, formatRss, PROJECT_ROOT, runNode } from './child-process.js';
import { writeBundledRecords } from './cold/task-root.js';
import type { Figure } from './measure.js';

interface RuleLoadRun {
  files: number;
  compiled: number;
  cache: string;
  startupMs: number;
  readMs: number;
  parseMs: number;
  compileMs: number;
  readyMs: number;
  readyCpuMs: number;
  deferred: boolean;
  /** A cache hit found by the files' stamp, without reading them (node-io/rule-cache.ts RuleCache.load). */
  stamped: boolean;
  /** Writing the record of a full compile and its automata to the cache (after ready; 0 when nothing is written). */
  recordWriteMs: number;
  recordWriteCpuMs: number;
  firstEventMs: number;
  firstEventCpuMs: number;
  restOfListsMs: number;
  restOfListsCpuMs: number;
  allListsCpuMs: number;
}

interface EnrichRun {
  /** The whole process's CPU time (start-up to exit). */
  cpuMs?: number;
  beforeImportMs: number;
  importMs: number;
  serviceMs: number;
  /** Import to the composition root's rule set ready mark, and that mark since process start. */
  rulesMs?: number;
  rulesReadyMs?: number;
  /** The process's CPU at that mark. */
  rulesReadyCpuMs?: number;
  readyMs: number;
  readyCpuMs?: number;
  firstEventMs?: number;
  firstEventCpuMs?: number;
  allListsCpuMs?: number;
}

/** bench/cold/enrich-rules.ts: the rules step alone. */
interface RulesStepRun {
  readyMs: number;
  rulesMs: number;
  rulesCpuMs: number;
  firstEventMs: number;
  firstEventCpuMs: number;
}

/** The env the enrich function gets from infra (names only: no request is sent). */
export const ENRICH_ENV = {
  RESOLUTION_TABLE: 'bench-resolution',
  WATERMARK_TABLE: 'bench-watermark',
  DEDUPE_TABLE: 'bench-dedupe',
  OUTPUT_BUCKET: 'bench-output',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench',
  HOLD_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
  STREAM_ARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
  RULES_DIR: 'rules',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

export async function benchRuleLoad(corpus: string, repeats: number): Promise<Figure[]> {
  const out = path.join(PROJECT_ROOT, 'dist/bench');
  mkdirSync(out, { recursive: true });
  const ruleLoad = path.join(out, 'rule-load.mjs');
  const enrichStart = path.join(out, 'enrich-start.mjs');
  await bundle('bench/cold/rule-load.ts', ruleLoad);
  await bundle('bench/cold/enrich-start.ts', enrichStart, true);
  const enrichRules = path.join(out, 'enrich-rules.mjs');
  await bundle('bench/cold/enrich-rules.ts', enrichRules, true);
  const work = mkdtempSync(path.join(tmpdir(), 'hookstream-bench-rules-'));
  try {
    const cacheDir = path.join(work, 'cache');
    const load = (withCache: boolean, full = false) =>
      JSON.parse(
        runNode([ruleLoad, corpus, ...(withCache ? [cacheDir] : []), ...(full ? ['full'] : [])]).stdout,
      ) as RuleLoadRun;
    const yaml = best(repeats, () => load(false));
    const miss = load(true);
    // The miss wrote the entry and its compile record: a hit defers each list's predicates to its first event.
    const hitFull = best(repeats, () => load(true, true));
    const hit = best(repeats, () => load(true));

    // The function's bundle: the corpus copied under rules/, and the parsed form synth writes beside it.
    const root = path.join(work, 'task');
    const rules = path.join(root, 'rules');
    cpSync(corpus, path.join(rules, 'windows'), { recursive: true });
    // The corpus holds rules of services this taxonomy does not know: a deployment of it skips them (stack context).
    writeFileSync(path.join(rules, RULE_OPTIONS_FILE), formatRuleOptions({ skipInvalidRules: true }));
    const sources = await readRuleSources([path.join(rules, 'windows')]);
    const named = sources.map((s) => ({ ...s, file: path.relative(rules, s.file) }));
    const enrich = (): EnrichRun => {
      const run = runNode([enrichStart], { ...ENRICH_ENV, LAMBDA_TASK_ROOT: root });
      return { ...(JSON.parse(run.stdout) as EnrichRun), cpuMs: run.usage.userMs + run.usage.systemMs };
    };
    const enrichYaml = best(repeats, enrich);
    const parsed = parseRuleSources(named);
    writeBundledParsedRules(path.join(rules, PARSED_RULES_FILE), parsed);
    const enrichBundled = best(repeats, enrich);
    // As synth writes it (infra/constructs/rule-bundle.ts): the record of a full compile with the function's options.
    const loadOptions = parseRuleOptions(formatRuleOptions({ skipInvalidRules: true }));
    const record = compileParsedRules(parsed, ruleCompileOptions(loadOptions.ok ? loadOptions.value : {})).record;
    if (record) writeBundledRecord(path.join(rules, COMPILE_RECORD_FILE), record);
    const enrichDeferred = best(repeats, enrich);
    // The last bundling step: the listing checked once at build, so the cold start does not list the folder.
    const proved = await proveBundledListing(rules);
    if (!proved.ok) throw new Error(proved.error);
    const enrichProved = best(repeats, enrich);
    const rssNoAutomata = runNode([enrichStart], { ...ENRICH_ENV, LAMBDA_TASK_ROOT: root }).usage.maxRssKb;
    // Synth also ships that compile's prefilter automata (written from the same record object: tied to its checksum),
    // and the record of the same compile with live IOC containers and its automata (bench/cold/task-root.ts).
    writeBundledRecords(rules, parsed, ruleCompileOptions(loadOptions.ok ? loadOptions.value : {}));
    const enrichSynth = best(repeats, enrich);
    // The rules step alone, as a function with a containers bucket (every infra-deployed one) loads them.
    const rulesStep = (containers: boolean) =>
      best(repeats, () => {
        const run = runNode([enrichRules, ...(containers ? ['containers'] : [])], { LAMBDA_TASK_ROOT: root });
        return JSON.parse(run.stdout) as RulesStepRun;
      });
    const withContainers = rulesStep(true);
    const withoutContainers = rulesStep(false);
    const rss = runNode([enrichStart], { ...ENRICH_ENV, LAMBDA_TASK_ROOT: root }).usage.maxRssKb;

    const line = (r: RuleLoadRun) =>
      `ready ${formatMs(r.readyMs)} (${r.cache === 'none' ? `read ${formatMs(r.readMs)}, YAML parse` : r.stamped ? 'stamp matched, files not read; cache read' : r.cache === 'hit' ? 'read + cache read' : 'read + YAML parse + cache write'} ` +
      `${formatMs(r.parseMs)}, compile ${formatMs(r.compileMs)}${r.deferred ? ' deferred' : ''}; CPU ${formatMs(r.readyCpuMs)}); ` +
      (r.recordWriteMs > 1
        ? `then record and automata written to the cache ${formatMs(r.recordWriteMs)} (CPU ${formatMs(r.recordWriteCpuMs)}); `
        : '') +
      `first process-creation event ${formatMs(r.firstEventMs)} (CPU ${formatMs(r.firstEventCpuMs)}); ` +
      `every other list ${formatMs(r.restOfListsMs)} (CPU ${formatMs(r.restOfListsCpuMs)}); all lists compiled: CPU ${formatMs(r.allListsCpuMs)} since start`;
    const enrichLine = (r: EnrichRun) =>
      `ready ${formatMs(r.readyMs)} since process start (module ${formatMs(r.importMs)}, composition root with rules ` +
      `${formatMs(r.serviceMs)}, of which rules ${formatMs(r.rulesMs ?? Number.NaN)}: rule set ready at ` +
      `${formatMs(r.rulesReadyMs ?? Number.NaN)} (process CPU ${formatMs(r.rulesReadyCpuMs ?? Number.NaN)}); process CPU at ready ${formatMs(r.readyCpuMs ?? 0)}); then first process-creation ` +
      `event ${formatMs(r.firstEventMs ?? 0)} (CPU ${formatMs(r.firstEventCpuMs ?? 0)}); every list compiled: ` +
      `process CPU ${formatMs(r.allListsCpuMs ?? 0)}`;
    const stepLine = (r: RulesStepRun) =>
      `rule set ready ${formatMs(r.rulesMs)} after the step began (CPU ${formatMs(r.rulesCpuMs)}); then first ` +
      `process-creation event ${formatMs(r.firstEventMs)} (CPU ${formatMs(r.firstEventCpuMs)})`;
    return [
      { name: 'rule files (rules compiled)', value: `${hit.files} (${hit.compiled})` },
      { name: 'replay, no cache (YAML parsed)', value: line(yaml) },
      { name: 'replay, cache miss (parse + write)', value: line(miss) },
      { name: 'replay, cache hit, record ignored (full compile)', value: line(hitFull) },
      { name: 'replay, cache hit (predicates deferred)', value: line(hit) },
      { name: 'node start-up before the first line', value: formatMs(hit.startupMs) },
      {
        name: 'enrich cold start as synth writes it (parsed-rules.json, compile-record.json, listing-proof.json, prefilter-automata.bin)',
        value: `${enrichLine(enrichSynth)}; peak RSS ${formatRss(rss)}`,
      },
      {
        name: 'enrich cold start without prefilter-automata.bin (each list builds its automata)',
        value: `${enrichLine(enrichProved)}; peak RSS ${formatRss(rssNoAutomata)}`,
      },
      {
        name: 'enrich cold start, parsed-rules.json + compile-record.json (folder listed)',
        value: enrichLine(enrichDeferred),
      },
      {
        name: 'enrich rules step with IOC containers (an empty live set, as a deployed function with an empty bucket; the same compile-record.json)',
        value: stepLine(withContainers),
      },
      { name: 'enrich rules step without IOC containers (compile-record.json)', value: stepLine(withoutContainers) },
      { name: 'enrich cold start, parsed-rules.json only', value: enrichLine(enrichBundled) },
      { name: 'enrich cold start, YAML only', value: enrichLine(enrichYaml) },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The run with the lowest ready time of `n` (the machine is shared: the least disturbed run). */
function best<T extends { readyMs: number }>(n: number, run: () => T): T {
  let kept: T | undefined;
  for (let i = 0; i < n; i++) {
    const r = run();
    if (kept === undefined || r.readyMs < kept.readyMs) kept = r;
  }
  return kept as T;
}
