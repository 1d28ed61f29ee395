/**
 * The monthly AWS cost of a deployment at a steady load, per billed component, from the formulas in docs/cost.md.
 * Pure arithmetic: the inputs are the load, the stream mode and aggregation; the workload figures (what one event
 * and one batch cost in Lambda time, DynamoDB units, S3 PUTs) are the measured ones in WORKLOAD, overridable.
 */
import { LIMITS } from '../limits.js';
import { type PriceTable, US_EAST_1 } from './prices.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** The per-TB column divides by decimal terabytes (10^12 bytes) of events written by the hosts. */
const TB = 1e12;

/** Provisioned mode: one PUT payload unit per started 25 KiB of a record. */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * KIB;
/** On-demand mode: each record's data-in is rounded up to 1 KiB. */
export const ON_DEMAND_ROUNDING_BYTES = KIB;
/** Per-shard write limits (both modes): 1 MiB/s or 1,000 records/s. Reads: 2 MiB/s, shared by the consumers. */
export const SHARD_LIMITS = { bytesInPerSecond: MIB, recordsInPerSecond: 1000, bytesOutPerSecond: 2 * MIB } as const;
/** A Kinesis record's data is at most 1 MiB. */
export const MAX_RECORD_BYTES = MIB;
/** A new on-demand stream starts with 4 MiB/s of write capacity (4 shards) and scales from there. */
const ON_DEMAND_MIN_SHARDS = 4;

export type StreamMode = 'on-demand' | 'provisioned';

/**
 * What one event and one batch cost, measured (docs/benchmarks.md, the 2026-11-28 `npm run bench` run) or read
 * from infra (batch sizes, memory). Each figure says where it comes from.
 */
export interface Workload {
  /** Kinesis consumers reading every record: dns-answers and enrich (shared throughput, no enhanced fan-out). */
  consumers: number;
  /** GB-s per event: 1 GB (enrich memory) / 4,596 events/s, the enrich handler against the emulators (pessimistic). */
  enrichGbSecondsPerEvent: number;
  /** 0.5 GB (dns-answers memory) / 4,417 events/s, the dns-answers handler against the emulators (pessimistic). */
  dnsGbSecondsPerEvent: number;
  /** infra/constructs/pipeline-functions.ts DNS_SOURCE / ENRICH_SOURCE: records per batch and batching window. */
  dnsBatchRecords: number;
  dnsWindowSeconds: number;
  enrichBatchRecords: number;
  enrichWindowSeconds: number;
  /** A Kinesis event source invocation carries at most 6 MiB of records. */
  invocationPayloadBytes: number;
  /** DynamoDB per event: dns-answers PutItem 1.1 per 1,000 events (one per changed (host, IP) key), 1 WRU each. */
  writeUnitsPerEvent: number;
  /**
   * DynamoDB reads per event, an upper bound: BatchGetItem 1.1 per 1,000 events (dns 0.6, enrich 0.5), each of at
   * most 100 items at 0.5 RRU (eventually consistent, under 4 KB).
   */
  readUnitsPerEvent: number;
  /** Per dns-answers batch: the watermark UpdateItem (2.1 per 1,000 events in batches of about 486). */
  dnsBatchWriteUnits: number;
  /** Per enrich batch: 2 conditional PutItems (attempt bookkeeping); reads: a consistent GetItem + the watermark Query. */
  enrichBatchWriteUnits: number;
  enrichBatchReadUnits: number;
  /**
   * S3 PUTs of every unit (an enrich batch or a hold message, src/pipeline/enrich-service.ts): the attempt manifest
   * (lambda/adapters/dynamodb-commit-store.ts) and the events object; the alerts object is written only when the
   * unit has an alert (partitionRows makes no object for no rows), counted as 1 - (1 - alertsPerEvent)^n.
   */
  unitS3Puts: number;
  /**
   * Further events objects per unit: one more when its events straddle an hour (hourly partitions). Assumed: a
   * unit's events span 60 s of event time, so 60/3600 of units straddle one. Not counted: rejected/ objects (only
   * for rejected records) and a second manifest when a commit carries held refs (after a failed attempt).
   */
  hourSplitsPerUnit: number;
  /** Share of events that are network connections looked up and held one hold window (docs/deploy.md: 5-10%). */
  heldShare: number;
  /**
   * JSON bytes of one held connection (HeldConnection, src/pipeline/held-codec.ts): 998 measured on the 531
   * looked-up Sysmon 3 connections of the OTRF recordings, rounded up (test/unit/cost/hold-compression.test.ts).
   * Not the shipped event size: a held entry is the canonical event, whatever envelope the shipper added.
   */
  heldConnectionBytes: number;
  /**
   * Bytes of a v3 hold body (base64 of gzip) per JSON byte of its list: measured 0.069-0.081 on the OTRF
   * connections in groups of 64 to 531 (same test, which fails if this is more optimistic than measured). Assumed
   * to carry over to a fleet: batches mixing many hosts and processes may compress less.
   */
  holdEncodedPerJsonByte: number;
  /** LIMITS.holdMessageBytes (a body as sent) and LIMITS.holdDecodedBytes (its JSON list): the packer's bounds. */
  holdMessageBytes: number;
  holdDecodedBytes: number;
  /** SQS requests per 64 KiB chunk of a message (send, receive, delete). */
  holdRequestsPerChunk: number;
  /** infra HOLD_SOURCE: hold messages per hold-function invocation, and its batching window. */
  holdBatchMessages: number;
  holdWindowSeconds: number;
  /** Alerts per event published to SNS (an assumption: one in 10,000). */
  alertsPerEvent: number;
  /** Output written to S3 (gzip JSON lines) per input byte (docs/deploy.md: about 1/10). */
  outputBytesPerInputByte: number;
  /** CloudWatch Logs bytes per invocation: START/END/REPORT lines + one summary line + the EMF metrics (assumed 3 KB). */
  logBytesPerInvocation: number;
  /** Fixed: custom metric series (EMF, the three functions, with their dimensions), alarms, dashboards, keys. */
  customMetrics: number;
  alarms: number;
  dashboards: number;
  kmsKeys: number;
}

