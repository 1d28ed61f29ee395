/**
 * Composition root of the Slack forwarder: configuration, clients and the cached webhook URL, once per cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { slackForwarderConfig } from '../config.js';
import type { ForwardDependencies } from './forward-record.js';
import { WebhookUrl } from './webhook-url.js';

export const logger = new Logger();

const config = slackForwarderConfig(process.env);

export const dependencies: ForwardDependencies = {
  webhookUrl: new WebhookUrl({ client: new SecretsManagerClient({}), secretArn: config.slackWebhookSecretArn }),
  post: { timeoutMs: 5000 },
};
