/**
 * Names shared by the Lambda adapters, the CDK stack and `hookstream dev`'s local stack, so that they cannot
 * drift: table key schemas, the TTL attribute, object prefixes.
 */

/** The TTL attribute every table uses; the adapters write epoch seconds into it. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * Key schemas of the three tables. The state table holds every hook's state (the resolutions among them), one item
 * per `<prefix>|<key>` (src/state/state-store.ts).
 */
export const TABLE_KEYS = {
  state: { partitionKey: 'pk' },
  watermark: { partitionKey: 'consumer', sortKey: 'shard' },
  dedupe: { partitionKey: 'dedupe_key' },
} as const;

/** The partition key of the de-dup table, which also holds the exactly-once commit records. */
export const DEDUPE_TABLE_KEY = TABLE_KEYS.dedupe.partitionKey;

/** Commit records share the de-dup table; alert de-dup keys start with a rule id, never with this. */
export const COMMIT_KEY_PREFIX = 'commit|';

/**
 * Correlation state shares the de-dup table too (one item per correlation and group: docs/detection.md,
 * "Correlation rules"); the enrich functions already hold exactly the access it needs there.
 */
export const CORRELATION_KEY_PREFIX = 'correlation|';

/** Output areas the enrich functions write (Athena tables and the rejected dump). */
export const OUTPUT_PREFIXES = ['events', 'alerts', 'rejected'] as const;

/** Bookkeeping objects (attempt manifests) in the output bucket, outside every Athena table's location. */
export const STATE_PREFIX = '_state';

/** How long attempt manifests are kept in S3 (longer than a hold unit is remembered), days. */
export const STATE_RETENTION_DAYS = 8;

/**
 * Function timeouts, seconds: the stack sets them, and `hookstream dev` gives its handlers the same deadline (an
 * attempt's lease in the exactly-once bookkeeping runs until the deadline).
 */
export const FUNCTION_TIMEOUT_SECONDS = { dnsAnswers: 60, enrich: 120, enrichHold: 120 } as const;

/**
 * The EMF metric names the functions publish (namespace `hookstream`, dimension `service`): lambda/telemetry.ts
 * emits them and infra/constructs/operations.ts alarms and graphs on them, so both read them from here.
 */
export const METRIC_NAMES = {
  recordsIn: 'RecordsIn',
  eventsOut: 'EventsOut',
  rejected: 'Rejected',
  filtered: 'Filtered',
  answersWritten: 'AnswersWritten',
  connectionsEnriched: 'ConnectionsEnriched',
  connectionsUnresolved: 'ConnectionsUnresolved',
  connectionsHeld: 'ConnectionsHeld',
  holdExpired: 'HoldExpired',
  alertsSent: 'AlertsSent',
  alertsSuppressed: 'AlertsSuppressed',
  recordsAlreadyCommitted: 'RecordsAlreadyCommitted',
  staleObjectsDeleted: 'StaleObjectsDeleted',
  ruleEvaluationErrors: 'RuleEvaluationErrors',
  inputTrimmed: 'InputTrimmed',
  /** Extra dimension `type`. */
  eventsByType: 'EventsByType',
  /** Extra dimension `source`. */
  connectionsEnrichedBySource: 'ConnectionsEnrichedBySource',
  /** Extra dimension `level`. */
  matchesByLevel: 'MatchesByLevel',
} as const;

/** The metric of one hook counter (summary.hooks[hook][counter]): `hooks.<hook>.<counter>`. */
export function hookCounterMetric(hook: string, counter: string): string {
  return `hooks.${hook}.${counter}`;
}
