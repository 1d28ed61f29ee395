import type { CanonicalEvent } from '../events/canonical-event.js';

/**
 * Ports the batch pipeline writes through. Adapters (lambda/adapters) implement them over AWS;
 * the CLI implements them over the local disk; test/fakes implement them in memory.
 * Every method either succeeds or throws a dependency error (throttling, 5xx, timeout) that makes the caller
 * retry the whole batch; none of them may partially succeed silently.
 */

/** Writes whole objects. A put to an existing key replaces it (so a retried batch overwrites its own output). */
export interface ObjectWriter {
  put(key: string, body: Uint8Array, options: { contentType: string; contentEncoding?: string }): Promise<void>;
  /** Removes an object a failed attempt wrote; removing a key that does not exist succeeds. */
  delete(key: string): Promise<void>;
}

/** What one alert notification says; built by the pipeline from a rule match and its event. */
export interface AlertNotification {
  /** Stable id of this occurrence (the event's id + rule id): the same on every retry, whatever the batch. */
  occurrenceId: string;
  /** Rule + dedupe fields (default: rule id, host, destination): equal keys within the window notify once. */
  dedupeKey: string;
  level: string;
  ruleId: string;
  ruleTitle: string;
  host: string;
  /** Event time, epoch ms. */
  time: number;
  subject: string;
  /** Human-readable body followed by the JSON of the alert. */
  message: string;
}

/**
 * Publishes notifications (SNS). Must publish every entry or throw; an error thrown after some entries were
 * published carries them in `published` (see {@link publishedBefore}), so that the caller marks them sent and a
 * retried batch does not send them again.
 */
export interface AlertPublisher {
  /**
   * Entries the service refuses for good (a sender fault: an invalid or oversized message) are not thrown: they are
   * returned, so that one bad notification never fails its batch; the caller keeps them in `rejected/`.
   */
  publish(
    notifications: readonly AlertNotification[],
    options?: PublishOptions,
  ): Promise<{ refused: RefusedNotification[] }>;
}

export interface PublishOptions {
  /** Called after each request with the notifications it published, before the next request. */
  onPublished?: (published: AlertNotification[]) => Promise<void>;
}

/** A notification the service refused for good, and its reason (the service's error code and message). */
export interface RefusedNotification {
  notification: AlertNotification;
  reason: string;
}

/** The notifications a failed `publish` did publish (its error's `published`), or none. */
export function publishedBefore(error: unknown): readonly AlertNotification[] {
  const published = (error as { published?: unknown } | null)?.published;
  return Array.isArray(published) ? (published as AlertNotification[]) : [];
}

/** Decision for one notification. */
export type DedupeDecision = 'notify' | 'suppress';

/**
 * De-duplicates notifications across batches, concurrent invocations and retries with conditional writes.
 * `claim` is idempotent per occurrenceId: a retried batch gets 'notify' again for an occurrence it claimed but
 * did not mark sent, and 'suppress' for one already sent.
 */
export interface AlertDeduplicator {
  claim(notifications: readonly AlertNotification[], now: number): Promise<DedupeDecision[]>;
  /** Marks the occurrences sent: later claims of them are suppressed. */
  markSent(notifications: readonly AlertNotification[]): Promise<void>;
}

/** A connection waiting for a late answer: the event as it was before enrichment, and where it came from. */
export interface HeldConnection {
  /** The event's stable id (SourcedEvent.id): what de-duplicates it across attempts and hold messages. */
  id: string;
  /** Its record's sequence number, when it came from the stream. */
  sequence?: string;
  event: CanonicalEvent;
  origin: string;
  /** When its record reached the stream, epoch ms. */
  arrival: number;
  /**
   * Where the maximum hold counts from, epoch ms: the record's arrival, so that the same record held twice (a batch
   * delivered twice) gives byte-identical hold messages, which the hold handler writes under the same object names.
   */
  firstHeldAt: number;
  /**
   * How many times it has been held (1 the first time). A connection held again is a new message: without this it
   * could be byte-identical to the one it came back in, and the hold handler would take it for a duplicate.
   */
  round: number;
}

/**
 * Delivers hold messages (bodies made by encodeHoldMessages, each within LIMITS.holdMessageBytes and safe for
 * SQS) back to the enrich code after a delay (SQS with DelaySeconds). Sending a body twice is allowed: the hold
 * handler finishes each distinct body once.
 */
export interface HoldQueue {
  /** Bodies the service refuses for good are returned by index with the reason, never thrown. */
  send(bodies: readonly string[], delayMs: number): Promise<{ refused: { index: number; reason: string }[] }>;
}

/**
 * Tells how far the dns-answers consumer has got: every record that reached the stream before the returned
 * time (epoch ms), on every shard, has its answers in the resolution table.
 */
export interface CatchUpOracle {
  caughtUpTo(): Promise<number>;
}
