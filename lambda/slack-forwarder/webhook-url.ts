/**
 * The webhook URL, read from Secrets Manager and cached per container. The environment holds only the secret's
 * ARN; the URL itself is a credential and never appears in configuration or logs.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MissingConfigurationError } from '../config.js';

export interface WebhookUrlOptions {
  client: SecretsManagerClient;
  secretArn: string;
  /** How long a fetched URL is reused. Default 5 min, so a rotated webhook is picked up without a redeploy. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The secret value is the URL itself, or a JSON object with a `url` (or `webhookUrl`) string. It must be https.
 */
export function webhookUrlFromSecret(secretString: string, secretArn: string): string {
  let candidate = secretString.trim();
  if (candidate.startsWith('{')) {
    try {
      const parsed = JSON.parse(candidate) as { url?: unknown; webhookUrl?: unknown };
      candidate = String(parsed.url ?? parsed.webhookUrl ?? '').trim();
    } catch {
      throw new MissingConfigurationError(secretArn, 'secret is neither a URL nor JSON');
    }
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new MissingConfigurationError(secretArn, 'secret does not hold a URL');
  }
  if (url.protocol !== 'https:') throw new MissingConfigurationError(secretArn, 'webhook URL is not https');
  return url.toString();
}

export class WebhookUrl {
  readonly #client: SecretsManagerClient;
  readonly #secretArn: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #cached: { url: string; expires: number } | undefined;

  constructor(options: WebhookUrlOptions) {
    this.#client = options.client;
    this.#secretArn = options.secretArn;
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    const now = this.#now();
    if (this.#cached !== undefined && now < this.#cached.expires) return this.#cached.url;
    const response = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretArn }));
    if (response.SecretString === undefined) {
      throw new MissingConfigurationError(this.#secretArn, 'secret has no SecretString');
    }
    const url = webhookUrlFromSecret(response.SecretString, this.#secretArn);
    this.#cached = { url, expires: now + this.#ttlMs };
    return url;
  }

  /** Forget the cached URL (after Slack said the webhook is gone), so the next record reads the secret again. */
  invalidate(): void {
    this.#cached = undefined;
  }
}
