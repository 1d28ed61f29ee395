/**
 * The Kinesis data stream the Windows hosts write to, the managed policy producers attach, and (optionally) a
 * resource policy letting other accounts' producers put records.
 *
 * Encryption: the AWS managed key `aws/kinesis` by default (free, nothing to manage). With `producerAccounts`
 * the stream uses the stack's customer managed key instead, because a stream encrypted with an AWS managed key
 * cannot be written from another account; the key policy then lets those accounts generate data keys through
 * Kinesis only.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

export interface EventStreamProps {
  /** Provisioned shards; undefined = on-demand. */
  shardCount?: number;
  retentionHours: number;
  producerAccounts: readonly string[];
  /** Used only when producerAccounts is not empty. */
  key: kms.IKey;
}

/** What a producer may do: put records and discover shards. Nothing else, on this stream only. */
export const PRODUCER_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:ListShards',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
] as const;

export class EventStream extends Construct {
  readonly stream: kinesis.Stream;
  /** Attach to the producers' IAM user or role (Kinesis Agent for Windows, Fluent Bit). */
  readonly producerPolicy: iam.ManagedPolicy;
  /** The key producers must be able to use, when the stream uses the customer managed key. */
  readonly streamKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const crossAccount = props.producerAccounts.length > 0;
    this.streamKey = crossAccount ? props.key : undefined;
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: Duration.hours(props.retentionHours),
      encryption: crossAccount ? kinesis.StreamEncryption.KMS : kinesis.StreamEncryption.MANAGED,
      encryptionKey: crossAccount ? props.key : undefined,
    });

    const statements = [
      new iam.PolicyStatement({
        sid: 'PutEventsOnTheHookstreamStream',
        actions: [...PRODUCER_ACTIONS],
        resources: [this.stream.streamArn],
      }),
    ];
    if (this.streamKey !== undefined) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'EncryptRecordsWithTheStreamKey',
          actions: ['kms:GenerateDataKey'],
          resources: [this.streamKey.keyArn],
        }),
      );
    }
    this.producerPolicy = new iam.ManagedPolicy(this, 'ProducerPolicy', {
      description:
        'hookstream producers (Kinesis Agent for Windows, Fluent Bit): put records on the event stream and list its shards',
      statements,
    });

    if (crossAccount) {
      const principals = props.producerAccounts.map((account) => new iam.AccountPrincipal(account));
      this.stream.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ProducerAccountsPutRecords',
          principals,
          actions: [...PRODUCER_ACTIONS],
          resources: [this.stream.streamArn],
        }),
      );
      props.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ProducerAccountsEncryptThroughKinesis',
          principals,
          actions: ['kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
      acknowledge(this.stream, [
        {
          id: 'AwsSolutions-KDS3',
          reason:
            'Cross-account producers are configured: a stream encrypted with the AWS managed aws/kinesis key cannot be written from other accounts, so it uses the stack customer managed key (rotation on).',
        },
      ]);
    }
  }
}
