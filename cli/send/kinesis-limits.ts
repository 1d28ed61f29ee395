/** The PutRecords limits (Kinesis Data Streams quotas), in bytes: the data blob plus the partition key count. */
export const KINESIS_LIMITS = {
  /** Entries in one PutRecords request. */
  recordsPerRequest: 500,
  /** One request, every entry's data and partition key together. */
  bytesPerRequest: 5 * 1024 * 1024,
  /** One entry, its data and partition key together. */
  bytesPerRecord: 1024 * 1024,
  /** Unicode characters in a partition key. */
  partitionKeyLength: 256,
} as const;

export type KinesisLimits = { [K in keyof typeof KINESIS_LIMITS]: number };
