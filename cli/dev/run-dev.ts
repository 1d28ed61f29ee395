/**
 * `hookstream dev`: the AWS pipeline on this machine. The emulators with the stack's resources, the real handlers
 * (createHandler / createHoldHandler over createDnsAnswersService / createEnrichService, pointed at the emulators
 * through their clients argument), a local event source mapping per function and shard, the hold-queue poller,
 * the alert printer, and a mirror of the bucket to a folder.
 */

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DEFAULT_CONTAINERS_PREFIX, ENV } from '../../lambda/config.js';
import { createDnsAnswersService } from '../../lambda/dns-answers/dependencies.js';
import { createHandler as createDnsAnswersHandler } from '../../lambda/dns-answers/handler.js';
import { type Clocks, createEnrichService } from '../../lambda/enrich/dependencies.js';
import { createHandler as createEnrichHandler } from '../../lambda/enrich/handler.js';
import { createHoldHandler } from '../../lambda/enrich/hold-handler.js';
import { type ContainerFile, readContainerFiles } from '../../node-io/container-files.js';
import { loadRuleFiles, ruleProblemLine } from '../../node-io/load-rules.js';
import { defaultRuleCache } from '../../node-io/rule-cache.js';
import { parseRuleSelection, type RuleSelectionText } from '../../src/detection/rule-selection.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { parseContainerText } from '../../src/ioc/parse-container.js';
import type { DnsAnswersService } from '../../src/pipeline/dns-answers-service.js';
import type { EnrichService } from '../../src/pipeline/enrich-service.js';
import { checkOutputFolder, markOutputFolder } from '../io/output-folder.js';
import { SKIP_HINT } from '../rule-flags.js';
import { AlertPrinter } from './alert-printer.js';
import { BucketMirror } from './bucket-mirror.js';
import { type Emulators, startEmulators } from './emulators.js';
import { HoldPoller } from './hold-poller.js';
import { createLocalStack, LOCAL_NAMES, type LocalStack } from './local-stack.js';
import { prepareRulesFolder } from './rules-folder.js';
import { ShardPoller } from './shard-poller.js';
import { createTempFolder, removeAbandonedTempFolders, type TempFolder } from './temp-folders.js';

/** The event source mappings of infra/constructs/pipeline-functions.ts (DNS_SOURCE, ENRICH_SOURCE). */
export const DNS_SOURCE = { batchSize: 500, batchWindowMs: 1000 } as const;
export const ENRICH_SOURCE = { batchSize: 1000, batchWindowMs: 5000 } as const;

export interface DevOptions {
  /** Sigma rule files or folders. */
  rules: readonly string[];
  /** Which of them to load (rule-selection.ts), as text; none: all but deprecated and unsupported. */
  ruleSelection?: RuleSelectionText;
  /** true: rules that do not compile are left out and listed; default: any such rule stops dev before it starts. */
  skipInvalidRules?: boolean;
  /**
   * IOC container folders: uploaded at start to the emulated bucket's containers prefix, from where the functions
   * load and reload them as in AWS (CONTAINERS_BUCKET/CONTAINERS_PREFIX). Default: none.
   */
  containers?: readonly string[];
  /** Folder the bucket is mirrored to; none: no mirror. */
  out?: string;
  /** Kinesis port (fixed, so `hookstream send` can find it). */
  port: number;
  host: string;
  shards: number;
  holdWindowSeconds: number;
  retentionHours: number;
  /** Expire answers by the wall clock (as the Lambda does); off: they never expire during the session. */
  wallClockExpiry: boolean;
  /** How often the bucket is mirrored and counts are reported; 0: only at stop. */
  intervalMs: number;
  /** One line to stdout (alerts). */
  print: (line: string) => void;
  /** One line to stderr (counts, failures). */
  report: (line: string) => void;
}

