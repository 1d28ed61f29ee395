/**
 * Deployment settings from CDK context (`-c key=value` or cdk.json), parsed once into a typed object.
 * Every setting states its default; a malformed value fails synth with the key named.
 */

import { parseRuleSelection, type RuleSelectionText } from '../src/detection/rule-selection.js';
import { LEVELS, type SigmaLevel } from '../src/detection/types.js';

/** Sigma levels, least to most severe (the order subscription filters use); the detection core's list. */
export const ALERT_LEVELS = LEVELS;
export type AlertLevel = SigmaLevel;

export interface HookstreamSettings {
  /** `stackName`. Default `Hookstream`. Also the prefix of the Powertools `service` metric dimension. */
  stackName: string;
  /**
   * `streamMode`: `on-demand` or `provisioned` (Kinesis capacity mode). Default `on-demand`, or `provisioned` when
   * `shardCount` is given. Sizing and cost of each: docs/cost.md (`hookstream cost`).
   */
  streamMode: StreamMode;
  /**
   * `shardCount`: provisioned shards, a positive integer; required with `streamMode=provisioned`, refused with
   * `on-demand`. Undefined when on-demand.
   */
  shardCount?: number;
  /** `streamRetentionHours`. Default 24 (the cheapest; raise it to replay further back). */
  streamRetentionHours: number;
  /** `producerAccounts`: comma-separated account ids allowed to put records through a resource policy. Default none. */
  producerAccounts: string[];
  /** `eventSourceFilter`: filter the dns-answers event source to DNS events. Default false (see docs/operations.md). */
  eventSourceFilter: boolean;
  /** `rules`: comma-separated rule folders, relative to the project root. Default `rules`. */
  rulePaths: string[];
  /**
   * Which of those rules the functions load (src/detection/rule-selection.ts): `minLevel` (a Sigma level),
   * `status` (comma list, `!` to exclude: `stable,test`, `!experimental`), `tags` (comma list of globs, `!` to
   * exclude: `attack.t1003*,!attack.discovery`). Default: every rule but deprecated and unsupported ones.
   */
  ruleSelection: RuleSelectionText;
  /** `skipInvalidRules`: leave out (and list) rules that do not compile instead of failing synth. Default false. */
  skipInvalidRules: boolean;
  /** `alertEmail`: address subscribed to the alert topic. Default none. */
  alertEmail?: string;
  /** `emailMinLevel`. Default `high`. */
  emailMinLevel: AlertLevel;
  /** `slackWebhookSecret`: Secrets Manager secret name holding the webhook URL. Default none (no Slack). */
  slackWebhookSecret?: string;
  /** `slackMinLevel`. Default `medium`. */
  slackMinLevel: AlertLevel;
  /** `opsEmail`: address subscribed to the operations (alarm) topic. Default none. */
  opsEmail?: string;
  /** `holdWindowSeconds`: SQS DelaySeconds of the hold queue and HOLD_WINDOW_SECONDS. Default 30, at most 900. */
  holdWindowSeconds: number;
  /** `dataStartDate`: first dt of the partition projection (yyyy-MM-dd). Default 2026-01-01. */
  dataStartDate: string;
  /** `infrequentAccessDays`: move output objects to S3 Standard-IA after this many days. Default 30; 0 = never. */
  infrequentAccessDays: number;
  /** `glacierDays`: move output objects to Glacier Instant Retrieval after this many days. Default 0 = never. */
  glacierDays: number;
  /** `expireDays`: delete output objects after this many days. Default 0 = keep. */
  expireDays: number;
  /** `versioned`: S3 versioning on the output bucket. Default false (outputs are rewritten by retries on purpose). */
  versioned: boolean;
  /** `athenaScanLimitGb`: bytes-scanned cutoff per query. Default 10 GB. */
  athenaScanLimitGb: number;
  /** `iteratorAgeAlarmSeconds`: alarm when a Kinesis consumer lags this far. Default 300. */
  iteratorAgeAlarmSeconds: number;
  /** `unresolvedAlarmPercent`: alarm when this share of connections stays unresolved. Default 20. */
  unresolvedAlarmPercent: number;
  /** `logRetentionDays`: function log retention. Default 30. */
  logRetentionDays: number;
  /** `retainData`: keep tables, buckets and keys when the stack is deleted. Default true. */
  retainData: boolean;
  /**
   * `networkLabels`: a CIDR table file (CSV `cidr,label` or JSON, relative to the project root) that turns the
   * network-label hook on in the enrich functions (docs/hooks.md). Default none: the hook is off.
   */
  networkLabels?: string;
}

export const STREAM_MODES = ['on-demand', 'provisioned'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/** A context value is present but unusable. */
export class InvalidSettingError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`context ${key}: ${detail}`);
    this.name = 'InvalidSettingError';
  }
}

/** Reads one context key (node.tryGetContext). */
export type ContextReader = (key: string) => unknown;

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new InvalidSettingError(key, 'must be a string');
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function list(read: ContextReader, key: string): string[] | undefined {
  const value = read(key);
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter((item) => item !== '');
  return text(read, key)
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = text(read, key);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidSettingError(key, `"${value}" is not true or false`);
}

function integer(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const value = text(read, key);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidSettingError(key, `"${value}" is not an integer in [${min}, ${max}]`);
  }
  return parsed;
}

