import { rm } from 'node:fs/promises';
import path from 'node:path';
import { compileRules, type RuleProblem, type RuleSet } from '../../src/detection/index.js';
import { createEnrichmentContext, createHooks, type EnrichmentOptions, planHooks } from '../../src/hooks/index.js';
import { batchOutputs } from '../../src/pipeline/batch-outputs.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';

/**
 * replay reads each file (or archive entry) as one record: a responder's export is not a 1 MiB Kinesis record, so
 * the per-record document cap does not apply, and a .gz file may inflate to 2 GiB (a larger one needs streaming).
 */
const REPLAY_RECORD_LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };

import type { Summary } from '../../src/pipeline/summary.js';
import { DiskObjectWriter } from '../io/disk-object-writer.js';
import { readInputs } from '../io/input-files.js';
import { checkOutputFolder, markOutputFolder } from '../io/output-folder.js';
import { readRuleSources } from '../../node-io/rule-files.js';

export interface ReplayOptions {
  inputs: string[];
  out: string;
  /** Sigma rule files or folders; none: no detection. */
  rules?: string[];
  /** false: no enrichment (the hooks do not run). */
  enrich: boolean;
  enrichment: EnrichmentOptions;
  dedupeFields: string[];
  /** Called as each input record is read (a progress bar). */
  onRead?: (source: string, bytes: number) => void;
}

export interface ReplayResult {
  summary: Summary;
  /** Rule files that did not compile (reported, not fatal for a replay). */
  ruleProblems: RuleProblem[];
  rulesLoaded: number;
  objectsWritten: number;
}

/**
 * Replays files through the same core the Lambdas run: the whole input is one batch (so answers in one file name
 * connections in another), with the in-memory store. Replaces `<out>/events`, `<out>/alerts` and `<out>/rejected`,
 * and only in a folder hookstream marked as its own (see output-folder.ts): anything else is refused up front.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  // Before reading: a refused --out must cost nothing and change nothing. The rules are read too, so they count.
  await checkOutputFolder(options.out, [...options.inputs, ...(options.rules ?? [])]);
  const started = Date.now();
  const records: InputRecord[] = [];
  let skippedInputs = 0;
  for await (const input of readInputs(options.inputs, { onSkipped: () => skippedInputs++ })) {
    records.push({ origin: input.source, data: input.data, arrival: started });
    options.onRead?.(input.source, input.data.byteLength);
  }
  let rules: RuleSet | undefined;
  let ruleProblems: RuleProblem[] = [];
  if (options.rules !== undefined && options.rules.length > 0) {
    const compiled = compileRules(await readRuleSources(options.rules));
    rules = compiled.ruleSet;
    ruleProblems = compiled.rejected;
  }
  const batch = await processBatch(records, {
    hooks: options.enrich ? planHooks(createHooks(options.enrichment)) : undefined,
    context: createEnrichmentContext(options.enrichment),
    rules,
    recordLimits: REPLAY_RECORD_LIMITS,
  });
  batch.summary.skippedInputs = skippedInputs;
  const { objects } = batchOutputs(batch, 'replay', options.dedupeFields);
  // Marked before the first delete, so a run interrupted half-way leaves a folder the next run may clear.
  await markOutputFolder(options.out, 'replay');
  for (const area of ['events', 'alerts', 'rejected']) {
    await rm(path.join(options.out, area), { recursive: true, force: true });
  }
  const writer = new DiskObjectWriter(options.out);
  for (const object of objects) await writer.put(object.key, object.body);
  return { summary: batch.summary, ruleProblems, rulesLoaded: rules?.size ?? 0, objectsWritten: objects.length };
}