export interface DevSession {
  kinesisEndpoint: string;
  streamName: string;
  stack: LocalStack;
  endpoints: Record<string, string | undefined>;
  rulesDir: string;
  /**
   * Stops polling, drains, prints the last alerts, mirrors the bucket a last time, closes the emulators and removes
   * the session's temporary folder.
   */
  stop(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevSession> {
  // dev reads nothing but its rules; refused before anything starts, so a refusal leaves no trace.
  if (options.out !== undefined) await checkOutputFolder(options.out, options.rules);
  // The rules once here, before anything starts: a rule that does not compile stops dev with one line per rule (the
  // functions would refuse it at their cold start anyway), and the skipped ones are listed once, not per container.
  const selection = parseRuleSelection(options.ruleSelection);
  if (!selection.ok) throw new Error(selection.error);
  const skipInvalidRules = options.skipInvalidRules ?? false;
  const containerFiles = options.containers ? readContainerFiles(options.containers) : undefined;
  const containers = containerFiles
    ? {
        containers: new ContainerSet(containerFiles.map((f) => ({ name: f.name, values: parseContainerText(f.text) }))),
      }
    : {};
  const { report } = await loadRuleFiles(
    options.rules,
    { selection: selection.value, skipInvalidRules, cache: defaultRuleCache(), ...containers },
    SKIP_HINT,
  );
  for (const problem of report.invalidSkipped) {
    options.report(`hookstream dev: rule skipped (--skip-invalid-rules): ${ruleProblemLine(problem)}`);
  }
  const ruleOptions =
    options.ruleSelection !== undefined || skipInvalidRules
      ? { ...(options.ruleSelection ? { selection: options.ruleSelection } : {}), skipInvalidRules }
      : undefined;
  for (const left of await removeAbandonedTempFolders()) {
    options.report(`hookstream dev: removed ${left.path}, left by pid ${left.owner.pid}, which is no longer running`);
  }
  // One folder for the rules copy and the bucket's objects: one owner file, one removal.
  const scratch = await createTempFolder('dev');
  let emulators: Emulators | undefined;
  let session: DevSession;
  try {
    const rulesDir = await prepareRulesFolder(options.rules, scratch.path, ruleOptions);
    const s3Directory = path.join(scratch.path, 's3');
    await mkdir(s3Directory);
    emulators = await startEmulators({ host: options.host, ports: { kinesis: options.port }, s3Directory });
    session = await wire(options, emulators, rulesDir, scratch, containerFiles);
  } catch (error) {
    await emulators?.stop();
    await scratch.remove();
    throw error;
  }
  if (options.out !== undefined) {
    // Marked once everything has started, so a start-up problem leaves no new folder behind.
    await markOutputFolder(options.out, 'dev').catch(async (error: unknown) => {
      await session.stop();
      throw error;
    });
  }
  return session;
}

async function wire(
  options: DevOptions,
  emulators: Emulators,
  rulesDir: string,
  scratch: TempFolder,
  containerFiles: readonly ContainerFile[] | undefined,
): Promise<DevSession> {
  const { clients } = emulators;
  const stack = await createLocalStack(emulators, options.shards);
  // The IOC containers where the functions read them in AWS: under the containers prefix of the output bucket.
  for (const file of containerFiles ?? []) {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_NAMES.bucket,
        Key: `${DEFAULT_CONTAINERS_PREFIX}${file.fileName}`,
        Body: file.text,
      }),
    );
  }
  const env = stack.env({
    ...(containerFiles
      ? { [ENV.containersBucket]: LOCAL_NAMES.bucket, [ENV.containersPrefix]: DEFAULT_CONTAINERS_PREFIX }
      : {}),
    [ENV.rulesDir]: rulesDir,
    [ENV.retentionHours]: String(options.retentionHours),
    [ENV.holdWindowSeconds]: String(options.holdWindowSeconds),
  });
  // The store clock only decides when an answer is expired on read (ttl = event time + retention); recordings from
  // 2019-2020 would be expired on arrival by today's clock. Naming still uses the retention in event time.
  const clocks: Clocks = { wall: Date.now, store: options.wallClockExpiry ? Date.now : () => 0 };

  // One container per mapping (shard) and function, as Lambda runs them concurrently. Made now, not on the first
  // batch, so a bad rule or setting stops dev at start-up instead of failing every batch.
  const enrichServices: Promise<EnrichService>[] = [...stack.shardIds, 'hold'].map(() =>
    createEnrichService(env, clients, clocks),
  );
  const dnsServices: Promise<DnsAnswersService>[] = stack.shardIds.map(() =>
    createDnsAnswersService(env, clients.dynamodb, clocks),
  );
  await Promise.all([...enrichServices, ...dnsServices]);

  const onFailure = (message: string) => options.report(`hookstream dev: ${message}`);
  const mapping = (functionName: string, shardId: string, index: number) => {
    const isDns = functionName === 'dns-answers';
    const source = isDns ? DNS_SOURCE : ENRICH_SOURCE;
    const handler = isDns
      ? createDnsAnswersHandler(() => dnsServices[index] as Promise<DnsAnswersService>)
      : createEnrichHandler(() => enrichServices[index] as Promise<EnrichService>);
    return new ShardPoller({
      kinesis: clients.kinesis,
      streamName: stack.streamName,
      streamArn: stack.streamArn,
      shardId,
      functionName,
      handler,
      batchSize: source.batchSize,
      batchWindowMs: source.batchWindowMs,
      onFailure,
    });
  };
  const dnsPollers = stack.shardIds.map((shardId, i) => mapping('dns-answers', shardId, i));
  const enrichPollers = stack.shardIds.map((shardId, i) => mapping('enrich', shardId, i));
  const holdPoller = new HoldPoller({
    sqs: clients.sqs,
    queueUrl: stack.holdQueueUrl,
    queueArn: stack.holdQueueArn,
    handler: createHoldHandler(() => enrichServices[stack.shardIds.length] as Promise<EnrichService>),
    onFailure,
  });
  const alerts = new AlertPrinter({ sqs: clients.sqs, queueUrl: stack.alertQueueUrl, print: options.print, onFailure });
  const mirror = options.out === undefined ? undefined : new BucketMirror(clients.s3, stack.bucket, options.out);

  for (const poller of [...dnsPollers, ...enrichPollers]) poller.start();
  holdPoller.start();
  alerts.start();

  let lastCounts = '';
  const reportCounts = async (force: boolean) => {
    const sum = (pollers: ShardPoller[], key: 'records' | 'invocations' | 'failedInvocations') =>
      pollers.reduce((total, poller) => total + poller.counts[key], 0);
    const failed =
      sum(dnsPollers, 'failedInvocations') +
      sum(enrichPollers, 'failedInvocations') +
      holdPoller.counts.failedInvocations;
    // Held connections still waiting (delayed, visible or being processed): 0 once everything sent is written.
    const queued = await holdPoller.pending();
    const line =
      `records: dns-answers ${sum(dnsPollers, 'records')} (${sum(dnsPollers, 'invocations')} batches), ` +
      `enrich ${sum(enrichPollers, 'records')} (${sum(enrichPollers, 'invocations')} batches); ` +
      `hold messages re-checked ${holdPoller.counts.records}, queued ${queued}; alerts ${alerts.printed}; ` +
      `failed batches ${failed}` +
      (mirror ? `; mirrored objects ${mirror.objects} (deleted ${mirror.deleted})` : '');
    if (force || line !== lastCounts) options.report(`hookstream dev: ${line}`);
    lastCounts = line;
  };
  const failing = (what: string) => (error: unknown) =>
    onFailure(`${what}: ${error instanceof Error ? error.message : error}`);
  let syncing: Promise<unknown> = Promise.resolve();
  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          // One sync at a time: a slow one is not overlapped by the next tick.
          syncing = syncing
            .then(() => mirror?.sync())
            .catch(failing('mirror'))
            .then(() => reportCounts(false))
            .catch(failing('counts'));
        }, options.intervalMs)
      : undefined;

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    clearInterval(timer);
    try {
      // Answers first, so that the connections enrich still holds or reads find them; then held connections (they
      // become visible after the hold window), then the alerts they raised.
      await Promise.all(dnsPollers.map((poller) => poller.stop()));
      await Promise.all(enrichPollers.map((poller) => poller.stop()));
      await holdPoller.stop((options.holdWindowSeconds * 2 + 5) * 1000);
      const left = await holdPoller.pending();
      if (left > 0) onFailure(`${left} hold messages left unprocessed`);
      await alerts.stop();
      await syncing;
      if (mirror) await mirror.sync();
      await reportCounts(true);
    } finally {
      // Even when draining failed: open servers would keep the process alive, and the scratch folder is ours.
      await emulators.stop();
      await scratch.remove();
    }
  };

  return {
    kinesisEndpoint: emulators.endpoints.kinesis ?? '',
    streamName: stack.streamName,
    stack,
    endpoints: { ...emulators.endpoints },
    rulesDir,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
