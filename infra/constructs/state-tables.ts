/**
 * The three DynamoDB tables (see lambda/adapters): on-demand, TTL attribute `ttl` (epoch seconds), point-in-time
 * recovery, encrypted with the AWS managed key `aws/dynamodb` (key usage in CloudTrail, no key policy to keep).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS, TTL_ATTRIBUTE } from '../../src/pipeline/names.js';

export interface StateTablesProps {
  removalPolicy: RemovalPolicy;
}

export { TTL_ATTRIBUTE };

export class StateTables extends Construct {
  /**
   * pk (S) = `<hook state prefix>|<key>`: every hook's state (the names each host resolved for each address under
   * `dns|<host>|<ip>`). Kept under the construct id `Resolution` and the RESOLUTION_TABLE variable.
   */
  readonly resolution: dynamodb.Table;
  /** consumer (S) + shard (S): how far each consumer's shards have read, in event time. */
  readonly watermark: dynamodb.Table;
  /** dedupe_key (S): alert notifications already sent within the window, and the exactly-once commit records. */
  readonly dedupe: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StateTablesProps) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy,
    };
    this.resolution = new dynamodb.Table(this, 'Resolution', {
      ...common,
      partitionKey: { name: TABLE_KEYS.state.partitionKey, type: dynamodb.AttributeType.STRING },
    });
    this.watermark = new dynamodb.Table(this, 'Watermark', {
      ...common,
      partitionKey: { name: TABLE_KEYS.watermark.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.watermark.sortKey, type: dynamodb.AttributeType.STRING },
    });
    this.dedupe = new dynamodb.Table(this, 'Dedupe', {
      ...common,
      partitionKey: { name: TABLE_KEYS.dedupe.partitionKey, type: dynamodb.AttributeType.STRING },
    });
  }
}
