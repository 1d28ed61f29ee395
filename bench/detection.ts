/**
 * Detection with the whole SigmaHQ Windows corpus: compile time, events/s of decode + hooks + detection over a
 * realistic generated mix beside the same run's JSON.parse + JSON.stringify baseline, and the worst case for
 * rule regexes: events whose fields are long, crafted strings.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRuleSources } from '../node-io/rule-files.js';
import { compileRules, type RuleSet } from '../src/detection/index.js';
import { createEnrichmentContext, createHooks, planHooks } from '../src/hooks/index.js';
import type { InputRecord } from '../src/pipeline/decode-batch.js';
import { processBatch } from '../src/pipeline/process-batch.js';
import { DETECTION_MIX, generateRecords } from './generate-mix.js';
import { type Figure, formatRate, measureBaseline } from './measure.js';

export const SIGMA_ROOT = path.resolve(import.meta.dirname, '../../shared/sigma');
const CORPUS = ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'];

export async function benchDetection(total: number, chunk = 1_000): Promise<Figure[] | string> {
  if (!existsSync(SIGMA_ROOT)) return `skipped: ${SIGMA_ROOT} (the SigmaHQ corpus) is absent`;
  const sources = await readRuleSources(CORPUS.map((dir) => path.join(SIGMA_ROOT, dir)));
  const compileStart = performance.now();
  const compiled = compileRules(sources);
  const compileMs = performance.now() - compileStart;
  const rules = compiled.ruleSet;
  // Otherwise built on each list's first event (prefilter.ts): built here so the loop below measures events only.
  const prepareStart = performance.now();
  rules.prepare();
  const prepareMs = performance.now() - prepareStart;
  const plan = planHooks(createHooks());
  let baselineMs = 0;
  let pipelineMs = 0;
  let matches = 0;
  const cpuStart = process.cpuUsage();
  for (let index = 0; index < total; index += chunk) {
    const records = generateRecords(Math.min(chunk, total - index), DETECTION_MIX, 2, index);
    const inputs: InputRecord[] = records.map((data, i) => ({ origin: `bench/${index + i}`, data, arrival: 0 }));
    baselineMs += measureBaseline(records);
    const start = performance.now();
    const batch = await processBatch(inputs, { hooks: plan, context: createEnrichmentContext(), rules });
    pipelineMs += performance.now() - start;
    matches += batch.detections.length;
  }
  const cpu = process.cpuUsage(cpuStart);
  const baselineRate = (total / baselineMs) * 1000;
  const pipelineRate = (total / pipelineMs) * 1000;
  return [
    {
      name: 'rules compiled (files)',
      value: `${compiled.compiled} (${sources.length}); rejected ${compiled.rejected.length}`,
    },
    { name: 'compile time, whole corpus (YAML parse included)', value: `${(compileMs / 1000).toFixed(2)} s` },
    { name: 'prefilter automata (first event of each list)', value: `${(prepareMs / 1000).toFixed(2)} s` },
    { name: 'baseline: JSON.parse + JSON.stringify', value: formatRate(baselineRate) },
    { name: 'decode + hooks + detection', value: formatRate(pipelineRate) },
    { name: 'ratio to baseline', value: (pipelineRate / baselineRate).toFixed(3) },
    { name: 'matches', value: String(matches) },
    { name: 'process CPU time (whole loop)', value: `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s` },
    ...(await worstCase(rules)),
  ];
}

/** Fields rules test most, on process creations and connections: the ones a crafted event fills. */
const CRAFTED_FIELDS = ['CommandLine', 'ParentCommandLine', 'Image', 'ParentImage', 'DestinationHostname', 'User'];

/** 100 KB strings shaped to trip backtracking engines: long runs, near-misses of common rule patterns. */
const CRAFTED: [string, string][] = [
  ['100 KB of "a"', 'a'.repeat(100_000)],
  ['50 KB of backslashes then "x"', `${'\\'.repeat(50_000)}x`],
  ['30,000 x "-e " then "!"', `${'-e '.repeat(30_000)}!`],
  ['14,000 x "http://"', 'http://'.repeat(14_000)],
  ['100 KB of "%"', '%'.repeat(100_000)],
];

/**
 * Regexes run against attacker-controlled fields: the whole corpus on process-creation and connection events
 * whose usual fields are 100 KB crafted strings, beside the same events with ordinary fields (ms per event).
 */
async function worstCase(rules: RuleSet): Promise<Figure[]> {
  const base = generateRecords(100, { 1: 1, 3: 1 }, 3, 0).map(
    (data) => JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>,
  );
  const perEvent = async (text: string | undefined): Promise<number> => {
    const inputs: InputRecord[] = base.map((event, i) => {
      const copy = structuredClone(event) as { Event?: { EventData: Record<string, string> } } & Record<string, string>;
      const fields = copy.Event?.EventData ?? copy;
      if (text !== undefined) for (const field of CRAFTED_FIELDS) fields[field] = text;
      return { origin: `worst/${i}`, data: new TextEncoder().encode(JSON.stringify(copy)), arrival: 0 };
    });
    const start = performance.now();
    await processBatch(inputs, { context: createEnrichmentContext(), rules });
    return (performance.now() - start) / inputs.length;
  };
  const figures: Figure[] = [
    { name: 'worst case: ordinary fields', value: `${(await perEvent(undefined)).toFixed(3)} ms/event` },
  ];
  for (const [name, text] of CRAFTED) {
    figures.push({ name: `worst case: ${name} in 6 fields`, value: `${(await perEvent(text)).toFixed(3)} ms/event` });
  }
  return figures;
}
