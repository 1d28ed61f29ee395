/**
 * The three pipeline functions and their event sources:
 * - dns-answers: Kinesis -> resolution table (optionally filtered to DNS events at the event source);
 * - enrich: Kinesis -> enrich, detect, write S3, publish alerts; unresolved connections go to the hold queue;
 * - enrich-hold: the hold queue (delivered after the hold window) -> the same pipeline for late answers.
 * Batch sizes, windows, retries and ages are explained in docs/operations.md.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  KinesisEventSource,
  S3OnFailureDestination,
  SqsEventSource,
  type StreamEventSourceProps,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_CONTAINERS_PREFIX, ENV } from '../../lambda/config.js';
import { type DnsFilterPattern, registryDnsFilterPatterns } from '../../src/events/formats/index.js';
import { createHooks } from '../../src/hooks/index.js';
import { enrichWritesState } from '../../src/hooks/run-hooks.js';
import { FUNCTION_TIMEOUT_SECONDS, OUTPUT_PREFIXES, STATE_PREFIX } from '../../src/pipeline/names.js';
import { HookstreamFunction, SERVICE_NAMES, TABLE_ACTIONS } from './hookstream-function.js';
import type { CompiledRuleBundle } from './rule-bundle.js';
import { BUNDLED_RULES_DIR } from './rule-bundle.js';
import type { StateTables } from './state-tables.js';

export interface PipelineFunctionsProps {
  projectRoot: string;
  stream: kinesis.IStream;
  tables: StateTables;
  output: s3.IBucket;
  failedBatches: s3.IBucket;
  alertTopic: sns.ITopic;
  alertTopicKey: kms.IKey;
  rules: CompiledRuleBundle;
  holdWindowSeconds: number;
  eventSourceFilter: boolean;
  /** NETWORK_LABELS of the enrich functions (infra/network-labels.ts); absent: the network-label hook is off. */
  networkLabels?: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Kinesis event-source settings, exported for tests and docs/operations.md. */
export const DNS_SOURCE = { batchSize: 500, maxBatchingWindowSeconds: 1 } as const;
export const ENRICH_SOURCE = { batchSize: 1000, maxBatchingWindowSeconds: 5 } as const;
export const HOLD_SOURCE = { batchSize: 100, maxBatchingWindowSeconds: 5, maxConcurrency: 5 } as const;
export const STREAM_RETRY = { retryAttempts: 8, maxRecordAgeHours: 6 } as const;
/** Receives of a held message before it goes to the hold DLQ. */
export const HOLD_MAX_RECEIVES = 5;

/** The output areas the enrich functions write (src/pipeline/partition.ts OutputArea). */

/**
 * Event-source filter patterns for DNS events in plain-JSON records, derived from the shipper format registry
 * (each format module declares where its event ID sits; src/events/formats/dns-filter.ts merges them). Lambda
 * ORs the filters (at most 5 per event source; synth fails if the formats need more). A record whose data is not
 * JSON (gzip, KPL aggregate, CloudWatch Logs envelope) never matches a `data` pattern and is DROPPED, which is
 * why the filter is off by default.
 */
export const DNS_FILTER_PATTERNS: readonly DnsFilterPattern[] = registryDnsFilterPatterns();

/**
 * The S3 on-failure destination with the narrow grant Lambda needs (PutObject and ListBucket), instead of the
 * read/write/delete grant of the stock class. Lambda writes the whole failed batch (records included).
 */
class FailedBatchesDestination extends S3OnFailureDestination {
  constructor(private readonly target: s3.IBucket) {
    super(target);
  }

  override bind(_mapping: lambda.IEventSourceMapping, fn: lambda.IFunction): lambda.DlqDestinationConfig {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.target.arnForObjects('*')] }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.target.bucketArn] }));
    if (fn instanceof HookstreamFunction) {
      fn.acknowledgeObjectPrefix(
        this.target,
        '*',
        'Lambda names failed-batch objects itself (aws/lambda/<mapping>/<shard>/<date>/...); the bucket holds nothing else.',
      );
    }
    return { destination: this.target.bucketArn };
  }
}

export class PipelineFunctions extends Construct {
  readonly dnsAnswers: HookstreamFunction;
  readonly enrich: HookstreamFunction;
  readonly enrichHold: HookstreamFunction;
  readonly holdQueue: sqs.Queue;
  readonly holdDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const common = {
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    };

