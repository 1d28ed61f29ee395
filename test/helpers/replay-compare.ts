/**
 * TEST HELPER: what a replay wrote, and what the in-memory core (processBatch over the whole input as one batch,
 * then batchOutputs) writes for the same input, in a form to compare line by line.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readInputs } from '../../cli/io/input-files.js';
import { SKIP_HINT } from '../../cli/rule-flags.js';
import { loadRuleFiles } from '../../node-io/load-rules.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { batchOutputs } from '../../src/pipeline/batch-outputs.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import type { Summary } from '../../src/pipeline/summary.js';

export type Areas = Map<string, unknown[]>;

/** The lines of every output object, by key; rejected lines without their arrival (the in-memory core's is 0). */
export function linesOf(key: string, body: Uint8Array): [string, unknown[]] {
  const lines = gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  if (!key.startsWith('rejected/')) return [key, lines];
  for (const line of lines) delete line.arrival;
  return ['rejected', lines];
}

export async function readOut(out: string): Promise<Areas> {
  const areas: Areas = new Map();
  for (const file of (await readdir(out, { recursive: true })).sort()) {
    if (!file.endsWith('.json.gz')) continue;
    const [key, lines] = linesOf(file.split(path.sep).join('/'), await readFile(path.join(out, file)));
    areas.set(key, [...(areas.get(key) ?? []), ...lines]);
  }
  return areas;
}

export async function inMemory(
  inputs: string[],
  rules: string[],
  enrich = true,
): Promise<{ summary: Summary; areas: Areas }> {
  const records: InputRecord[] = [];
  for await (const input of readInputs(inputs)) records.push({ origin: input.source, data: input.data, arrival: 0 });
  const ruleSet =
    rules.length === 0
      ? undefined
      : (await loadRuleFiles(rules, { skipInvalidRules: false }, SKIP_HINT)).result.ruleSet;
  const batch = await processBatch(records, {
    hooks: enrich ? planHooks(createHooks({})) : undefined,
    context: createEnrichmentContext({}),
    rules: ruleSet,
    recordLimits: { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY },
  });
  const areas: Areas = new Map();
  for (const object of batchOutputs(batch, 'replay', ['host', 'destination']).objects) {
    const [key, lines] = linesOf(object.key, object.body);
    areas.set(key, [...(areas.get(key) ?? []), ...lines]);
  }
  return { summary: batch.summary, areas };
}

/** A summary without what only the replay around the core knows (files skipped by extension). */
export function comparable(summary: Summary): Summary {
  return { ...summary, skippedInputs: 0 };
}
