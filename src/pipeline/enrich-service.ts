import type { BaseMatch, CorrelationStore } from '../detection/correlation/index.js';
import type { RuleSet } from '../detection/rule-set.js';
import {
  type AnyHook,
  createEnrichmentContext,
  type EnrichmentOptions,
  type HookPlan,
  loadState,
  persistPending,
  runHooks,
} from '../hooks/index.js';
import type { StateStore } from '../state/state-store.js';
import { toNotification } from './alert-record.js';
import { batchOutputs } from './batch-outputs.js';
import {
  type Attempt,
  type AttemptManifest,
  type CommitLog,
  compareSequence,
  type HeldRef,
  HOLD_UNIT_TTL_MS,
  mergeManifests,
  STREAM_UNIT_TTL_MS,
} from './commit-log.js';
import { connectionKey } from './connection-keys.js';
import { decodeBatch, type InputRecord, type RejectedItem, type SourcedEvent, toRejectedLine } from './decode-batch.js';
import { encodeHoldMessages } from './held-codec.js';
import { FUTURE_TOLERANCE_MS, partitionOf, partitionRows } from './partition.js';
import type {
  AlertDeduplicator,
  AlertNotification,
  AlertPublisher,
  CatchUpOracle,
  HeldConnection,
  HoldQueue,
  ObjectWriter,
} from './ports.js';
import { publishedBefore } from './ports.js';
import { countHooks, detect, detectCorrelations, snapshotCounters } from './process-batch.js';
import { bump, emptySummary, type Summary } from './summary.js';

export interface EnrichServiceDependencies {
  hooks: HookPlan;
  enrichment: EnrichmentOptions;
  /**
   * The state store, read (the keys the hooks declare for the final events) strongly consistent and only after the
   * catch-up oracle said the dns-answers consumer has written every answer that can name the connections being
   * finalised (see docs/late-answers.md). The enrich functions write only the state of the hooks that declare
   * `persistWhenEnriching` (never the resolutions).
   */
  store: StateStore;
  rules: RuleSet;
  /**
   * Brings the rules' IOC containers up to date before a batch is detected (src/ioc ContainerReloader.refresh: it
   * lists the S3 prefix at most once per interval). A failure is thrown: the batch is retried. Default: none.
   */
  refreshContainers?: () => Promise<unknown>;
  /**
   * Correlation state shared by every shard, batch and container (DynamoDB), and how late (event time, behind the
   * newest event of its group) an event may come and still count exactly. Required when `rules` has correlations.
   */
  correlations?: { store: CorrelationStore; toleranceMs: number };
  writer: ObjectWriter;
  publisher: AlertPublisher;
  deduper: AlertDeduplicator;
  holds: HoldQueue;
  catchUp: CatchUpOracle;
  /** Exactly-once bookkeeping per shard and per hold message (docs/lambda.md). */
  commits: CommitLog;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** A connection waits for answers that reach the stream up to this long after it. */
  holdWindowMs: number;
  /** A held connection is released unresolved this long after it was first held. */
  maxHoldMs: number;
  dedupeFields: readonly string[];
}

/** The hooks whose state the enrich functions write too (HookState.persistWhenEnriching). */
function persistsWhenEnriching(hook: AnyHook): boolean {
  return hook.state?.persists === true && hook.state.persistWhenEnriching === true;
}

/** Configuration: correlation rules were loaded without the store they need (fails the cold start). */
export class MissingCorrelationStoreError extends Error {
  override readonly name = 'MissingCorrelationStoreError';
  constructor() {
    super('correlation rules are loaded but no correlation store is configured');
  }
}

/** Where a stream batch comes from, for its exactly-once unit and object names. */
export interface StreamBatch {
  /** The shard id: one unit per shard. */
  shard: string;
  /**
   * Object name of the batch when its records have no sequence numbers (tests). Otherwise the name is the shard
   * and the sequence number of the first record not yet committed: a delivery that starts with records already
   * committed must not take the name (and overwrite the objects) of the batch that wrote them.
   */
  name?: string;
  /** Until when this invocation may run, epoch ms (the Lambda deadline). */
  leaseUntil: number;
}

