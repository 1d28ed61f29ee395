import { type CommitStore, ConcurrentAttemptError, type UnitRecord } from './commit-log.js';

/** In-memory {@link CommitStore} for `hookstream dev`-less use and tests: the same versioning as the DynamoDB one. */
export class MemoryCommitStore implements CommitStore {
  readonly #units = new Map<string, { record: UnitRecord; version: number }>();

  async load(unit: string): Promise<{ record: UnitRecord; version: number } | undefined> {
    const held = this.#units.get(unit);
    return held === undefined ? undefined : structuredClone(held);
  }

  async save(unit: string, record: UnitRecord, expected: number): Promise<number> {
    const version = this.#units.get(unit)?.version ?? 0;
    if (version !== expected) throw new ConcurrentAttemptError(unit);
    this.#units.set(unit, { record: structuredClone(record), version: version + 1 });
    return version + 1;
  }
}
