/**
 * The three handlers (dns-answers, enrich, enrich-hold) built with the real createHandler / createHoldHandler and
 * the real composition roots, pointed at the harness's emulators; and the loops that drive them to quiescence.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import type { Env } from '../../lambda/config.js';
import { createDnsAnswersService } from '../../lambda/dns-answers/dependencies.js';
import { createHandler as createDnsAnswersHandler } from '../../lambda/dns-answers/handler.js';
import { type Clocks, createEnrichService, type EnrichClients } from '../../lambda/enrich/dependencies.js';
import { createHandler as createEnrichHandler } from '../../lambda/enrich/handler.js';
import { createHoldHandler } from '../../lambda/enrich/hold-handler.js';
import { loadRules } from '../../lambda/rules.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { type ProcessedBatch, processBatch } from '../../src/pipeline/process-batch.js';
import type { HoldPoller, LambdaHandler, LambdaHarness, ShardConsumer } from './lambda-harness.js';
import { testTempRoot } from './test-temp.js';

export interface Functions {
  dnsAnswers: LambdaHandler<KinesisStreamEvent>;
  enrich: LambdaHandler<KinesisStreamEvent>;
  hold: LambdaHandler<SQSEvent>;
}

export interface FunctionOptions {
  env: Env;
  clocks: Clocks;
  /** Clients to use instead of the emulators' (e.g. a fault-injecting DynamoDB client). */
  clients?: Partial<EnrichClients>;
}

/** One container per function: each handler makes its service once, on first use, like a cold start. */
export function createFunctions(harness: LambdaHarness, options: FunctionOptions): Functions {
  const clients: EnrichClients = { ...harness.clients, ...options.clients };
  return {
    dnsAnswers: createDnsAnswersHandler(() => createDnsAnswersService(options.env, clients.dynamodb, options.clocks)),
    enrich: createEnrichHandler(() => createEnrichService(options.env, clients, options.clocks)),
    hold: createHoldHandler(() => createEnrichService(options.env, clients, options.clocks)),
  };
}

export interface DrainStats {
  invocations: number;
  /** Invocations answered with batch item failures. */
  failedInvocations: number;
}

/**
 * Steps every consumer until none has anything left. A batch answered with failures is retried from the lowest
 * failed record by the next step (as Lambda does); `maxInvocations` stops a batch that can never succeed.
 */
export async function drainConsumers(
  consumers: readonly ShardConsumer[],
  batchSize: number | (() => number),
  maxInvocations = 100_000,
): Promise<DrainStats> {
  const stats: DrainStats = { invocations: 0, failedInvocations: 0 };
  const size = typeof batchSize === 'number' ? () => batchSize : batchSize;
  let busy = true;
  while (busy) {
    busy = false;
    for (const consumer of consumers) {
      const step = await consumer.step(size());
      if (step.records === 0) continue;
      busy = true;
      stats.invocations++;
      if (step.failed > 0) stats.failedInvocations++;
      if (stats.invocations > maxInvocations) throw new Error(`consumers still busy after ${maxInvocations} batches`);
    }
  }
  return stats;
}

/**
 * Polls the hold queue until it is empty: held connections come back after their delivery delay (fauxqs honours
 * DelaySeconds), are re-checked, and written or held again.
 */
export async function drainHoldQueue(poller: HoldPoller, timeoutMs = 120_000): Promise<DrainStats> {
  const stats: DrainStats = { invocations: 0, failedInvocations: 0 };
  const deadline = Date.now() + timeoutMs;
  while ((await poller.pending()) > 0) {
    if (Date.now() > deadline) throw new Error(`hold queue not empty after ${timeoutMs} ms`);
    const step = await poller.poll();
    if (step.records === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    stats.invocations++;
    if (step.failed > 0) stats.failedInvocations++;
  }
  return stats;
}

/** The id of the rule {@link writeTestRules} writes. */
export const TEST_RULE_ID = '6f1d3c52-8a8e-4c1b-9f1e-2b7f0c4a9d01';
export const TEST_DNS_RULE_ID = '0c4e2a7b-5d3f-4b8e-a1c9-7e2f6d8b3a02';
export const TEST_RULE_TITLE = 'Connection To raw.githubusercontent.com By Resolved Name';

/**
 * A rules folder of our own (independent of the project's rules/, which another change may edit): one Sigma rule
 * that matches only when enrichment put raw.githubusercontent.com into a connection (and, on request, a noisy one on
 * DNS queries). Returns its absolute path.
 */
export async function writeTestRules(options: { dnsQueries?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(testTempRoot(), 'hookstream-rules-'));
  if (options.dnsQueries) {
    // Many matches (one per Sysmon 22 query for a .com name), collapsing by host and query name.
    await writeFile(
      join(dir, 'dns_query_com.yml'),
      [
        'title: DNS Query For A .com Name',
        `id: ${TEST_DNS_RULE_ID}`,
        'status: test',
        'description: hookstream Lambda fault-injection tests; many alerts.',
        'logsource:',
        '    category: dns_query',
        '    product: windows',
        'detection:',
        '    selection:',
        "        QueryName|endswith: '.com'",
        '    condition: selection',
        'level: low',
        '',
      ].join('\n'),
    );
  }
  await writeFile(
    join(dir, 'net_connection_raw_github_resolved.yml'),
    [
      `title: ${TEST_RULE_TITLE}`,
      `id: ${TEST_RULE_ID}`,
      'status: test',
      'description: hookstream Lambda integration tests; matches only an enriched connection.',
      'logsource:',
      '    category: network_connection',
      '    product: windows',
      'detection:',
      '    selection:',
      "        DestinationHostname|endswith: 'raw.githubusercontent.com'",
      '    condition: selection',
      'level: high',
      '',
    ].join('\n'),
  );
  return dir;
}

/**
 * What `hookstream replay` makes of the same records: one batch through the core, enrichment on with the pipeline's
 * options (look-ahead 5 s, replace), the rules of `rulesDir`. The reference the end-to-end tests compare with.
 */
export async function replayRecords(
  records: readonly Uint8Array[],
  options: { rulesDir: string; retentionHours: number },
): Promise<ProcessedBatch> {
  const enrichment = { retentionMs: options.retentionHours * 3_600_000, lookAheadMs: 5_000, mode: 'replace' as const };
  return processBatch(
    records.map((data, i) => ({ origin: `input/${i}`, data, arrival: 0 })),
    {
      hooks: planHooks(createHooks(enrichment)),
      context: createEnrichmentContext(enrichment),
      rules: await loadRules(options.rulesDir, '/'),
    },
  );
}