/** One hold message: its unit and object name both come from its body's hash. */
export interface HoldMessage {
  /** `held-<hash>`: the unit is `hold/<hash>`, the objects `held-<hash>`. */
  name: string;
  leaseUntil: number;
  /** The message body, kept as the original bytes of anything rejected from it. */
  body: string;
}

/** A final event, or a connection to hold, decided before any store read. */
interface Settled {
  final: SourcedEvent[];
  held: HeldConnection[];
  /** The hold messages carrying `held`. */
  bodies: string[];
}

/**
 * The enrich function's use case, behind ports: fresh records from the stream, and held connections coming back
 * from the hold queue. When a connection is final: docs/late-answers.md. Exactly once: docs/lambda.md.
 * Throws only retryable errors (a dependency failing, another attempt at the same unit); a permanent refusal of one
 * item never fails the batch: the item is written to `rejected/` with the reason.
 */
export class EnrichService {
  constructor(private readonly deps: EnrichServiceDependencies) {
    if (deps.rules.correlations !== undefined && deps.correlations === undefined) {
      // A store of one container's memory would count each shard apart: refuse rather than miss alerts.
      throw new MissingCorrelationStoreError();
    }
  }

  /** A batch of stream records of one shard, in sequence order. */
  async processRecords(records: readonly InputRecord[], batch: StreamBatch): Promise<Summary> {
    await this.deps.refreshContainers?.();
    const summary = emptySummary();
    const now = this.deps.now();
    const attempt = await this.deps.commits.begin(`stream/${batch.shard}`, now, {
      exclusive: false,
      ttlMs: STREAM_UNIT_TTL_MS,
    });
    const fresh = records.filter((record) => !attempt.isCommitted(record.sequence));
    summary.retries.committedSkipped += records.length - fresh.length;
    if (fresh.length === 0) return summary;
    const inheritedIds = new Set(attempt.inherited?.held.map((ref) => ref.id));
    const decoded = decodeBatch(fresh, summary);
    const events = decoded.events.filter((sourced) => {
      if (!inheritedIds.has(sourced.id)) return true;
      // An earlier attempt handed it to a hold message, which this attempt sends again: that message writes it.
      summary.retries.inheritedHolds++;
      summary.read--;
      return false;
    });
    const settled = await this.settle(events, summary, (sourced) => ({ firstHeldAt: sourced.arrival, round: 1 }));
    const last = lastSequence(fresh);
    await this.finish(settled, decoded.rejected, summary, {
      attempt,
      name: `${batch.shard}-${fresh[0]?.sequence ?? batch.name ?? 'unsequenced'}`,
      leaseUntil: batch.leaseUntil,
      now,
      rejectedPartition: partitionOf(fresh[0]?.arrival ?? now),
      rawOf: rawLookup(fresh),
      commit: () => ({
        position: last === undefined ? {} : { committed: last },
        carry: (attempt.inherited?.held ?? []).filter(
          (ref) => last !== undefined && ref.sequence !== undefined && compareSequence(ref.sequence, last) > 0,
        ),
      }),
    });
    return summary;
  }

