/**
 * Every size limit hookstream enforces on untrusted input, in one place. Each one keeps a hostile or broken record
 * from reaching an AWS call that would refuse it (and so fail a batch) or from costing unbounded memory or time.
 * What happens at each limit (rejected, trimmed and counted) is in docs/lambda.md, "Limits"; each has a test.
 *
 * AWS limits these derive from (public service quotas): DynamoDB partition key 2,048 bytes and item 400 KB; SQS
 * message and SendMessageBatch payload 256 KiB (262,144 bytes) in all, 10 entries; SNS message 256 KiB, subject
 * under 100 ASCII characters; Kinesis record 1 MiB of data + partition key, PutRecords 500 records and 5 MiB.
 */

const KIB = 1024;

/**
 * How far in the future an event's time may be, against the clock of the component that receives it, and still
 * count as its time: a day, more than any clock drift or time zone mistake. Past it the time is a host clock set
 * ahead or a forgery: its event is filed under its arrival's hour (src/pipeline/partition.ts filedTime) and the
 * state it leaves lives no longer than if it had happened now (StateSchema.maxLifetimeMs).
 */
export const FUTURE_TOLERANCE_MS = 24 * 3_600_000;
const MIB = 1024 * KIB;

export const LIMITS = {
  /**
   * Host name (`Computer`) in UTF-8 bytes. A Windows FQDN is at most 255 bytes; a longer one is no Windows host and
   * would exceed nothing by itself, but it is a DynamoDB key part (resolution items, dedupe keys): rejected.
   */
  hostBytes: 255,
  /** Decompressed bytes of one record, all layers together (a gzip bomb is rejected, not decoded). */
  decompressedBytesPerRecord: 64 * MIB,
  /**
   * Documents (JSON values or lines) in one record's text; the rest of the text is rejected as one piece. A real
   * record holds at most tens of thousands (64 MiB of 1 KB events); each bad one costs a parse exception.
   */
  documentsPerRecord: 100_000,
  /** Characters of one EventData value; longer values are cut to this length and counted (`truncatedFields`). */
  fieldChars: 32 * KIB,
  /**
   * Characters of one rendered XML event (an `<Event>` span, or a text of one item), checked before it is parsed:
   * fast-xml-parser costs about 0.3 s and 37 MB per MB of text (one 100 MB event in a replayed file: 28.8 s, 3.7 GB
   * of peak RSS), and no Windows event comes near this (an EVTX record fits in 64 KiB). Longer: rejected.
   */
  xmlEventChars: 4 * MIB,
  /** EventData fields of one event; an event with more is rejected. */
  fieldsPerEvent: 512,
  /** Characters of all EventData values of one event, after the per-field cut; a larger event is rejected. */
  eventDataChars: 1 * MIB,
  /** Addresses kept from one DNS answer (QueryResults); the excess is dropped and counted. */
  ipsPerAnswer: 64,
  /** CNAME steps kept from one DNS answer; the excess is dropped and counted. */
  cnamesPerAnswer: 16,
  /** A DNS name in characters (RFC 1035: 253 in text); a longer query name or CNAME is no answer. */
  dnsNameChars: 255,
  /** Resolutions kept per (host, IP) item: with the caps above an item stays under 80 KB, well under 400 KB. */
  namesPerResolutionItem: 16,
  /** Bytes of one hold-queue message body as sent, after compression and base64 (SQS: 256 KiB with attributes). */
  holdMessageBytes: 200_000,
  /**
   * Bytes of the JSON list one compressed hold message (body v3) holds: the packer puts no more in one body, and
   * decodeHeld refuses a body that decompresses past it (a gzip bomb is a reason, not a decoded list). 4 MiB of
   * held connections of about 1 KB each parse to some tens of MB, one message at a time.
   */
  holdDecodedBytes: 4 * MIB,
  /** Bytes of all messages in one SQS SendMessageBatch or SNS PublishBatch request (both: 256 KiB in all). */
  sendMessageBatchBytes: 240 * KIB,
  /** Bytes of one SNS notification message (SNS: 256 KiB); the JSON part is cut beyond this. */
  notificationBytes: 200_000,
  /** Characters of an SNS subject (SNS: ASCII, no control characters, fewer than 100). */
  subjectChars: 99,
  /** Bytes of a de-duplication key before it is hashed (DynamoDB partition key: 2,048 bytes). */
  dedupeKeyBytes: 512,
  /** Bytes of one Kinesis record's data that `send` puts (Kinesis: 1 MiB with the partition key). */
  kinesisRecordBytes: 1 * MIB - 256,
} as const;

export type Limits = typeof LIMITS;
