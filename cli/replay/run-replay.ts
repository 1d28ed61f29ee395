import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { RuleSet } from '../../src/detection/index.js';
import type { RuleSelection } from '../../src/detection/rule-selection.js';
import { createEnrichmentContext, createHooks, type EnrichmentOptions, planHooks } from '../../src/hooks/index.js';
import { batchOutputs } from '../../src/pipeline/batch-outputs.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';

/**
 * replay reads each file (or archive entry) as one record: a responder's export is not a 1 MiB Kinesis record, so
 * the per-record document cap does not apply, and a .gz file may inflate to 2 GiB (a larger one needs streaming).
 */
const REPLAY_RECORD_LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };

import { loadRuleFiles, type RuleLoadReport } from '../../node-io/load-rules.js';
import type { Summary } from '../../src/pipeline/summary.js';
import { DiskObjectWriter } from '../io/disk-object-writer.js';
import { KNOWN_EXTENSIONS, readInputs } from '../io/input-files.js';
import { checkOutputFolder, markOutputFolder } from '../io/output-folder.js';
import { SKIP_HINT } from '../rule-flags.js';

export interface ReplayOptions {
  inputs: string[];
  out: string;
  /** Sigma rule files or folders; none: no detection. */
  rules?: string[];
  /** Which of those rules to load. Default: all but deprecated and unsupported. */
  ruleSelection?: RuleSelection;
  /** true: rules that do not compile are left out and listed; default: any such rule refuses the replay. */
  skipInvalidRules?: boolean;
  /** false: no enrichment (the hooks do not run). */
  enrich: boolean;
  enrichment: EnrichmentOptions;
  dedupeFields: string[];
  /** Called as each input record is read (a progress bar). */
  onRead?: (source: string, bytes: number) => void;
}

export interface ReplayResult {
  summary: Summary;
  /** What --rules loaded and left out; undefined without --rules. */
  rules?: RuleLoadReport;
  /** Rejected records read from a folder named `invalid` (events/invalid/ holds deliberately broken samples). */
  rejectedFromInvalid: number;
  objectsWritten: number;
}

/** An input that yields no record (an empty folder, no supported files): nothing to replay, which is an error. */
export class NoInputRecordsError extends Error {
  constructor(inputs: readonly string[]) {
    super(`no input records in ${inputs.join(', ')}: no files with a supported extension (${KNOWN_EXTENSIONS})`);
    this.name = 'NoInputRecordsError';
  }
}

/** A record whose path (or archive entry path) has a folder named `invalid`. */
function fromInvalidFolder(origin: string): boolean {
  return origin
    .split(/[\\/!]/)
    .slice(0, -1)
    .includes('invalid');
}

/**
 * Replays files through the same core the Lambdas run: the whole input is one batch (so answers in one file name
 * connections in another), with the in-memory store. Replaces `<out>/events`, `<out>/alerts` and `<out>/rejected`,
 * and only in a folder hookstream marked as its own (see output-folder.ts): anything else is refused up front.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  // Before reading: a refused --out must cost nothing and change nothing. The rules are read too, so they count.
  await checkOutputFolder(options.out, [...options.inputs, ...(options.rules ?? [])]);
  // Rules first: a rule that does not compile refuses the replay before a large input is read.
  let rules: RuleSet | undefined;
  let report: RuleLoadReport | undefined;
  if (options.rules !== undefined && options.rules.length > 0) {
    const loaded = await loadRuleFiles(
      options.rules,
      {
        ...(options.ruleSelection ? { selection: options.ruleSelection } : {}),
        skipInvalidRules: options.skipInvalidRules ?? false,
      },
      SKIP_HINT,
    );
    rules = loaded.result.ruleSet;
    report = loaded.report;
  }
  const started = Date.now();
  const records: InputRecord[] = [];
  let skippedInputs = 0;
  for await (const input of readInputs(options.inputs, { onSkipped: () => skippedInputs++ })) {
    records.push({ origin: input.source, data: input.data, arrival: started });
    options.onRead?.(input.source, input.data.byteLength);
  }
  if (records.length === 0) throw new NoInputRecordsError(options.inputs);
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
  return {
    summary: batch.summary,
    ...(report ? { rules: report } : {}),
    rejectedFromInvalid: batch.rejected.filter((item) => fromInvalidFolder(item.origin)).length,
    objectsWritten: objects.length,
  };
}
