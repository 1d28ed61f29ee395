import type { RuleSet } from '../detection/rule-set.js';
import type { ResolutionStore } from '../dns/resolution.js';
import {
  createEnrichmentContext,
  type EnrichmentContext,
  type EnrichmentOptions,
  type HookPlan,
  runHooks,
} from '../hooks/index.js';
import { toNotification } from './alert-record.js';
import { batchOutputs } from './batch-outputs.js';
import { connectionKey } from './connection-keys.js';
import { decodeBatch, type InputRecord, type RejectedItem, type SourcedEvent } from './decode-batch.js';
import type {
  AlertDeduplicator,
  AlertPublisher,
  CatchUpOracle,
  HeldConnection,
  HoldQueue,
  ObjectWriter,
} from './ports.js';
import { publishedBefore } from './ports.js';
import { countHooks, detect, loadAnswers } from './process-batch.js';
import { emptySummary, type Summary } from './summary.js';

export interface EnrichServiceDependencies {
  hooks: HookPlan<EnrichmentContext>;
  enrichment: EnrichmentOptions;
  /** The store for fresh batches (behind the in-container cache). */
  store: ResolutionStore;
  /** The store for re-checks of held connections (no cache: they wait for new answers). */
  directStore: ResolutionStore;
  rules: RuleSet;
  writer: ObjectWriter;
  publisher: AlertPublisher;
  deduper: AlertDeduplicator;
  holds: HoldQueue;
  catchUp: CatchUpOracle;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** A connection waits for answers that reach the stream up to this long after it. */
  holdWindowMs: number;
  /** A held connection is released unresolved this long after it was first held. */
  maxHoldMs: number;
  dedupeFields: readonly string[];
}

/**
 * The enrich function's use case, behind ports: fresh records from the stream, and held connections coming back
 * from the hold queue. See docs/late-answers.md for when a connection is final.
 * Throws only dependency errors (the caller fails the batch so that it is retried; every write is idempotent).
 */
export class EnrichService {
  constructor(private readonly deps: EnrichServiceDependencies) {}

  /** A batch of stream records; `name` is derived from the shard and first sequence number. */
  async processRecords(records: readonly InputRecord[], name: string): Promise<Summary> {
    const summary = emptySummary();
    const { events, rejected } = decodeBatch(records, summary);
    const originals = snapshotConnections(events);
    const context = createEnrichmentContext(this.deps.enrichment);
    await loadAnswers(events, this.deps.store, context);
    this.runHooks(events, context, summary);
    const { final, held } = await this.settle(events, originals, summary, (sourced) => ({
      event: { ...sourced.event, data: originals.get(sourced) as Record<string, string> },
      origin: sourced.origin,
      arrival: sourced.arrival,
      // The record's arrival, not the wall clock: a batch delivered twice then holds identical messages.
      firstHeldAt: sourced.arrival,
    }));
    await this.finish(final, rejected, held, name, summary);
    return summary;
  }

  /** Held connections back from the hold queue; `name` is derived from the messages' content. */
  async recheck(items: readonly HeldConnection[], name: string): Promise<Summary> {
    const summary = emptySummary();
    summary.read = items.length;
    const byEvent = new Map<SourcedEvent, HeldConnection>();
    const events: SourcedEvent[] = [];
    for (const item of items) {
      const sourced = { event: item.event, origin: item.origin, arrival: item.arrival };
      byEvent.set(sourced, item);
      events.push(sourced);
    }
    events.sort((a, b) => a.event.time - b.event.time);
    const originals = snapshotConnections(events);
    const context = createEnrichmentContext(this.deps.enrichment);
    await loadAnswers(events, this.deps.directStore, context);
    this.runHooks(events, context, summary);
    const now = this.deps.now();
    const { final, held } = await this.settle(
      events,
      originals,
      summary,
      (sourced) => {
        const item = byEvent.get(sourced) as HeldConnection;
        return { ...item, event: { ...sourced.event, data: originals.get(sourced) as Record<string, string> } };
      },
      (sourced) => {
        const expired = now - (byEvent.get(sourced) as HeldConnection).firstHeldAt >= this.deps.maxHoldMs;
        if (expired) summary.holdExpired++;
        return expired;
      },
    );
    await this.finish(final, [], held, name, summary);
    return summary;
  }