export const WORKLOAD: Workload = {
  consumers: 2,
  enrichGbSecondsPerEvent: 1 / 4596,
  dnsGbSecondsPerEvent: 0.5 / 4417,
  dnsBatchRecords: 500,
  dnsWindowSeconds: 1,
  enrichBatchRecords: 1000,
  enrichWindowSeconds: 5,
  invocationPayloadBytes: 6 * MIB,
  writeUnitsPerEvent: 1.1 / 1000,
  readUnitsPerEvent: ((0.6 + 0.5) / 1000) * 100 * 0.5,
  dnsBatchWriteUnits: 1,
  enrichBatchWriteUnits: 2,
  enrichBatchReadUnits: 1.5,
  unitS3Puts: 2,
  hourSplitsPerUnit: 60 / 3600,
  heldShare: 0.075,
  heldConnectionBytes: 1100,
  holdEncodedPerJsonByte: 0.1,
  holdMessageBytes: LIMITS.holdMessageBytes,
  holdDecodedBytes: LIMITS.holdDecodedBytes,
  holdRequestsPerChunk: 3,
  holdBatchMessages: 100,
  holdWindowSeconds: 5,
  alertsPerEvent: 1e-4,
  outputBytesPerInputByte: 0.1,
  logBytesPerInvocation: 3000,
  // Counted from the code (test/unit/cost/metric-series.test.ts recounts it from emitSummary's EMF output). Three
  // functions (dns-answers, enrich, enrich-hold), each metric with dimension `service`:
  // - 3 x 16: the 15 METRIC_NAMES with no extra dimension (src/pipeline/names.ts) + BatchesRetried;
  // - 54 hooks.<hook>.<counter> (default hooks; network-label off): dns-answers plans the persisting hooks
  //   (process-tracking 10 + dns-answers 4 = 14), enrich and enrich-hold all of them (+ netconn-hostname 6 = 20 each);
  // - 2 x 31 EventsByType (dimension `type`), in dns-answers (event source filter off by default) and enrich: assumed a
  //   fleet sending the 30 Sysmon IDs the schemas know + DNS-Client 3008; each further channel/ID adds 2;
  // - 2 x (5 + 2) MatchesByLevel (Sigma levels) and ConnectionsEnrichedBySource (dns-process, dns-host), in enrich
  //   and enrich-hold.
  customMetrics: 3 * 16 + (14 + 20 + 20) + 2 * 31 + 2 * (5 + 2),
  alarms: 16,
  dashboards: 1,
  kmsKeys: 1,
};

