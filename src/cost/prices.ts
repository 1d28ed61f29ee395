/**
 * us-east-1 list prices (USD) the cost model multiplies by, as AWS's public pricing pages state them. Prices are
 * facts that change: check the pages (and your region) before relying on a figure; the formulas carry over.
 * Free tiers are left out on purpose (they do not scale).
 */

export interface PriceTable {
  /**
   * Kinesis Data Streams, https://aws.amazon.com/kinesis/data-streams/pricing/ : on-demand data in per GB (each
   * record rounded up to 1 KiB), data out per GB, per stream-hour; provisioned per shard-hour and per million PUT
   * payload units (25 KiB chunks of a record, rounded up).
   */
  kinesisOnDemandInPerGb: number;
  kinesisOnDemandOutPerGb: number;
  kinesisOnDemandStreamHour: number;
  kinesisShardHour: number;
  kinesisPutUnitsPerMillion: number;
  /** AWS Lambda, https://aws.amazon.com/lambda/pricing/ : Arm duration per GB-second (first tier), requests. */
  lambdaArmGbSecond: number;
  lambdaRequestsPerMillion: number;
  /** DynamoDB on-demand, https://aws.amazon.com/dynamodb/pricing/on-demand/ (standard table class). */
  dynamoWriteUnitsPerMillion: number;
  dynamoReadUnitsPerMillion: number;
  /** S3 Standard, https://aws.amazon.com/s3/pricing/ : storage per GB-month (first 50 TB), PUT per 1,000. */
  s3StandardGbMonth: number;
  s3PutPerThousand: number;
  /** SQS standard queue requests (each 64 KiB chunk of a payload is one request), https://aws.amazon.com/sqs/pricing/ */
  sqsRequestsPerMillion: number;
  /** SNS standard topic publishes (each 64 KiB chunk is one), https://aws.amazon.com/sns/pricing/ */
  snsPublishesPerMillion: number;
  /** CloudWatch, https://aws.amazon.com/cloudwatch/pricing/ : log ingestion and storage, custom metric, alarm, dashboard. */
  logsIngestPerGb: number;
  logsStorageGbMonth: number;
  customMetricMonth: number;
  alarmMonth: number;
  dashboardMonth: number;
  /** AWS KMS, https://aws.amazon.com/kms/pricing/ : customer managed key per month. */
  kmsKeyMonth: number;
}

/**
 * Sources checked 2026-12-02 (search of the stored public pages): Lambda Arm $0.0000133334/GB-s and $0.20 per
 * million requests (aws.amazon.com/lambda/pricing and the Lambda price summaries quoting it); DynamoDB on-demand
 * $0.625 per million WRU and $0.125 per million RRU (the November 2024 price, quoted from the on-demand page);
 * S3 $0.023/GB-month and $0.005 per 1,000 PUTs; SQS $0.40 per million requests (64 KiB chunks); CloudWatch Logs
 * $0.50/GB ingested and $0.03/GB-month, custom metrics $0.30, standard alarms $0.10, dashboards $3; KMS $1 per key.
 * Kinesis: the pricing page states the units (1 KiB rounding on-demand, 25 KiB PUT payload units provisioned); the
 * figures are the ones docs/deploy.md already used ($0.08/GB in, $0.04/GB out, $0.04 per stream-hour) and
 * $0.015 per shard-hour and $0.014 per million PUT payload units, as the us-east-1 calculators quote them.
 */
export const US_EAST_1: PriceTable = {
  kinesisOnDemandInPerGb: 0.08,
  kinesisOnDemandOutPerGb: 0.04,
  kinesisOnDemandStreamHour: 0.04,
  kinesisShardHour: 0.015,
  kinesisPutUnitsPerMillion: 0.014,
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequestsPerMillion: 0.2,
  dynamoWriteUnitsPerMillion: 0.625,
  dynamoReadUnitsPerMillion: 0.125,
  s3StandardGbMonth: 0.023,
  s3PutPerThousand: 0.005,
  sqsRequestsPerMillion: 0.4,
  snsPublishesPerMillion: 0.5,
  logsIngestPerGb: 0.5,
  logsStorageGbMonth: 0.03,
  customMetricMonth: 0.3,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
};