  private runHooks(events: readonly SourcedEvent[], context: EnrichmentContext, summary: Summary): void {
    const before = { ...context.counters };
    runHooks(
      events.map((sourced) => sourced.event),
      this.deps.hooks,
      context,
    );
    countHooks(summary, before, context);
  }

  /**
   * Splits the events into final ones and connections to hold: a connection named from its own process's answer is
   * final; any other (named host-wide, or not at all) is final once the DNS consumer has caught up to the end of
   * its hold window, or when `release` says so.
   */
  private async settle(
    events: readonly SourcedEvent[],
    originals: ReadonlyMap<SourcedEvent, Record<string, string>>,
    summary: Summary,
    toHeld: (sourced: SourcedEvent) => HeldConnection,
    release: (sourced: SourcedEvent) => boolean = () => false,
  ): Promise<{ final: SourcedEvent[]; held: HeldConnection[] }> {
    const final: SourcedEvent[] = [];
    const held: HeldConnection[] = [];
    let caughtUpTo: number | undefined;
    const now = this.deps.now();
    for (const sourced of events) {
      if (originals.has(sourced) && sourced.event.data.DestinationHostnameSource !== 'dns-process') {
        const needed = sourced.arrival + this.deps.holdWindowMs;
        // No consumer can have caught up with the future: a fresh connection is held without asking.
        let waiting = needed > now;
        if (!waiting) {
          caughtUpTo ??= await this.deps.catchUp.caughtUpTo();
          waiting = needed > caughtUpTo;
        }
        if (waiting && !release(sourced)) {
          held.push(toHeld(sourced));
          uncount(summary, sourced.event);
          continue;
        }
      }
      final.push(sourced);
    }
    summary.held = held.length;
    return { final, held };
  }

  /**
   * Detection on the final events, then every write: de-dup claims, S3, notifications, and the holds last. A hold
   * sent cannot be taken back: a batch that failed after sending its holds would send them again on retry, and the
   * held connections would be written twice; every earlier write is idempotent on retry.
   */
  private async finish(
    final: readonly SourcedEvent[],
    rejected: readonly RejectedItem[],
    held: readonly HeldConnection[],
    name: string,
    summary: Summary,
  ): Promise<void> {
    const { deps } = this;
    const detections = detect(final, deps.rules, summary);
    summary.written = final.length;
    const outputs = batchOutputs(
      { events: [...final], detections, rejected: [...rejected], summary },
      name,
      deps.dedupeFields,
    );
    const notifications = detections.map((detection, i) => toNotification(detection, outputs.alerts[i]!));
    const decisions = notifications.length > 0 ? await deps.deduper.claim(notifications, deps.now()) : [];
    await Promise.all(
      outputs.objects.map((object) => deps.writer.put(object.key, object.body, { contentType: object.contentType })),
    );
    const toSend = notifications.filter((_, i) => decisions[i] === 'notify');
    summary.alerts.sent += toSend.length;
    summary.alerts.suppressed += notifications.length - toSend.length;
    if (toSend.length > 0) {
      try {
        await deps.publisher.publish(toSend);
      } catch (error) {
        // Mark what did go out, so that the retried batch does not send it again.
        const published = publishedBefore(error);
        if (published.length > 0) await deps.deduper.markSent(published);
        throw error;
      }
      await deps.deduper.markSent(toSend);
    }
    if (held.length > 0) await deps.holds.hold(held, deps.holdWindowMs);
  }
}

/** A copy of each lookup-able connection's fields before the hooks change them (what a held connection carries). */
function snapshotConnections(events: readonly SourcedEvent[]): Map<SourcedEvent, Record<string, string>> {
  const originals = new Map<SourcedEvent, Record<string, string>>();
  for (const sourced of events) {
    if (connectionKey(sourced.event) !== undefined) originals.set(sourced, { ...sourced.event.data });
  }
  return originals;
}

/**
 * Takes a held connection back out of the batch's connection counts: it is counted once, by the batch that
 * finally writes it, so the unresolved share is not inflated by connections still waiting.
 */
function uncount(summary: Summary, event: SourcedEvent['event']): void {
  const connections = summary.connections;
  connections.total--;
  const source = event.data.DestinationHostnameSource;
  if (source === undefined) {
    connections.unresolved--;
    return;
  }
  connections.enriched--;
  const left = (connections.bySource[source] ?? 0) - 1;
  if (left > 0) connections.bySource[source] = left;
  else delete connections.bySource[source];
}
