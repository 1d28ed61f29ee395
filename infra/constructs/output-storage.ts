/**
 * Buckets: the output bucket (events/, alerts/, rejected/; also _state/ bookkeeping and the iocs/ container files,
 * which the data lifecycle leaves alone), the bucket Lambda writes batches it gave up on
 * (the Kinesis event sources' S3 on-failure destination) and the server access log bucket both log to.
 * All block public access, enforce TLS and use SSE-S3 (no per-request KMS cost at one PUT per batch and hour,
 * and Athena readers need no key grant).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { OUTPUT_PREFIXES, STATE_PREFIX, STATE_RETENTION_DAYS } from '../../src/pipeline/names.js';

export interface OutputStorageProps {
  removalPolicy: RemovalPolicy;
  versioned: boolean;
  /** Of the data prefixes (OUTPUT_PREFIXES) only. 0 = never. */
  infrequentAccessDays: number;
  /** Of the data prefixes only. 0 = never. */
  glacierDays: number;
  /** Of the data prefixes only. 0 = keep. */
  expireDays: number;
}

/** The request-metrics filter id of the failed-batches bucket (alarmed on PutRequests). */
export const FAILED_BATCHES_METRICS_ID = 'EntireBucket';

const secure = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const;

export class OutputStorage extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly output: s3.Bucket;
  readonly failedBatches: s3.Bucket;

  constructor(scope: Construct, id: string, props: OutputStorageProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });

    const transitions: s3.Transition[] = [];
    if (props.infrequentAccessDays > 0) {
      transitions.push({
        storageClass: s3.StorageClass.INFREQUENT_ACCESS,
        transitionAfter: Duration.days(props.infrequentAccessDays),
      });
    }
    if (props.glacierDays > 0) {
      transitions.push({
        storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
        transitionAfter: Duration.days(props.glacierDays),
      });
    }
    // One rule per data prefix: a rule without a prefix would also move and expire what is not output, the IOC
    // container files under iocs/ above all (S3 lifecycle filters cannot exclude a prefix, only select one).
    const dataRules: s3.LifecycleRule[] =
      transitions.length > 0 || props.expireDays > 0
        ? OUTPUT_PREFIXES.map((prefix) => ({
            id: `output-${prefix}`,
            prefix: `${prefix}/`,
            transitions,
            expiration: props.expireDays > 0 ? Duration.days(props.expireDays) : undefined,
          }))
        : [];
    this.output = new s3.Bucket(this, 'Output', {
      ...secure,
      removalPolicy: props.removalPolicy,
      versioned: props.versioned,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'output/',
      lifecycleRules: [
        ...dataRules,
        {
          // Whole bucket: clean-up that loses nothing current.
          id: 'output-housekeeping',
          noncurrentVersionExpiration: props.versioned ? Duration.days(30) : undefined,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          // Attempt manifests of the exactly-once bookkeeping: needed only while a retry may still come.
          id: 'expire-attempt-manifests',
          prefix: `${STATE_PREFIX}/`,
          expiration: Duration.days(STATE_RETENTION_DAYS),
        },
      ],
    });

    this.failedBatches = new s3.Bucket(this, 'FailedBatches', {
      ...secure,
      removalPolicy: props.removalPolicy,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'failed-batches/',
      // Request metrics give a per-minute PutRequests count: any object here is a batch Lambda gave up on.
      metrics: [{ id: FAILED_BATCHES_METRICS_ID }],
      lifecycleRules: [{ id: 'expire-failed-batches', expiration: Duration.days(90) }],
    });
  }
}
