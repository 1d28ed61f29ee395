/**
 * The whole pipeline in one stack: stream -> dns-answers / enrich (+ hold) -> tables, S3, Glue/Athena, alerts,
 * alarms. Settings come from CDK context (infra/settings.ts); the rule compiler is injected so synth fails on a
 * rule that does not compile (infra/constructs/rule-bundle.ts).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { Alerting } from '../constructs/alerting.js';
import { EventStream } from '../constructs/event-stream.js';
import { dataRemovalPolicy, SERVICE_NAMES } from '../constructs/hookstream-function.js';
import { Operations } from '../constructs/operations.js';
import { OutputStorage } from '../constructs/output-storage.js';
import { PipelineFunctions } from '../constructs/pipeline-functions.js';
import { QueryCatalog } from '../constructs/query-catalog.js';
import { compileRuleBundle, type RuleCompiler } from '../constructs/rule-bundle.js';
import { StateTables } from '../constructs/state-tables.js';
import { networkLabelsVariable } from '../network-labels.js';
import type { HookstreamSettings } from '../settings.js';

export interface HookstreamStackProps extends StackProps {
  settings: HookstreamSettings;
  /** Repository root (entries, lock file, rule folders are resolved from it). */
  projectRoot: string;
  /** `compileRules` from src/detection, or a stand-in in tests. */
  compileRules: RuleCompiler;
}