function level(read: ContextReader, key: string, fallback: AlertLevel): AlertLevel {
  const value = text(read, key)?.toLowerCase();
  if (value === undefined) return fallback;
  if (!(ALERT_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidSettingError(key, `"${value}" is not one of ${ALERT_LEVELS.join(', ')}`);
  }
  return value as AlertLevel;
}

function email(read: ContextReader, key: string): string | undefined {
  const value = text(read, key);
  if (value !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new InvalidSettingError(key, `"${value}" is not an e-mail address`);
  }
  return value;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function retentionDays(read: ContextReader): number {
  const days = integer(read, 'logRetentionDays', 30, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new InvalidSettingError('logRetentionDays', `${days} is not one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  return days;
}

/** minLevel, status and tags, checked with the parser the functions use on the same text. */
function ruleSelection(read: ContextReader): RuleSelectionText {
  const minLevel = text(read, 'minLevel');
  const status = list(read, 'status');
  const tags = list(read, 'tags');
  const selection: RuleSelectionText = {
    ...(minLevel ? { minLevel: minLevel.toLowerCase() } : {}),
    ...(status && status.length > 0 ? { status: status.join(',') } : {}),
    ...(tags && tags.length > 0 ? { tags: tags.join(',') } : {}),
  };
  const parsed = parseRuleSelection(selection);
  if (!parsed.ok) {
    const key = parsed.error.startsWith('min level')
      ? 'minLevel'
      : parsed.error.startsWith('status')
        ? 'status'
        : 'tags';
    throw new InvalidSettingError(key, parsed.error);
  }
  return selection;
}

/** streamMode and shardCount together: provisioned needs a shard count, on-demand takes none. */
function stream(read: ContextReader): { streamMode: StreamMode; shardCount?: number } {
  const mode = text(read, 'streamMode')?.toLowerCase();
  if (mode !== undefined && !(STREAM_MODES as readonly string[]).includes(mode)) {
    throw new InvalidSettingError('streamMode', `"${mode}" is not one of ${STREAM_MODES.join(', ')}`);
  }
  const given = text(read, 'shardCount');
  if (given === undefined) {
    if (mode === 'provisioned') {
      throw new InvalidSettingError('shardCount', 'streamMode=provisioned needs a shard count (-c shardCount=N)');
    }
    return { streamMode: 'on-demand' };
  }
  if (mode === 'on-demand') {
    throw new InvalidSettingError(
      'shardCount',
      'an on-demand stream takes no shard count (drop it, or streamMode=provisioned)',
    );
  }
  const shardCount = Number(given);
  // The us-east-1 default shard quota per account is 20,000 (Kinesis quotas page); a higher count needs a raise.
  if (!/^\d+$/.test(given) || !Number.isSafeInteger(shardCount) || shardCount < 1 || shardCount > 20_000) {
    throw new InvalidSettingError('shardCount', `"${given}" is not a positive integer (1 to 20000)`);
  }
  return { streamMode: 'provisioned', shardCount };
}

/** Parses every setting; throws InvalidSettingError naming the first bad key. */
export function readSettings(read: ContextReader): HookstreamSettings {
  const producerAccounts = list(read, 'producerAccounts') ?? [];
  for (const account of producerAccounts) {
    if (!/^\d{12}$/.test(account))
      throw new InvalidSettingError('producerAccounts', `"${account}" is not an account id`);
  }
  const { streamMode, shardCount } = stream(read);
  const dataStartDate = text(read, 'dataStartDate') ?? '2026-01-01';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dataStartDate) || Number.isNaN(Date.parse(dataStartDate))) {
    throw new InvalidSettingError('dataStartDate', `"${dataStartDate}" is not yyyy-MM-dd`);
  }
  const slackWebhookSecret = text(read, 'slackWebhookSecret');
  if (slackWebhookSecret !== undefined && !/^[\w/+=.@-]{1,512}$/.test(slackWebhookSecret)) {
    throw new InvalidSettingError('slackWebhookSecret', `"${slackWebhookSecret}" is not a secret name`);
  }
  return {
    stackName: text(read, 'stackName') ?? 'Hookstream',
    streamMode,
    shardCount,
    streamRetentionHours: integer(read, 'streamRetentionHours', 24, 24, 8760),
    producerAccounts,
    eventSourceFilter: bool(read, 'eventSourceFilter', false),
    rulePaths: list(read, 'rules') ?? ['rules'],
    ruleSelection: ruleSelection(read),
    skipInvalidRules: bool(read, 'skipInvalidRules', false),
    alertEmail: email(read, 'alertEmail'),
    emailMinLevel: level(read, 'emailMinLevel', 'high'),
    slackWebhookSecret,
    slackMinLevel: level(read, 'slackMinLevel', 'medium'),
    opsEmail: email(read, 'opsEmail'),
    holdWindowSeconds: integer(read, 'holdWindowSeconds', 30, 1, 900),
    dataStartDate,
    infrequentAccessDays: integer(read, 'infrequentAccessDays', 30, 0, 36_500),
    glacierDays: integer(read, 'glacierDays', 0, 0, 36_500),
    expireDays: integer(read, 'expireDays', 0, 0, 36_500),
    versioned: bool(read, 'versioned', false),
    athenaScanLimitGb: integer(read, 'athenaScanLimitGb', 10, 1, 100_000),
    iteratorAgeAlarmSeconds: integer(read, 'iteratorAgeAlarmSeconds', 300, 1, 86_400),
    unresolvedAlarmPercent: integer(read, 'unresolvedAlarmPercent', 20, 1, 100),
    logRetentionDays: retentionDays(read),
    retainData: bool(read, 'retainData', true),
    networkLabels: text(read, 'networkLabels'),
  };
}

/** The levels at or above `min`, for a subscription filter allow-list. */
export function levelsAtLeast(min: AlertLevel): AlertLevel[] {
  return ALERT_LEVELS.slice(ALERT_LEVELS.indexOf(min));
}