  /** The held connections of one hold message, back after their delay. */
  async recheck(items: readonly HeldConnection[], message: HoldMessage): Promise<Summary> {
    await this.deps.refreshContainers?.();
    const summary = emptySummary();
    const now = this.deps.now();
    const unit = `hold/${message.name}`;
    const attempt = await this.deps.commits.begin(unit, now, { exclusive: true, ttlMs: HOLD_UNIT_TTL_MS });
    if (attempt.done) {
      summary.retries.committedSkipped += items.length;
      return summary;
    }
    const inheritedIds = new Set(attempt.inherited?.held.map((ref) => ref.id));
    const byEvent = new Map<SourcedEvent, HeldConnection>();
    const events: SourcedEvent[] = [];
    for (const item of items) {
      if (inheritedIds.has(item.id)) {
        summary.retries.inheritedHolds++;
        continue;
      }
      summary.read++;
      const sourced: SourcedEvent = { event: item.event, origin: item.origin, arrival: item.arrival, id: item.id };
      if (item.sequence !== undefined) sourced.sequence = item.sequence;
      byEvent.set(sourced, item);
      events.push(sourced);
    }
    events.sort((a, b) => a.event.time - b.event.time);
    const settled = await this.settle(
      events,
      summary,
      (sourced) => {
        const item = byEvent.get(sourced) as HeldConnection;
        return { firstHeldAt: item.firstHeldAt, round: item.round + 1 };
      },
      (sourced) => {
        const expired = now - (byEvent.get(sourced) as HeldConnection).firstHeldAt >= this.deps.maxHoldMs;
        if (expired) summary.holdExpired++;
        return expired;
      },
    );
    const body = new TextEncoder().encode(message.body);
    await this.finish(settled, [], summary, {
      attempt,
      name: message.name,
      leaseUntil: message.leaseUntil,
      now,
      rejectedPartition: partitionOf(now),
      rawOf: () => body,
      commit: () => ({ position: { done: true }, carry: [] }),
    });
    return summary;
  }

  /**
   * Decides which connections are final, before reading anything: a lookup-able connection is final only once the
   * DNS consumer has caught up to the end of its hold window (then the table holds every answer that can name it,
   * including a newer answer of the same process), or when `release` says so; any other connection is held. Then
   * reads the state keys the hooks declare for the final events (strongly consistent, after the oracle answered)
   * and runs the hooks over the final events only.
   */
  private async settle(
    events: readonly SourcedEvent[],
    summary: Summary,
    holdInfo: (sourced: SourcedEvent) => { firstHeldAt: number; round: number },
    release: (sourced: SourcedEvent) => boolean = () => false,
  ): Promise<Settled> {
    const now = this.deps.now();
    const candidates: HeldConnection[] = [];
    const candidateEvents = new Set<SourcedEvent>();
    let caughtUpTo: number | undefined;
    for (const sourced of events) {
      if (connectionKey(sourced.event) === undefined) continue;
      const needed = sourced.arrival + this.deps.holdWindowMs;
      // No consumer can have caught up with the future: a fresh connection is held without asking.
      let waiting = needed > now;
      if (!waiting) {
        caughtUpTo ??= await this.deps.catchUp.caughtUpTo();
        waiting = needed > caughtUpTo;
      }
      if (!waiting || release(sourced)) continue;
      const held: HeldConnection = {
        id: sourced.id,
        // Not copied: hooks run on the final events only, so a held event is never changed.
        event: sourced.event,
        origin: sourced.origin,
        arrival: sourced.arrival,
        ...holdInfo(sourced),
      };
      if (sourced.sequence !== undefined) held.sequence = sourced.sequence;
      candidates.push(held);
      candidateEvents.add(sourced);
    }
    const messages = encodeHoldMessages(candidates);
    // A connection too large for any hold message, compressed, is final now, named from what is known (counted).
    const tooLarge = new Set(messages.tooLarge.map((item) => item.id));
    summary.trimmed.holdTooLarge += tooLarge.size;
    const final = events.filter((sourced) => !candidateEvents.has(sourced) || tooLarge.has(sourced.id));
    const context = createEnrichmentContext(this.deps.enrichment, { collect: persistsWhenEnriching });
    const finalEvents = final.map((sourced) => sourced.event);
    await loadState(finalEvents, this.deps.hooks, context, this.deps.store);
    const before = snapshotCounters(context);
    runHooks(finalEvents, this.deps.hooks, context);
    countHooks(summary, before, context);
    // Before the attempt opens, as the correlation state: a retry writes the same items again (a merge, a no-op).
    for (const { pending, refused } of await persistPending(context, this.deps.store)) {
      for (const { reason } of refused) {
        summary.rejected++;
        bump(summary.rejectedByReason, `${pending.schema.prefix} state item refused: ${reason}`);
      }
    }
    const held = candidates.filter((item) => !tooLarge.has(item.id));
    summary.held += held.length;
    // The bodies leave the too-large ones out already: they are the messages of `held`.
    return { final, held, bodies: messages.bodies };
  }

