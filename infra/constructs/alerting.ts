/**
 * The alert topic and its destinations. Each destination gets only the levels at or above its minimum through a
 * subscription filter policy on the `level` message attribute (set by lambda/adapters/sns-alert-publisher.ts).
 *
 * Slack: topic -> SQS queue -> forwarder function, rather than the function subscribed directly. The queue gives
 * controlled retries (the visibility timeout), a concurrency cap (a webhook takes about one message a second)
 * and a dead-letter queue with the full message for redrive; a direct subscription retries on SNS's schedule and
 * needs an async-invoke DLQ anyway. Each subscription also has its own SNS redrive DLQ for messages SNS cannot
 * deliver at all (deleted queue, KMS misconfiguration, bounced e-mail endpoint).
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/config.js';
import { type AlertLevel, levelsAtLeast } from '../settings.js';
import { HookstreamFunction, SERVICE_NAMES } from './hookstream-function.js';

export interface AlertingProps {
  projectRoot: string;
  key: kms.IKey;
  alertEmail?: string;
  emailMinLevel: AlertLevel;
  slackWebhookSecret?: string;
  slackMinLevel: AlertLevel;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The message attribute the filter policies read. */
export const LEVEL_ATTRIBUTE = 'level';
/** Receives of a Slack message before it is dead-lettered (about 15 minutes with a 3-minute visibility timeout). */
export const SLACK_MAX_RECEIVES = 5;
export const SLACK_SOURCE = { batchSize: 5, maxConcurrency: 2 } as const;

/** A filter policy admitting the levels at or above `min`. */
export function levelFilter(min: AlertLevel): Record<string, sns.SubscriptionFilter> {
  return { [LEVEL_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: levelsAtLeast(min) }) };
}

function queue(scope: Construct, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });
}

export class Alerting extends Construct {
  readonly topic: sns.Topic;
  /** Messages SNS could not deliver to a subscription. */
  readonly deliveryDeadLetters: sqs.Queue;
  readonly slack?: {
    queue: sqs.Queue;
    deadLetters: sqs.Queue;
    forwarder: HookstreamFunction;
  };

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'hookstream alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    // SNS writes into a subscription's dead-letter queue itself: AWS documents that an encrypted DLQ must use a
    // customer managed key whose policy lets SNS use it, so this one queue uses the stack key, not SSE-SQS.
    this.deliveryDeadLetters = queue(this, 'DeliveryDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SnsWritesSubscriptionDeadLetters',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    if (props.alertEmail !== undefined) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.alertEmail, {
          filterPolicy: levelFilter(props.emailMinLevel),
          deadLetterQueue: this.deliveryDeadLetters,
        }),
      );
    }

    if (props.slackWebhookSecret !== undefined) {
      const forwarderTimeout = Duration.seconds(30);
      const deadLetters = queue(this, 'SlackDeadLetters');
      const slackQueue = queue(this, 'Slack', {
        retentionPeriod: Duration.days(4),
        visibilityTimeout: Duration.seconds(forwarderTimeout.toSeconds() * 6),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: SLACK_MAX_RECEIVES },
      });
      this.topic.addSubscription(
        new subscriptions.SqsSubscription(slackQueue, {
          // The forwarder reads Subject and the attributes from the SNS envelope.
          rawMessageDelivery: false,
          filterPolicy: levelFilter(props.slackMinLevel),
          deadLetterQueue: this.deliveryDeadLetters,
        }),
      );
      const secret = secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhook', props.slackWebhookSecret);
      const forwarder = new HookstreamFunction(this, 'SlackForwarder', {
        projectRoot: props.projectRoot,
        entry: 'lambda/slack-forwarder/handler.ts',
        description: 'hookstream: alert notifications to a Slack incoming webhook',
        serviceName: SERVICE_NAMES.slackForwarder,
        memorySize: 256,
        timeout: forwarderTimeout,
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      forwarder.readsSecret(ENV.slackWebhookSecretArn, secret);
      forwarder.addEventSource(
        new SqsEventSource(slackQueue, {
          batchSize: SLACK_SOURCE.batchSize,
          maxConcurrency: SLACK_SOURCE.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      this.slack = { queue: slackQueue, deadLetters, forwarder };
    }
  }
}
