/**
 * Environment -> typed configuration, parsed from an explicit env argument (never read from process.env here).
 * The CDK constructs in infra/ set these variables; every option states its default. A missing or malformed
 * setting throws MissingConfigurationError at cold start, which fails the function loudly instead of losing data.
 */

import { compileNetworkTable, type NetworkTableEntry, parseNetworkTable } from '../src/hooks/network-label.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A required setting is absent or malformed: the function must not start. */
export class MissingConfigurationError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`configuration ${variable}: ${detail}`);
    this.name = 'MissingConfigurationError';
  }
}

/** Where the IOC container files live in the containers bucket (the output bucket in the stack). */
export const DEFAULT_CONTAINERS_PREFIX = 'iocs/';

/** The variable names, shared with infra/ so the two cannot drift. */
export const ENV = {
  resolutionTable: 'RESOLUTION_TABLE',
  watermarkTable: 'WATERMARK_TABLE',
  dedupeTable: 'DEDUPE_TABLE',
  outputBucket: 'OUTPUT_BUCKET',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  holdQueueUrl: 'HOLD_QUEUE_URL',
  streamArn: 'STREAM_ARN',
  rulesDir: 'RULES_DIR',
  retentionHours: 'RETENTION_HOURS',
  maxNamesPerKey: 'MAX_NAMES_PER_KEY',
  lookAheadSeconds: 'LOOKAHEAD_SECONDS',
  holdWindowSeconds: 'HOLD_WINDOW_SECONDS',
  maxHoldMinutes: 'MAX_HOLD_MINUTES',
  enrichMode: 'ENRICH_MODE',
  dedupeWindowMinutes: 'DEDUPE_WINDOW_MINUTES',
  dedupeFields: 'DEDUPE_FIELDS',
  slackWebhookSecretArn: 'SLACK_WEBHOOK_SECRET_ARN',
  containersBucket: 'CONTAINERS_BUCKET',
  containersPrefix: 'CONTAINERS_PREFIX',
  containersReloadSeconds: 'CONTAINERS_RELOAD_SECONDS',
  networkLabels: 'NETWORK_LABELS',
} as const;

export interface DnsAnswersConfig {
  resolutionTable: string;
  watermarkTable: string;
  /** How long an answer is kept, in event time. Default 24 h. */
  retentionMs: number;
  /** Names kept per (host, IP). Default 16. */
  maxNamesPerKey: number;
}

export interface EnrichConfig {
  resolutionTable: string;
  watermarkTable: string;
  dedupeTable: string;
  outputBucket: string;
  alertTopicArn: string;
  holdQueueUrl: string;
  /** The stream both functions read: the enrich code asks it how far the dns-answers consumer has got. */
  streamArn: string;
  /** Folder of compiled-at-cold-start Sigma rules, bundled with the function. Default `rules`. */
  rulesDir: string;
  /** Default 24 h. */
  retentionMs: number;
  /** An answer logged up to this long after its connection counts. Default 5 s. */
  lookAheadMs: number;
  /** A connection still unresolved waits this long for a late answer. Default 30 s. */
  holdWindowMs: number;
  /** A held connection is written unresolved after this long, even if the DNS consumer still lags. Default 15 min. */
  maxHoldMs: number;
  /** `replace` (default) or `fill-empty`. */
  enrichMode: 'replace' | 'fill-empty';
  /** Default 60 min. */
  dedupeWindowMs: number;
  /** Event fields (besides the rule id) that make two alerts the same. Default host, destination. */
  dedupeFields: string[];
  /**
   * IOC containers (src/ioc) in an S3 prefix, reloaded when they change; set only when CONTAINERS_BUCKET is.
   * Default: none (Gene rules naming a container stay inactive; Sigma |expand placeholders are rejected).
   */
  containers?: {
    bucket: string;
    /** Key prefix of the container files. Default `iocs/`. */
    prefix: string;
    /** Least time between two listings of the prefix. Default 60 s. */
    reloadMs: number;
  };
  /**
   * NETWORK_LABELS: the network-label hook's CIDR table (JSON `{ "cidr": "label" }` or CSV lines, docs/hooks.md);
   * set (even to `{}`) turns the hook on. Default: unset, the hook is off.
   */
  networkLabels?: NetworkTableEntry[];
}

export interface SlackForwarderConfig {
  slackWebhookSecretArn: string;
}

function required(env: Env, variable: string): string {
  const value = env[variable]?.trim();
  if (!value) throw new MissingConfigurationError(variable, 'is not set');
  return value;
}

function positive(env: Env, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new MissingConfigurationError(variable, `"${raw}" is not a positive number`);
  return value;
}

export function dnsAnswersConfig(env: Env): DnsAnswersConfig {
  return {
    resolutionTable: required(env, ENV.resolutionTable),
    watermarkTable: required(env, ENV.watermarkTable),
    retentionMs: positive(env, ENV.retentionHours, 24) * 3_600_000,
    maxNamesPerKey: Math.floor(positive(env, ENV.maxNamesPerKey, 16)),
  };
}

export function enrichConfig(env: Env): EnrichConfig {
  const mode = env[ENV.enrichMode]?.trim() || 'replace';
  if (mode !== 'replace' && mode !== 'fill-empty') {
    throw new MissingConfigurationError(ENV.enrichMode, `"${mode}" is not replace or fill-empty`);
  }
  const fields = (env[ENV.dedupeFields]?.trim() || 'host,destination')
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  return {
    resolutionTable: required(env, ENV.resolutionTable),
    watermarkTable: required(env, ENV.watermarkTable),
    dedupeTable: required(env, ENV.dedupeTable),
    outputBucket: required(env, ENV.outputBucket),
    alertTopicArn: required(env, ENV.alertTopicArn),
    holdQueueUrl: required(env, ENV.holdQueueUrl),
    streamArn: required(env, ENV.streamArn),
    rulesDir: env[ENV.rulesDir]?.trim() || 'rules',
    retentionMs: positive(env, ENV.retentionHours, 24) * 3_600_000,
    lookAheadMs: positive(env, ENV.lookAheadSeconds, 5) * 1000,
    holdWindowMs: positive(env, ENV.holdWindowSeconds, 30) * 1000,
    maxHoldMs: positive(env, ENV.maxHoldMinutes, 15) * 60_000,
    enrichMode: mode,
    dedupeWindowMs: positive(env, ENV.dedupeWindowMinutes, 60) * 60_000,
    dedupeFields: fields,
    ...containersConfig(env),
    ...networkLabelsConfig(env),
  };
}

function networkLabelsConfig(env: Env): Pick<EnrichConfig, 'networkLabels'> {
  const text = env[ENV.networkLabels];
  if (text === undefined || text.trim() === '') return {};
  try {
    const entries = parseNetworkTable(text);
    compileNetworkTable(entries);
    return { networkLabels: entries };
  } catch (error) {
    throw new MissingConfigurationError(ENV.networkLabels, (error as Error).message);
  }
}

function containersConfig(env: Env): Pick<EnrichConfig, 'containers'> {
  const bucket = env[ENV.containersBucket]?.trim();
  if (!bucket) return {};
  return {
    containers: {
      bucket,
      prefix: env[ENV.containersPrefix]?.trim() || DEFAULT_CONTAINERS_PREFIX,
      reloadMs: positive(env, ENV.containersReloadSeconds, 60) * 1000,
    },
  };
}

export function slackForwarderConfig(env: Env): SlackForwarderConfig {
  return { slackWebhookSecretArn: required(env, ENV.slackWebhookSecretArn) };
}
