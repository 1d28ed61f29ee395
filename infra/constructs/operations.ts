/**
 * Alarms and the dashboard. Every alarm notifies the operations topic (encrypted with the stack key, which lets
 * CloudWatch use it). Thresholds are explained in docs/operations.md.
 *
 * The EMF metrics (namespace `hookstream`, dimension `service` = SERVICE_NAMES, as lambda/telemetry.ts emits
 * them) are the ones the functions must publish, by exactly these names: see METRIC_NAMES.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../src/pipeline/names.js';
import { ALERT_LEVELS } from '../settings.js';
import { METRICS_NAMESPACE } from './hookstream-function.js';
import { FAILED_BATCHES_METRICS_ID } from './output-storage.js';

/** The EMF metric names the functions publish: one list, shared with lambda/telemetry.ts. */
export { METRIC_NAMES };

export interface MonitoredFunction {
  fn: lambda.IFunction;
  /** The `service` dimension. */
  service: string;
  /** Reads a Kinesis stream (iterator age matters). */
  streamConsumer: boolean;
}

export interface OperationsProps {
  key: kms.IKey;
  opsEmail?: string;
  /** SNS redrive DLQ for the operations e-mail subscription. */
  subscriptionDeadLetters: sqs.IQueue;
  stream: kinesis.IStream;
  functions: { dnsAnswers: MonitoredFunction; enrich: MonitoredFunction; enrichHold: MonitoredFunction } & Record<
    string,
    MonitoredFunction
  >;
  failedBatches: s3.IBucket;
  holdQueue: sqs.IQueue;
  holdWindowSeconds: number;
  /** Dead-letter queues whose any message means an alert or an event is waiting for a person. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  iteratorAgeAlarmSeconds: number;
  unresolvedAlarmPercent: number;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'hookstream operations',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications to an encrypted topic only if the key lets it.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.opsEmail !== undefined) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.opsEmail, { deadLetterQueue: props.subscriptionDeadLetters }),
      );
    }

    const functions = Object.entries(props.functions);
    for (const [name, monitored] of functions) {
      if (monitored.streamConsumer) {
        this.#alarm(`${name}IteratorAge`, {
          metric: monitored.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
          threshold: props.iteratorAgeAlarmSeconds * 1000,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          alarmDescription: `${name} is more than ${props.iteratorAgeAlarmSeconds} s behind the stream for 5 minutes`,
        });
      }
      this.#alarm(`${name}Errors`, {
        metric: monitored.fn.metricErrors({ period: FIVE_MINUTES }),
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `${name} invocations fail (unhandled errors, timeouts) in 2 of the last 3 five-minute periods`,
      });
      this.#alarm(`${name}Throttles`, {
        metric: monitored.fn.metricThrottles({ period: FIVE_MINUTES }),
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        alarmDescription: `${name} is throttled for 15 minutes (account concurrency exhausted?)`,
      });
    }

    this.#alarm('FailedBatches', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName: 'PutRequests',
        dimensionsMap: { BucketName: props.failedBatches.bucketName, FilterId: FAILED_BATCHES_METRICS_ID },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'Lambda gave up on a Kinesis batch (retries or record age exhausted) and wrote it to the failed-batches bucket',
    });

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.#alarm(`${name}Visible`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription: `${name} holds messages that need a look and a redrive`,
      });
    }

    // Held messages appear after the hold window; older than window + 15 min means the hold consumer is stuck.
    this.#alarm('HoldQueueAge', {
      metric: props.holdQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES }),
      threshold: props.holdWindowSeconds + 900,
      evaluationPeriods: 2,
      alarmDescription: 'Held connections wait longer than the hold window plus 15 minutes',
    });

    const enrichServices = [props.functions.enrich.service, props.functions.enrichHold.service];
    const unresolvedShare = this.#unresolvedShare(enrichServices, Duration.minutes(15));
    this.#alarm('UnresolvedShare', {
      metric: unresolvedShare,
      threshold: props.unresolvedAlarmPercent,
      evaluationPeriods: 2,
      alarmDescription: `More than ${props.unresolvedAlarmPercent} % of outbound connections stay unresolved for 30 minutes (DNS-Client log off? dns-answers behind?)`,
    });

    this.dashboard = this.#dashboard(props, unresolvedShare);
  }

  #alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'comparisonOperator' | 'treatMissingData'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means no invocations, no messages or no connections: nothing is wrong.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  #metric(
    metricName: string,
    service: string,
    period: Duration,
    extra: Record<string, string> = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service, ...extra },
      statistic: 'Sum',
      period,
    });
  }

  /** 100 * unresolved / (enriched + unresolved), over both enrich functions. */
  #unresolvedShare(services: readonly string[], period: Duration): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    services.forEach((service, i) => {
      usingMetrics[`e${i}`] = this.#metric(METRIC_NAMES.connectionsEnriched, service, period);
      usingMetrics[`u${i}`] = this.#metric(METRIC_NAMES.connectionsUnresolved, service, period);
    });
    const unresolved = services.map((_s, i) => `FILL(u${i}, 0)`).join(' + ');
    const enriched = services.map((_s, i) => `FILL(e${i}, 0)`).join(' + ');
    return new cloudwatch.MathExpression({
      expression: `100 * (${unresolved}) / (${enriched} + ${unresolved})`,
      usingMetrics,
      label: 'Unresolved connections (%)',
      period,
    });
  }

  #dashboard(props: OperationsProps, unresolvedShare: cloudwatch.IMetric): cloudwatch.Dashboard {
    const minute = Duration.minutes(1);
    const { dnsAnswers, enrich, enrichHold } = props.functions;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-pipeline`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Throughput (records/min)',
        width: 12,
        left: [
          props.stream.metricIncomingRecords({ statistic: 'Sum', period: minute, label: 'Stream incoming records' }),
          this.#metric(METRIC_NAMES.recordsIn, enrich.service, minute).with({ label: 'enrich RecordsIn' }),
          this.#metric(METRIC_NAMES.eventsOut, enrich.service, minute).with({ label: 'enrich EventsOut' }),
          this.#metric(METRIC_NAMES.rejected, enrich.service, minute).with({ label: 'enrich Rejected' }),
          this.#metric(METRIC_NAMES.recordsIn, dnsAnswers.service, minute).with({ label: 'dns-answers RecordsIn' }),
          this.#metric(METRIC_NAMES.answersWritten, dnsAnswers.service, minute).with({ label: 'AnswersWritten' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Enrichment',
        width: 12,
        left: [enrich, enrichHold].flatMap((f) => [
          this.#metric(METRIC_NAMES.connectionsEnriched, f.service, minute).with({ label: `${f.service} enriched` }),
          this.#metric(METRIC_NAMES.connectionsUnresolved, f.service, minute).with({
            label: `${f.service} unresolved`,
          }),
        ]),
        right: [unresolvedShare],
        rightYAxis: { min: 0, max: 100, label: '%' },
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Matches by level',
        width: 12,
        stacked: true,
        left: ALERT_LEVELS.map((level) =>
          this.#metric(METRIC_NAMES.matchesByLevel, enrich.service, FIVE_MINUTES, { level }).with({ label: level }),
        ),
        right: [
          this.#metric(METRIC_NAMES.alertsSent, enrich.service, FIVE_MINUTES).with({ label: 'AlertsSent' }),
          this.#metric(METRIC_NAMES.alertsSuppressed, enrich.service, FIVE_MINUTES).with({ label: 'AlertsSuppressed' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency',
        width: 12,
        left: [dnsAnswers, enrich].map((f) =>
          f.fn.metric('IteratorAge', { statistic: 'Maximum', period: minute, label: `${f.service} iterator age (ms)` }),
        ),
        right: Object.values(props.functions).map((f) =>
          f.fn.metricDuration({ statistic: 'p99', period: minute, label: `${f.service} p99 duration (ms)` }),
        ),
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms }));
    return dashboard;
  }
}