  /**
   * Detection on the final events, then every write, bracketed by the commit log: open (what this attempt will
   * write and send, with what a failed attempt left), S3 objects, deletion of the failed attempt's other objects,
   * de-dup claims and notifications, hold messages (this attempt's and the inherited ones, again), commit.
   */
  private async finish(settled: Settled, rejected: readonly RejectedItem[], summary: Summary, run: FinishRun) {
    const { deps } = this;
    const { attempt } = run;
    const feeds: BaseMatch<SourcedEvent>[] = [];
    const detections = detect(settled.final, deps.rules, summary, feeds);
    if (deps.correlations !== undefined && feeds.length > 0) {
      // Before the attempt opens: a retry applies the same events again (a no-op) and gets the same alerts back.
      const { store, toleranceMs } = deps.correlations;
      detections.push(
        ...(await detectCorrelations(feeds, deps.rules, summary, {
          store,
          toleranceMs,
          now: deps.now(),
          flush: false,
        })),
      );
    }
    summary.written += settled.final.length;
    const outputs = batchOutputs(
      { events: settled.final, detections, rejected: [...rejected], summary },
      run.name,
      deps.dedupeFields,
      { futureToleranceMs: FUTURE_TOLERANCE_MS },
    );
    const notifications = detections.map((detection, i) => toNotification(detection, outputs.alerts[i]!));
    const heldRefs: HeldRef[] = settled.held.map((item) =>
      item.sequence === undefined ? { id: item.id } : { id: item.id, sequence: item.sequence },
    );
    // Refused items (a service's permanent refusal of one notification or message) go to this object.
    const refusedKey = `rejected/${run.rejectedPartition}/${run.name}-refused.json.gz`;
    const own = [...outputs.objects.map((object) => object.key), refusedKey];
    const inherited = attempt.inherited;
    const manifest = mergeManifests({ objects: own, held: heldRefs, holdBodies: settled.bodies }, inherited);
    await attempt.open(manifest, run.now, run.leaseUntil);
    try {
      await this.writeAll(
        { outputs, notifications, manifest, stale: inheritedStale(inherited, own), refusedKey },
        summary,
        run,
      );
    } catch (error) {
      // The lease ends now rather than at the deadline: the retry can inherit this attempt's manifest at once.
      await attempt.release(manifest, deps.now()).catch(() => undefined);
      throw error;
    }
    const { position, carry } = run.commit();
    await attempt.commit(position, carry, deps.now());
  }