export interface CostInputs {
  eventsPerSecond: number;
  /** Mean bytes of one event as the shipper sends it. */
  eventBytes: number;
  stream: StreamMode;
  /** Events per Kinesis record (newline-joined, as Fluent Bit simple_aggregation packs them). 1 = none. */
  aggregation: number;
  /** Provisioned shards; default: the fewest the per-shard limits allow. */
  shards?: number;
  /** Share of events that are network connections (each one held a hold window); default WORKLOAD.heldShare. */
  connectionShare?: number;
}

export interface CostLine {
  component: string;
  perMonth: number;
  /** How the figure was computed, with the quantities. */
  how: string;
}

/** The hold queue at this load: what each enrich batch sends, and the S3 PUTs per unit. */
export interface HoldEstimate {
  /** Events per enrich batch, and connections held per enrich batch (mean). */
  eventsPerEnrichBatch: number;
  heldPerEnrichBatch: number;
  /** Share of enrich batches that hold at least one connection: 1 - (1 - share)^events. */
  holdingBatchShare: number;
  /** Hold messages per enrich batch (mean over all batches), and bytes and 64 KiB chunks of one as sent. */
  messagesPerEnrichBatch: number;
  bytesPerMessage: number;
  chunksPerMessage: number;
  /** S3 PUTs per enrich batch and per hold message. */
  putsPerEnrichBatch: number;
  putsPerHoldMessage: number;
}

export interface CostEstimate {
  inputs: CostInputs;
  hold: HoldEstimate;
  recordsPerSecond: number;
  recordBytes: number;
  bytesPerDay: number;
  tbPerMonth: number;
  /** Shards the limits require at this load, and those priced (provisioned: given or required). */
  requiredShards: number;
  shards: number;
  lines: CostLine[];
  perMonth: number;
  perTb: number;
  /** Problems with the inputs that make the estimate optimistic (e.g. fewer shards than the load needs). */
  warnings: string[];
}

/** Fewest shards that carry the load: by bytes in, records in, and bytes out to every consumer. */
export function requiredShards(recordsPerSecond: number, recordBytes: number, consumers: number): number {
  const bytesIn = recordsPerSecond * recordBytes;
  return Math.max(
    1,
    Math.ceil(bytesIn / SHARD_LIMITS.bytesInPerSecond),
    Math.ceil(recordsPerSecond / SHARD_LIMITS.recordsInPerSecond),
    Math.ceil((bytesIn * consumers) / SHARD_LIMITS.bytesOutPerSecond),
  );
}

/**
 * Invocations per second of one Kinesis consumer: full batches at high load; at low load one batch per shard per
 * batching window (never more invocations than records).
 */
export function invocationsPerSecond(
  recordsPerSecond: number,
  batchRecords: number,
  windowSeconds: number,
  shards: number,
): number {
  return Math.max(recordsPerSecond / batchRecords, Math.min(recordsPerSecond, shards / windowSeconds));
}

