/**
 * Posts one message to a Slack incoming webhook. Every failure throws, so the SQS record is reported as a batch
 * item failure and comes back after the visibility timeout; after maxReceiveCount receives it moves to the
 * dead-letter queue, where an alarm fires and it can be redriven. Nothing is logged and dropped: a 4xx other than
 * 429 (revoked webhook, archived channel, invalid payload) will not heal by itself, but the alert must not be lost
 * either, so it waits in the DLQ for the fix (see docs/operations.md).
 */

/** Slack answered with a non-2xx status, or did not answer in time. */
export class SlackDeliveryError extends Error {
  constructor(
    readonly status: number | undefined,
    detail: string,
    /** True when retrying the same request cannot succeed until someone changes the webhook or the payload. */
    readonly permanent: boolean,
  ) {
    super(`slack webhook: ${detail}`);
    this.name = 'SlackDeliveryError';
  }
}

export interface PostOptions {
  /** Default 5000 ms: well inside the function timeout, so a hung connection fails the record, not the batch. */
  timeoutMs?: number;
  /** Injected in tests. Default: global fetch. */
  fetch?: typeof fetch;
}

/** Posts `message` as JSON; resolves on 2xx, throws SlackDeliveryError otherwise. */
export async function postToSlack(webhookUrl: string, message: unknown, options: PostOptions = {}): Promise<void> {
  const send = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (error) {
    // Timeout, DNS or TLS failure: transient as far as we can tell.
    throw new SlackDeliveryError(undefined, `request failed: ${(error as Error).message}`, false);
  }
  if (response.ok) return;
  // Slack puts a short reason in the body (no_service, channel_is_archived, invalid_payload, ...).
  const reason = (await response.text().catch(() => '')).slice(0, 200);
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
  throw new SlackDeliveryError(response.status, `HTTP ${response.status} ${reason}`.trim(), permanent);
}