  /** Every write of an opened attempt, in order (see finish). */
  private async writeAll(plan: WritePlan, summary: Summary, run: FinishRun): Promise<void> {
    const { deps } = this;
    const { outputs, notifications, manifest, stale, refusedKey } = plan;
    await settleAll(
      outputs.objects.map((object) => deps.writer.put(object.key, object.body, { contentType: object.contentType })),
    );
    await settleAll(stale.map((key) => deps.writer.delete(key)));
    summary.retries.staleObjectsDeleted += stale.length;

    const refused: RejectedItem[] = [];
    const decisions = notifications.length > 0 ? await deps.deduper.claim(notifications, deps.now()) : [];
    const toSend = notifications.filter((_, i) => decisions[i] === 'notify');
    summary.alerts.suppressed += notifications.length - toSend.length;
    if (toSend.length > 0) {
      // Each request's published notifications are marked sent as soon as its answer comes back, so a retry does
      // not send them again; an error thrown after some went out carries them too. What remains: an invocation
      // killed between a PublishBatch answer and its mark sends those again on retry (at least once; SNS has no
      // idempotent publish for standard topics). See docs/lambda.md, "Exactly once".
      const marked = new Set<string>();
      const mark = async (notifications: readonly AlertNotification[]) => {
        await deps.deduper.markSent(notifications);
        for (const n of notifications) marked.add(n.occurrenceId);
      };
      let outcome: Awaited<ReturnType<AlertPublisher['publish']>>;
      try {
        outcome = await deps.publisher.publish(toSend, { onPublished: mark });
      } catch (error) {
        const unmarked = publishedBefore(error).filter((n) => !marked.has(n.occurrenceId));
        if (unmarked.length > 0) await deps.deduper.markSent(unmarked);
        throw error;
      }
      const refusedIds = new Set(outcome.refused.map((r) => r.notification.occurrenceId));
      const refusedOnes = toSend.filter((n) => refusedIds.has(n.occurrenceId));
      summary.alerts.sent += toSend.length - refusedOnes.length;
      // A refused notification is marked too: it would be refused again; its alert row is in alerts/ already.
      if (refusedOnes.length > 0) await deps.deduper.markSent(refusedOnes);
      for (const { notification, reason } of outcome.refused) {
        refused.push(refusedNotification(notification, reason, run));
      }
    }
    const allBodies = manifest.holdBodies;
    if (allBodies.length > 0) {
      const sent = await deps.holds.send(allBodies, deps.holdWindowMs);
      for (const { index, reason } of sent.refused) {
        // Never happens with encodeHoldMessages' bodies; if it does, the connections are kept in rejected/.
        refused.push({
          origin: run.name,
          arrival: run.now,
          reason: `hold message refused: ${reason}`,
          raw: new TextEncoder().encode(allBodies[index] ?? ''),
        });
      }
    }
    if (refused.length > 0) {
      summary.rejected += refused.length;
      for (const item of refused) bump(summary.rejectedByReason, item.reason);
      const [object] = partitionRows(
        'rejected',
        `${run.name}-refused`,
        refused,
        () => run.now,
        (item) => JSON.stringify(toRejectedLine(item)),
      );
      if (object !== undefined) await deps.writer.put(refusedKey, object.body, { contentType: object.contentType });
    }
  }
}

/** What an opened attempt writes and sends. */
interface WritePlan {
  outputs: ReturnType<typeof batchOutputs>;
  notifications: AlertNotification[];
  /** Its own and the inherited hold bodies are all in here. */
  manifest: AttemptManifest;
  /** Objects of a failed attempt this one does not write again. */
  stale: string[];
  refusedKey: string;
}

/** The inherited objects that `own` does not overwrite. */
function inheritedStale(inherited: AttemptManifest | undefined, own: readonly string[]): string[] {
  const ownKeys = new Set(own);
  return (inherited?.objects ?? []).filter((key) => !ownKeys.has(key));
}

interface FinishRun {
  attempt: Attempt;
  name: string;
  leaseUntil: number;
  now: number;
  rejectedPartition: string;
  rawOf: (origin: string) => Uint8Array | undefined;
  commit: () => { position: { committed?: string; done?: boolean }; carry: HeldRef[] };
}

function refusedNotification(notification: AlertNotification, reason: string, run: FinishRun): RejectedItem {
  const origin = notification.occurrenceId.split('|')[0] ?? '';
  const record = origin.slice(0, origin.lastIndexOf('#'));
  return {
    origin,
    arrival: run.now,
    reason: `notification refused: ${reason}`,
    raw: run.rawOf(record) ?? new TextEncoder().encode(notification.message),
  };
}

/**
 * Waits for every write, then throws the first failure: an attempt never ends with writes of its own still in
 * flight, which could land after a retry deleted them as stale.
 */
async function settleAll(writes: readonly Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(writes);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** The last sequence number of the batch (records come in order; the maximum, to be safe). */
function lastSequence(records: readonly InputRecord[]): string | undefined {
  let last: string | undefined;
  for (const record of records) {
    if (record.sequence !== undefined && (last === undefined || compareSequence(record.sequence, last) > 0)) {
      last = record.sequence;
    }
  }
  return last;
}

function rawLookup(records: readonly InputRecord[]): (origin: string) => Uint8Array | undefined {
  const byOrigin = new Map(records.map((record) => [record.origin, record.data]));
  return (origin) => byOrigin.get(origin);
}
