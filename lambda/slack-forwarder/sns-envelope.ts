/**
 * The SNS notification inside an SQS message body (the topic delivers to the queue without raw message delivery,
 * so the body is the SNS JSON envelope with Subject, Message and MessageAttributes).
 */
import type { AlertNotificationText } from '../../src/alerts/slack-message.js';

/**
 * Reads the notification fields from an SQS body. A body that is not an SNS envelope (someone sent to the queue
 * directly, or raw delivery was turned on) is treated as the message text itself, so it is still posted.
 */
export function notificationFromSqsBody(body: string): AlertNotificationText {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { message: body };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { Message?: unknown }).Message !== 'string') {
    return { message: body };
  }
  const envelope = parsed as { Subject?: unknown; Message: string; MessageAttributes?: unknown };
  const attributes: Record<string, string> = {};
  if (typeof envelope.MessageAttributes === 'object' && envelope.MessageAttributes !== null) {
    for (const [name, value] of Object.entries(envelope.MessageAttributes as Record<string, unknown>)) {
      const text = (value as { Value?: unknown } | null)?.Value;
      if (typeof text === 'string') attributes[name] = text;
    }
  }
  return {
    subject: typeof envelope.Subject === 'string' ? envelope.Subject : undefined,
    message: envelope.Message,
    attributes,
  };
}