export class HookstreamStack extends Stack {
  readonly eventStream: EventStream;
  readonly tables: StateTables;
  readonly storage: OutputStorage;
  readonly catalog: QueryCatalog;
  readonly alerting: Alerting;
  readonly pipeline: PipelineFunctions;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: HookstreamStackProps) {
    super(scope, id, props);
    const { settings, projectRoot } = props;
    const removalPolicy = dataRemovalPolicy(settings.retainData);
    const logRetention = settings.logRetentionDays as logs.RetentionDays;

    // One customer managed key for what needs one: the SNS topics (SNS has no free managed key that CloudWatch
    // alarms can publish through), the SNS delivery DLQ, and the stream when other accounts write to it.
    const key = new kms.Key(this, 'Key', {
      description: 'hookstream: alert and operations topics, SNS delivery dead letters, cross-account stream',
      enableKeyRotation: true,
      removalPolicy,
    });

    const rules = compileRuleBundle(projectRoot, settings.rulePaths, props.compileRules);

    this.eventStream = new EventStream(this, 'Events', {
      shardCount: settings.shardCount,
      retentionHours: settings.streamRetentionHours,
      producerAccounts: settings.producerAccounts,
      key,
    });
    this.tables = new StateTables(this, 'State', { removalPolicy });
    this.storage = new OutputStorage(this, 'Storage', {
      removalPolicy,
      versioned: settings.versioned,
      infrequentAccessDays: settings.infrequentAccessDays,
      glacierDays: settings.glacierDays,
      expireDays: settings.expireDays,
    });
    this.catalog = new QueryCatalog(this, 'Query', {
      output: this.storage.output,
      accessLogs: this.storage.accessLogs,
      dataStartDate: settings.dataStartDate,
      scanLimitGb: settings.athenaScanLimitGb,
      removalPolicy,
    });
    this.alerting = new Alerting(this, 'Alerts', {
      projectRoot,
      key,
      alertEmail: settings.alertEmail,
      emailMinLevel: settings.emailMinLevel,
      slackWebhookSecret: settings.slackWebhookSecret,
      slackMinLevel: settings.slackMinLevel,
      logRetention,
      removalPolicy,
    });
    this.pipeline = new PipelineFunctions(this, 'Pipeline', {
      projectRoot,
      stream: this.eventStream.stream,
      tables: this.tables,
      output: this.storage.output,
      failedBatches: this.storage.failedBatches,
      alertTopic: this.alerting.topic,
      alertTopicKey: key,
      rules,
      holdWindowSeconds: settings.holdWindowSeconds,
      eventSourceFilter: settings.eventSourceFilter,
      ...(settings.networkLabels ? { networkLabels: networkLabelsVariable(settings.networkLabels, projectRoot) } : {}),
      logRetention,
      removalPolicy,
    });

    const monitored = {
      dnsAnswers: {
        fn: this.pipeline.dnsAnswers,
        service: SERVICE_NAMES.dnsAnswers,
        streamConsumer: true,
      },
      enrich: {
        fn: this.pipeline.enrich,
        service: SERVICE_NAMES.enrich,
        streamConsumer: true,
      },
      enrichHold: {
        fn: this.pipeline.enrichHold,
        service: SERVICE_NAMES.enrichHold,
        streamConsumer: false,
      },
      ...(this.alerting.slack
        ? {
            slackForwarder: {
              fn: this.alerting.slack.forwarder,
              service: SERVICE_NAMES.slackForwarder,
              streamConsumer: false,
            },
          }
        : {}),
    };
    this.operations = new Operations(this, 'Operations', {
      key,
      opsEmail: settings.opsEmail,
      subscriptionDeadLetters: this.alerting.deliveryDeadLetters,
      stream: this.eventStream.stream,
      functions: monitored,
      failedBatches: this.storage.failedBatches,
      holdQueue: this.pipeline.holdQueue,
      holdWindowSeconds: settings.holdWindowSeconds,
      deadLetterQueues: {
        HoldDeadLetters: this.pipeline.holdDeadLetters,
        AlertDeliveryDeadLetters: this.alerting.deliveryDeadLetters,
        ...(this.alerting.slack ? { SlackDeadLetters: this.alerting.slack.deadLetters } : {}),
      },
      iteratorAgeAlarmSeconds: settings.iteratorAgeAlarmSeconds,
      unresolvedAlarmPercent: settings.unresolvedAlarmPercent,
    });

    this.#suppressFindings();

    new CfnOutput(this, 'StreamName', { value: this.eventStream.stream.streamName });
    new CfnOutput(this, 'StreamArn', { value: this.eventStream.stream.streamArn });
    new CfnOutput(this, 'ProducerPolicyArn', {
      value: this.eventStream.producerPolicy.managedPolicyArn,
      description: 'Attach to the IAM role or user the Windows shippers use',
    });
    new CfnOutput(this, 'OutputBucket', { value: this.storage.output.bucketName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerting.topic.topicArn });
    new CfnOutput(this, 'OperationsTopicArn', { value: this.operations.topic.topicArn });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.catalog.workGroup.ref });
    new CfnOutput(this, 'GlueDatabase', { value: this.catalog.databaseName });
    new CfnOutput(this, 'RulesBundled', { value: `${rules.files} files, ${rules.compiled} compiled` });
  }

  /** Findings that are by design, each with its reason; scoped to the resource (and the finding) it is about. */
  #suppressFindings(): void {
    const functions = [
      this.pipeline.dnsAnswers,
      this.pipeline.enrich,
      this.pipeline.enrichHold,
      ...(this.alerting.slack ? [this.alerting.slack.forwarder] : []),
    ];
    for (const fn of functions) {
      acknowledge(fn, [
        {
          id: 'Serverless-LambdaDLQ',
          reason:
            'Invoked only through event source mappings (Kinesis, SQS), never asynchronously: failed Kinesis batches go to the S3 on-failure destination, failed SQS messages to the queue redrive DLQ.',
        },
        {
          id: 'Serverless-LambdaLatestVersion',
          reason:
            'nodejs22.x is the runtime the project targets and tests on (package.json engines, esbuild target node22).',
        },
      ]);
      // Active tracing adds xray:PutTraceSegments / PutTelemetryRecords, which have no resource-level permissions.
      acknowledge(fn.role!, [
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Only the X-Ray actions of active tracing use Resource "*" (they support no resource-level permissions); test/infra/iam.test.ts fails on any other "*" resource.',
        },
      ]);
    }
    const onlySqsSources = [this.pipeline.enrichHold, ...(this.alerting.slack ? [this.alerting.slack.forwarder] : [])];
    for (const fn of onlySqsSources) {
      acknowledge(fn, [
        {
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            'SQS event sources cannot have an on-failure destination; the source queue redrive policy (maxReceiveCount) moves failed messages to its DLQ.',
        },
      ]);
    }
    const deadLetterQueues = [
      this.pipeline.holdDeadLetters,
      this.alerting.deliveryDeadLetters,
      ...(this.alerting.slack ? [this.alerting.slack.deadLetters] : []),
    ];
    for (const queue of deadLetterQueues) {
      acknowledge(queue, [{ id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself a dead-letter queue.' }]);
    }
    // AwsSolutions-SQS3 recognises queues named in another queue's redrive policy, not SNS subscription DLQs.
    acknowledge(this.alerting.deliveryDeadLetters, [
      {
        id: 'AwsSolutions-SQS3',
        reason: "This queue is the SNS subscriptions' dead-letter queue (their RedrivePolicy).",
      },
    ]);
  }
}
