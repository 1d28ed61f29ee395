/**
 * The alert publisher port over SNS: PublishBatch, 10 entries per request (the API limit); entries SNS reports in
 * `Failed` are retried with backoff, and the call throws if any is still failing after the cap.
 */

import {
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { LIMITS } from '../../src/limits.js';
import type {
  AlertNotification,
  AlertPublisher,
  PublishOptions,
  RefusedNotification,
} from '../../src/pipeline/ports.js';
import { serviceSafeText, utf8Length } from '../../src/pipeline/service-text.js';
import { RetryableDependencyError } from './errors.js';
import { packRequests } from './pack-requests.js';
import {
  backoffDelay,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryOnTransient,
} from './retry.js';

export interface SnsAlertPublisherOptions {
  client: SNSClient;
  topicArn: string;
  /** Backoff for throttling, 5xx and entries reported Failed. Defaults: see RetryOptions. */
  retry?: RetryOptions;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

export const PUBLISH_BATCH_LIMIT = 10;
/** SNS Subject: "less than 100 characters", ASCII printable, no line breaks. */
const SUBJECT_MAX = LIMITS.subjectChars;

export class SnsAlertPublisher implements AlertPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;
  readonly #retry: ResolvedRetryOptions;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: SnsAlertPublisherOptions) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
    this.#retry = resolveRetryOptions(options.retry);
    this.#onRequest = options.onRequest;
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  /**
   * Throws after some notifications went out (an earlier chunk, or entries of the failing chunk that succeeded):
   * the error's `published` lists them (src/pipeline/ports.ts publishedBefore), so the caller can mark them sent.
   */
  async publish(
    notifications: readonly AlertNotification[],
    options: PublishOptions = {},
  ): Promise<{ refused: RefusedNotification[] }> {
    const published: AlertNotification[] = [];
    const refused: RefusedNotification[] = [];
    try {
      for (const chunk of publishChunks(notifications)) {
        await this.#publishChunk(chunk, published, refused, options.onPublished);
      }
      return { refused };
    } catch (error) {
      if (published.length > 0 && typeof error === 'object' && error !== null) {
        Object.assign(error, { published });
      }
      throw error;
    }
  }

  async #publishChunk(
    chunk: readonly AlertNotification[],
    published: AlertNotification[],
    refused: RefusedNotification[],
    onPublished: PublishOptions['onPublished'],
  ): Promise<void> {
    // Ids are positions in the chunk: unique within the request, and they map Failed entries back.
    let pending: PublishBatchRequestEntry[] = chunk.map((n, i) => toEntry(n, String(i)));
    for (let round = 0; ; round++) {
      const entries = pending;
      const response = await retryOnTransient('sns:PublishBatch', this.#retry, () => {
        this.#requestCount++;
        this.#onRequest?.('PublishBatch');
        return this.#client.send(
          new PublishBatchCommand({ TopicArn: this.#topicArn, PublishBatchRequestEntries: entries }),
        );
      });
      const all = response.Failed ?? [];
      const allIds = new Set(all.map((f) => f.Id));
      const now = entries.filter((entry) => !allIds.has(entry.Id)).map((entry) => chunk[Number(entry.Id)]!);
      for (const n of now) published.push(n);
      // Told at once, response by response: the window in which a killed invocation has published without
      // recording it is one response wide.
      if (now.length > 0) await onPublished?.(now);
      // A sender fault (bad attribute, message too big) fails the same way on every retry: that entry is refused
      // for good and returned, never thrown, so that it cannot fail its batch.
      for (const fault of all.filter((f) => f.SenderFault)) {
        refused.push({ notification: chunk[Number(fault.Id)]!, reason: `${fault.Code} ${fault.Message ?? ''}`.trim() });
      }
      const failed = all.filter((f) => !f.SenderFault);
      const failedIds = new Set(failed.map((f) => f.Id));
      if (failed.length === 0) return;
      if (round + 1 >= this.#retry.maxAttempts) {
        const codes = [...new Set(failed.map((f) => f.Code))].join(', ');
        throw new RetryableDependencyError(
          'sns:PublishBatch',
          `${failed.length} entries still failing after ${this.#retry.maxAttempts} attempts (${codes})`,
        );
      }
      pending = entries.filter((e) => failedIds.has(e.Id));
      await this.#retry.sleep(backoffDelay(this.#retry, round));
    }
  }
}

/** Bytes a notification adds to a PublishBatch request: its message, subject and attributes. */
function entryBytes(n: AlertNotification): number {
  return utf8Length(n.message) + utf8Length(n.subject) + utf8Length(n.host) + n.ruleId.length + n.level.length + 64;
}

/**
 * Chunks of at most 10 entries AND at most LIMITS.sendMessageBatchBytes in all: SNS refuses a PublishBatch whose
 * messages add up to more than 256 KiB as a whole, which no retry could fix.
 */
export function publishChunks(notifications: readonly AlertNotification[]): AlertNotification[][] {
  return packRequests(notifications, entryBytes, PUBLISH_BATCH_LIMIT, LIMITS.sendMessageBatchBytes);
}

function toEntry(n: AlertNotification, id: string): PublishBatchRequestEntry {
  const attributes: Record<string, MessageAttributeValue> = {};
  // SNS rejects empty attribute values.
  for (const [name, value] of [
    ['level', n.level],
    ['rule_id', n.ruleId],
    // The host comes from the event: cut to a host name's length and made acceptable to SNS.
    ['host', serviceSafeText(n.host.slice(0, LIMITS.hostBytes))],
  ] as const) {
    if (value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  }
  const subject = sanitizeSubject(n.subject);
  return {
    Id: id,
    Message: n.message,
    Subject: subject === '' ? undefined : subject,
    MessageAttributes: attributes,
  };
}

/**
 * Makes a string a valid SNS Subject: line breaks and other control characters become spaces, non-ASCII
 * characters become '?', runs of spaces collapse, and the result is cut to 99 characters (with an ellipsis).
 */
export function sanitizeSubject(subject: string): string {
  // Code points, not UTF-16 units: an emoji becomes one '?'.
  const ascii = Array.from(subject, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return ' ';
    return code > 0x7e ? '?' : ch;
  })
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (ascii.length <= SUBJECT_MAX) return ascii;
  return `${ascii.slice(0, SUBJECT_MAX - 3).trimEnd()}...`;
}
