/**
 * Exactly-once bookkeeping for the enrich function (design: docs/lambda.md, "Exactly once").
 *
 * A unit is what one writer owns in order: a Kinesis shard (`stream/<shardId>`, one invocation at a time with
 * ParallelizationFactor 1) or one hold-queue message body (`hold/<sha256>`, possibly delivered twice at once).
 * Before an attempt writes anything it records a manifest (the objects it will write, the hold messages it will
 * send and the connections they carry); after every write it commits (the shard's last sequence number, or the
 * message as done). A later attempt of the same unit, whatever its batch boundaries, then
 * - skips records at or before the committed sequence number (already written and alerted),
 * - deletes the objects a failed attempt wrote that it does not write itself (no stale objects after bisection),
 * - leaves to the failed attempt's hold messages the connections they carry, and sends those bodies again (the
 *   hold handler finishes each distinct body once), so a held connection is written once even when the retry
 *   comes after its hold window.
 */

/** A connection handed to a hold message, and its record's sequence number (to know when it is behind a commit). */
export interface HeldRef {
  id: string;
  sequence?: string;
}

/** What an attempt writes or sends, recorded before it does. */
export interface AttemptManifest {
  objects: string[];
  held: HeldRef[];
  holdBodies: string[];
}

/** The stored state of a unit. */
export interface UnitRecord {
  /** Stream units: the sequence number up to which every record's outputs are written and alerted. */
  committed?: string;
  /** Hold units: the message is finished. */
  done: boolean;
  /** What attempts that did not commit left behind, or connections carried past a commit. */
  open?: AttemptManifest;
  /** Until when the attempt that opened the unit may still be running, epoch ms (0: none). */
  leaseUntil: number;
  /** When the store may forget the unit, epoch ms. */
  expiresAt: number;
}

/** Storage primitive behind the commit log: one record per unit, optimistic versions. */
export interface CommitStore {
  /** The unit's record and its version, or undefined (version 0) if never saved or expired. */
  load(unit: string): Promise<{ record: UnitRecord; version: number } | undefined>;
  /**
   * Replaces the record if the stored version is still `expected` (0: absent) and returns the new version;
   * otherwise throws {@link ConcurrentAttemptError}.
   */
  save(unit: string, record: UnitRecord, expected: number): Promise<number>;
}

/** Another attempt changed the unit since it was read: the batch must be retried (the next read sees the change). */
export class ConcurrentAttemptError extends Error {
  override readonly name = 'ConcurrentAttemptError';
  constructor(readonly unit: string) {
    super(`commit log: ${unit} changed under this attempt; retry`);
  }
}

/** How long the store remembers a shard's position after its last commit (closed shards fade away). */
export const STREAM_UNIT_TTL_MS = 30 * 24 * 3_600_000;
/**
 * How long a finished hold message is remembered: longer than any way the same body can come back (SQS keeps the
 * hold queue's messages 4 days; a stream retry re-sends bodies within the stream's maximum record age).
 */
export const HOLD_UNIT_TTL_MS = 7 * 24 * 3_600_000;

/** Kinesis sequence numbers compare numerically; as decimal strings: by length, then lexically. */
export function compareSequence(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Union of manifests: objects and bodies deduplicated, held refs by id; order kept (first seen first). */
export function mergeManifests(...manifests: (AttemptManifest | undefined)[]): AttemptManifest {
  const objects = new Set<string>();
  const bodies = new Set<string>();
  const held = new Map<string, HeldRef>();
  for (const manifest of manifests) {
    if (manifest === undefined) continue;
    for (const key of manifest.objects) objects.add(key);
    for (const body of manifest.holdBodies) bodies.add(body);
    for (const ref of manifest.held) if (!held.has(ref.id)) held.set(ref.id, ref);
  }
  return { objects: [...objects], held: [...held.values()], holdBodies: [...bodies] };
}

/** One attempt at a unit: what earlier attempts left, and the two writes that bracket this one's work. */
export class Attempt {
  #version: number;

  constructor(
    private readonly store: CommitStore,
    readonly unit: string,
    readonly previous: UnitRecord | undefined,
    version: number,
    private readonly ttlMs: number,
  ) {
    this.#version = version;
  }

  /** The committed sequence number of a stream unit. */
  get committed(): string | undefined {
    return this.previous?.committed;
  }

  /** A hold unit already finished. */
  get done(): boolean {
    return this.previous?.done === true;
  }

  /** What an attempt that did not commit left behind (objects to clean up, holds it sent). */
  get inherited(): AttemptManifest | undefined {
    return this.previous?.open;
  }

  /** True when `sequence` is at or before the committed position (its outputs are already written). */
  isCommitted(sequence: string | undefined): boolean {
    const committed = this.committed;
    return sequence !== undefined && committed !== undefined && compareSequence(sequence, committed) <= 0;
  }

  /** Records, before any write, what this attempt will write and send (inherited entries included). */
  async open(manifest: AttemptManifest, now: number, leaseUntil: number): Promise<void> {
    await this.#saveOpen(manifest, now, leaseUntil);
  }

  /**
   * After a failure this attempt caught: keeps its manifest (a later attempt inherits it) but ends its lease, so
   * that a retry need not wait for the deadline. Best effort: if this write fails too, the lease simply runs out.
   */
  async release(manifest: AttemptManifest, now: number): Promise<void> {
    await this.#saveOpen(manifest, now, 0);
  }

  /** The unit open with `manifest`, its committed position unchanged. */
  async #saveOpen(manifest: AttemptManifest, now: number, leaseUntil: number): Promise<void> {
    const record: UnitRecord = { done: false, open: manifest, leaseUntil, expiresAt: now + this.ttlMs };
    if (this.committed !== undefined) record.committed = this.committed;
    this.#version = await this.store.save(this.unit, record, this.#version);
  }

  /**
   * After every write: the new committed position (stream) or done (hold), and what must still be carried: held
   * connections of an inherited manifest whose records are beyond the new position.
   */
  async commit(position: { committed?: string; done?: boolean }, carry: HeldRef[], now: number): Promise<void> {
    const record: UnitRecord = { done: position.done === true, leaseUntil: 0, expiresAt: now + this.ttlMs };
    const committed = position.committed ?? this.committed;
    if (committed !== undefined) record.committed = committed;
    if (carry.length > 0) record.open = { objects: [], held: carry, holdBodies: [] };
    this.#version = await this.store.save(this.unit, record, this.#version);
  }
}

/** Starts attempts over a {@link CommitStore}: the semantics live here once, whatever the storage. */
export class CommitLog {
  constructor(private readonly store: CommitStore) {}

  /**
   * Reads the unit. For a hold unit (`exclusive`), an attempt still within its lease may be running right now (SQS
   * delivered the body twice): this one must wait, so it throws {@link ConcurrentAttemptError} and is retried.
   */
  async begin(unit: string, now: number, options: { exclusive: boolean; ttlMs: number }): Promise<Attempt> {
    const loaded = await this.store.load(unit);
    const record = loaded !== undefined && loaded.record.expiresAt > now ? loaded.record : undefined;
    if (options.exclusive && record !== undefined && !record.done && record.leaseUntil > now) {
      throw new ConcurrentAttemptError(unit);
    }
    return new Attempt(this.store, unit, record, loaded?.version ?? 0, options.ttlMs);
  }
}