const money = (n: number) => `$${n < 1 ? Number(n.toPrecision(4)) : n.toFixed(2)}`;
const count = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toPrecision(3)}G`
    : n >= 1e6
      ? `${(n / 1e6).toPrecision(3)}M`
      : n >= 1e3
        ? `${(n / 1e3).toPrecision(3)}k`
        : n.toPrecision(3);

/**
 * The hold queue per enrich batch, as src/pipeline/held-codec.ts packs it: a batch of `events` events holds
 * `events x share` connections (when it holds any: 1 - (1 - share)^events of batches); their JSON list, compressed
 * and in base64, goes in as few bodies as both bounds allow (the body as sent, and its JSON list). The packer cuts
 * a body at 95% of what its ratio says fits, so near a bound it may send one message more than this.
 */
export function holdEstimate(eventsPerEnrichBatch: number, share: number, w: Workload = WORKLOAD): HoldEstimate {
  const held = eventsPerEnrichBatch * share;
  const holdingBatchShare = share <= 0 ? 0 : 1 - (1 - share) ** eventsPerEnrichBatch;
  const heldWhenAny = holdingBatchShare > 0 ? held / holdingBatchShare : 0;
  const json = heldWhenAny * w.heldConnectionBytes;
  const encoded = json * w.holdEncodedPerJsonByte + '{"v":3,"gz":""}'.length;
  const perHoldingBatch = Math.max(1, Math.ceil(encoded / w.holdMessageBytes), Math.ceil(json / w.holdDecodedBytes));
  const bytesPerMessage = encoded / perHoldingBatch;
  const alertShare = (n: number) => 1 - (1 - w.alertsPerEvent) ** n;
  return {
    eventsPerEnrichBatch,
    heldPerEnrichBatch: held,
    holdingBatchShare,
    messagesPerEnrichBatch: holdingBatchShare * perHoldingBatch,
    bytesPerMessage,
    chunksPerMessage: Math.ceil(bytesPerMessage / (64 * KIB)),
    putsPerEnrichBatch: w.unitS3Puts + w.hourSplitsPerUnit + alertShare(eventsPerEnrichBatch - held),
    putsPerHoldMessage: w.unitS3Puts + w.hourSplitsPerUnit + alertShare(heldWhenAny / perHoldingBatch),
  };
}

/** Checks the inputs; returns a one-line reason when they cannot be priced. */
export function checkInputs(inputs: CostInputs): string | undefined {
  if (!(Number.isFinite(inputs.eventsPerSecond) && inputs.eventsPerSecond > 0))
    return 'events per second must be a positive number';
  if (!(Number.isFinite(inputs.eventBytes) && inputs.eventBytes >= 1)) return 'event bytes must be at least 1';
  if (!(Number.isInteger(inputs.aggregation) && inputs.aggregation >= 1))
    return 'aggregation must be a positive integer (events per record)';
  if (inputs.shards !== undefined && !(Number.isInteger(inputs.shards) && inputs.shards >= 1))
    return 'shards must be a positive integer';
  if (inputs.shards !== undefined && inputs.stream !== 'provisioned')
    return 'shards apply to a provisioned stream only';
  if (
    inputs.connectionShare !== undefined &&
    !(Number.isFinite(inputs.connectionShare) && inputs.connectionShare >= 0 && inputs.connectionShare <= 1)
  )
    return 'connection share must be between 0 and 1';
  if (inputs.aggregation * (inputs.eventBytes + 1) - 1 > MAX_RECORD_BYTES)
    return `aggregation ${inputs.aggregation} x ${inputs.eventBytes} bytes passes the 1 MiB record limit`;
  return undefined;
}

/** The monthly cost per component. Throws on inputs checkInputs refuses (callers check first). */
export function estimateCost(
  inputs: CostInputs,
  workload: Workload = WORKLOAD,
  prices: PriceTable = US_EAST_1,
): CostEstimate {
  const invalid = checkInputs(inputs);
  if (invalid !== undefined) throw new RangeError(invalid);
  const { eventsPerSecond, eventBytes, aggregation } = inputs;
  const w = workload;
  const p = prices;
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const add = (component: string, perMonth: number, how: string) => lines.push({ component, perMonth, how });

  const recordsPerSecond = eventsPerSecond / aggregation;
  // Newline-joined: K events and K-1 separators.
  const recordBytes = aggregation * (eventBytes + 1) - 1;
  const events = eventsPerSecond * SECONDS_PER_MONTH;
  const records = recordsPerSecond * SECONDS_PER_MONTH;
  const bytes = events * eventBytes;
  const required = requiredShards(recordsPerSecond, recordBytes, w.consumers);
  const shards =
    inputs.stream === 'provisioned' ? (inputs.shards ?? required) : Math.max(ON_DEMAND_MIN_SHARDS, required);
  if (inputs.stream === 'provisioned' && shards < required) {
    warnings.push(`${shards} shards carry less than this load: it needs ${required} (writes would be throttled)`);
  }

  // Kinesis
  if (inputs.stream === 'on-demand') {
    const billedIn = records * Math.ceil(recordBytes / ON_DEMAND_ROUNDING_BYTES) * ON_DEMAND_ROUNDING_BYTES;
    add(
      'Kinesis on-demand, stream',
      HOURS_PER_MONTH * p.kinesisOnDemandStreamHour,
      `${HOURS_PER_MONTH} h x ${money(p.kinesisOnDemandStreamHour)}`,
    );
    add(
      'Kinesis on-demand, data in',
      (billedIn / GIB) * p.kinesisOnDemandInPerGb,
      `${count(records)} records x ${Math.ceil(recordBytes / KIB)} KiB (rounded up) = ${(billedIn / GIB).toFixed(1)} GB x ${money(p.kinesisOnDemandInPerGb)}`,
    );
    const out = records * recordBytes * w.consumers;
    add(
      'Kinesis on-demand, data out',
      (out / GIB) * p.kinesisOnDemandOutPerGb,
      `${w.consumers} consumers x ${((records * recordBytes) / GIB).toFixed(1)} GB x ${money(p.kinesisOnDemandOutPerGb)}`,
    );
  } else {
    const units = records * Math.ceil(recordBytes / PUT_PAYLOAD_UNIT_BYTES);
    add(
      'Kinesis provisioned, shards',
      shards * HOURS_PER_MONTH * p.kinesisShardHour,
      `${shards} shards x ${HOURS_PER_MONTH} h x ${money(p.kinesisShardHour)}`,
    );
    add(
      'Kinesis provisioned, PUT payload units',
      (units / 1e6) * p.kinesisPutUnitsPerMillion,
      `${count(records)} records x ${Math.ceil(recordBytes / PUT_PAYLOAD_UNIT_BYTES)} unit(s) x ${money(p.kinesisPutUnitsPerMillion)}/M`,
    );
  }

  // Lambda: duration per event, requests per batch.
  const effectiveBatch = (batch: number) =>
    Math.max(1, Math.min(batch, Math.floor(w.invocationPayloadBytes / recordBytes)));
  const dnsInvocations =
    invocationsPerSecond(recordsPerSecond, effectiveBatch(w.dnsBatchRecords), w.dnsWindowSeconds, shards) *
    SECONDS_PER_MONTH;
  const enrichInvocations =
    invocationsPerSecond(recordsPerSecond, effectiveBatch(w.enrichBatchRecords), w.enrichWindowSeconds, shards) *
    SECONDS_PER_MONTH;
  const share = inputs.connectionShare ?? w.heldShare;
  const held = events * share;
  const hold = holdEstimate(events / enrichInvocations, share, w);
  const holdMessages = enrichInvocations * hold.messagesPerEnrichBatch;
  // An SQS event source invocation also carries at most 6 MiB of messages; one poller per batching window at least.
  const holdBatch = Math.max(
    1,
    Math.min(w.holdBatchMessages, Math.floor(w.invocationPayloadBytes / hold.bytesPerMessage)),
  );
  const holdInvocations =
    holdMessages === 0
      ? 0
      : invocationsPerSecond(holdMessages / SECONDS_PER_MONTH, holdBatch, w.holdWindowSeconds, 1) * SECONDS_PER_MONTH;
  const enrichGbS = (events + held) * w.enrichGbSecondsPerEvent;
  const dnsGbS = events * w.dnsGbSecondsPerEvent;
  add(
    'Lambda enrich + hold (1,024 MB, arm64)',
    enrichGbS * p.lambdaArmGbSecond + ((enrichInvocations + holdInvocations) / 1e6) * p.lambdaRequestsPerMillion,
    `${count(enrichGbS)} GB-s x ${p.lambdaArmGbSecond} + ${count(enrichInvocations + holdInvocations)} invocations`,
  );
  add(
    'Lambda dns-answers (512 MB, arm64)',
    dnsGbS * p.lambdaArmGbSecond + (dnsInvocations / 1e6) * p.lambdaRequestsPerMillion,
    `${count(dnsGbS)} GB-s x ${p.lambdaArmGbSecond} + ${count(dnsInvocations)} invocations`,
  );

  // DynamoDB on-demand
  const wru =
    events * w.writeUnitsPerEvent +
    dnsInvocations * w.dnsBatchWriteUnits +
    (enrichInvocations + holdMessages) * w.enrichBatchWriteUnits;
  const rru = events * w.readUnitsPerEvent + (enrichInvocations + holdMessages) * w.enrichBatchReadUnits;
  add(
    'DynamoDB on-demand, writes',
    (wru / 1e6) * p.dynamoWriteUnitsPerMillion,
    `${count(wru)} WRU (per event + watermark and bookkeeping per batch) x ${money(p.dynamoWriteUnitsPerMillion)}/M`,
  );
  add(
    'DynamoDB on-demand, reads',
    (rru / 1e6) * p.dynamoReadUnitsPerMillion,
    `${count(rru)} RRU (BatchGetItem upper bound + per batch) x ${money(p.dynamoReadUnitsPerMillion)}/M`,
  );

  // S3
  const puts = enrichInvocations * hold.putsPerEnrichBatch + holdMessages * hold.putsPerHoldMessage;
  add(
    'S3 PUT',
    (puts / 1000) * p.s3PutPerThousand,
    `${count(puts)} PUTs (${hold.putsPerEnrichBatch.toFixed(2)} per enrich batch, ${hold.putsPerHoldMessage.toFixed(2)} per hold message) x ${money(p.s3PutPerThousand)}/1,000`,
  );
  const stored = (bytes * w.outputBytesPerInputByte) / GIB;
  add(
    'S3 storage (one month of output, per month kept)',
    stored * p.s3StandardGbMonth,
    `${stored.toFixed(1)} GB (gzip, ~1/10 of input) x ${money(p.s3StandardGbMonth)}/GB-month`,
  );

  // SQS hold queue and SNS alerts
  const sqs = holdMessages * hold.chunksPerMessage * w.holdRequestsPerChunk;
  add(
    'SQS hold queue',
    (sqs / 1e6) * p.sqsRequestsPerMillion,
    `${count(holdMessages)} messages (${hold.messagesPerEnrichBatch.toFixed(2)} per enrich batch) x ${hold.chunksPerMessage} chunk(s) of 64 KiB x ${w.holdRequestsPerChunk} requests x ${money(p.sqsRequestsPerMillion)}/M`,
  );
  const alerts = events * w.alertsPerEvent;
  add(
    'SNS alerts',
    (alerts / 1e6) * p.snsPublishesPerMillion,
    `${count(alerts)} publishes x ${money(p.snsPublishesPerMillion)}/M`,
  );

  // CloudWatch
  const logGb = ((dnsInvocations + enrichInvocations + holdInvocations) * w.logBytesPerInvocation) / GIB;
  add(
    'CloudWatch Logs',
    logGb * (p.logsIngestPerGb + p.logsStorageGbMonth),
    `${logGb.toFixed(2)} GB x (${money(p.logsIngestPerGb)} ingest + ${money(p.logsStorageGbMonth)} storage)`,
  );
  add(
    'CloudWatch metrics, alarms, dashboard',
    w.customMetrics * p.customMetricMonth + w.alarms * p.alarmMonth + w.dashboards * p.dashboardMonth,
    `${w.customMetrics} metrics x ${money(p.customMetricMonth)} + ${w.alarms} alarms x ${money(p.alarmMonth)} + ${w.dashboards} x ${money(p.dashboardMonth)}`,
  );
  add('KMS key', w.kmsKeys * p.kmsKeyMonth, `${w.kmsKeys} customer managed key x ${money(p.kmsKeyMonth)}`);

  const perMonth = lines.reduce((sum, line) => sum + line.perMonth, 0);
  const tbPerMonth = bytes / TB;
  return {
    inputs,
    hold,
    recordsPerSecond,
    recordBytes,
    bytesPerDay: eventsPerSecond * eventBytes * 86_400,
    tbPerMonth,
    requiredShards: required,
    shards,
    lines,
    perMonth,
    perTb: perMonth / tbPerMonth,
    warnings,
  };
}