    this.dnsAnswers = new HookstreamFunction(this, 'DnsAnswers', {
      ...common,
      entry: 'lambda/dns-answers/handler.ts',
      description: 'hookstream: Sysmon 22 / DNS-Client 3008 answers from the stream into the resolution table',
      serviceName: SERVICE_NAMES.dnsAnswers,
      memorySize: 512,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.dnsAnswers),
    });
    this.dnsAnswers
      .usesTable(ENV.resolutionTable, props.tables.resolution, TABLE_ACTIONS.resolutionWrite)
      .usesTable(ENV.watermarkTable, props.tables.watermark, TABLE_ACTIONS.watermark);
    this.dnsAnswers.addEventSource(
      new KinesisEventSource(props.stream, {
        ...this.#streamSourceProps(props.failedBatches),
        batchSize: DNS_SOURCE.batchSize,
        maxBatchingWindow: Duration.seconds(DNS_SOURCE.maxBatchingWindowSeconds),
        filters: props.eventSourceFilter
          ? DNS_FILTER_PATTERNS.map((pattern) => lambda.FilterCriteria.filter({ ...pattern }))
          : undefined,
      }),
    );

    this.holdDeadLetters = new sqs.Queue(this, 'HoldDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const holdTimeout = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.enrichHold);
    this.holdQueue = new sqs.Queue(this, 'Hold', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Every held connection becomes visible only after the hold window: the late answer has had time to land.
      deliveryDelay: Duration.seconds(props.holdWindowSeconds),
      // AWS guidance for SQS event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(holdTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.holdDeadLetters, maxReceiveCount: HOLD_MAX_RECEIVES },
    });

    const enrichStateActions = enrichWritesState(createHooks())
      ? TABLE_ACTIONS.resolutionWrite
      : TABLE_ACTIONS.resolutionRead;
    const enrichEnvironment = (fn: HookstreamFunction) => {
      // The state table: read, and written too when a registered hook's state is persisted while enriching.
      fn.usesTable(ENV.resolutionTable, props.tables.resolution, enrichStateActions)
        .usesTable(ENV.watermarkTable, props.tables.watermark, TABLE_ACTIONS.watermark)
        .usesTable(ENV.dedupeTable, props.tables.dedupe, TABLE_ACTIONS.dedupe)
        .writesUnder(ENV.outputBucket, props.output, OUTPUT_PREFIXES, STATE_PREFIX)
        .publishesTo(ENV.alertTopicArn, props.alertTopic, props.alertTopicKey)
        .sendsTo(ENV.holdQueueUrl, this.holdQueue)
        // KinesisCatchUp: how far the dns-answers consumer has read, before a connection is held or given up.
        .readsStream(ENV.streamArn, props.stream)
        // IOC containers for the rules (Gene `in`, Sigma |expand), reloaded from this prefix when they change.
        .readsContainers(ENV.containersBucket, ENV.containersPrefix, props.output, DEFAULT_CONTAINERS_PREFIX);
      fn.addEnvironment(ENV.rulesDir, BUNDLED_RULES_DIR);
      // The queue delay and the function's own idea of the hold window must be the same number.
      fn.addEnvironment(ENV.holdWindowSeconds, String(props.holdWindowSeconds));
      if (props.networkLabels !== undefined) fn.addEnvironment(ENV.networkLabels, props.networkLabels);
      return fn;
    };

    this.enrich = enrichEnvironment(
      new HookstreamFunction(this, 'Enrich', {
        ...common,
        entry: 'lambda/enrich/handler.ts',
        description: 'hookstream: enrich Sysmon connections with DNS names, run Sigma rules, write S3, publish alerts',
        serviceName: SERVICE_NAMES.enrich,
        memorySize: 1024,
        timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.enrich),
        commandHooks: props.rules.commandHooks,
      }),
    );
    this.enrich.addEventSource(
      new KinesisEventSource(props.stream, {
        ...this.#streamSourceProps(props.failedBatches),
        batchSize: ENRICH_SOURCE.batchSize,
        maxBatchingWindow: Duration.seconds(ENRICH_SOURCE.maxBatchingWindowSeconds),
      }),
    );

    this.enrichHold = enrichEnvironment(
      new HookstreamFunction(this, 'EnrichHold', {
        ...common,
        entry: 'lambda/enrich/hold-handler.ts',
        description: 'hookstream: held connections after the hold window, enriched with late DNS answers',
        serviceName: SERVICE_NAMES.enrichHold,
        memorySize: 1024,
        timeout: holdTimeout,
        commandHooks: props.rules.commandHooks,
      }),
    );
    this.enrichHold.addEventSource(
      new SqsEventSource(this.holdQueue, {
        batchSize: HOLD_SOURCE.batchSize,
        maxBatchingWindow: Duration.seconds(HOLD_SOURCE.maxBatchingWindowSeconds),
        maxConcurrency: HOLD_SOURCE.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  #streamSourceProps(failedBatches: s3.IBucket): StreamEventSourceProps {
    return {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: STREAM_RETRY.retryAttempts,
      maxRecordAge: Duration.hours(STREAM_RETRY.maxRecordAgeHours),
      parallelizationFactor: 1,
      onFailure: new FailedBatchesDestination(failedBatches),
    };
  }
}
