/**
 * One SQS record -> one Slack post. Shared by the handler and its tests.
 */
import type { SQSRecord } from 'aws-lambda';
import { buildSlackMessage } from '../../src/alerts/slack-message.js';
import { type PostOptions, postToSlack, SlackDeliveryError } from './slack-webhook.js';
import { notificationFromSqsBody } from './sns-envelope.js';
import type { WebhookUrl } from './webhook-url.js';

export interface ForwardDependencies {
  webhookUrl: Pick<WebhookUrl, 'get' | 'invalidate'>;
  post?: PostOptions;
}

/** Throws on any delivery failure (the record is retried, then dead-lettered). */
export async function forwardRecord(record: SQSRecord, dependencies: ForwardDependencies): Promise<void> {
  const message = buildSlackMessage(notificationFromSqsBody(record.body));
  const url = await dependencies.webhookUrl.get();
  try {
    await postToSlack(url, message, dependencies.post);
  } catch (error) {
    // A webhook Slack no longer knows may have been rotated in the secret: read it again on the next attempt.
    if (error instanceof SlackDeliveryError && error.permanent) dependencies.webhookUrl.invalidate();
    throw error;
  }
}
