/** In-memory {@link CorrelationStore}: replay's state (one process, event time), and the reference for contract tests. */
import type { CorrelationStore, StoredGroup } from './correlation-store.js';
import type { GroupState } from './group-state.js';

export class MemoryCorrelationStore implements CorrelationStore {
  private readonly groups = new Map<string, { json: string; version: number; expiresAt: number }>();

  /** `now` is the wall clock used to forget expired groups (default: never forget). */
  constructor(private readonly now: () => number = () => Number.NEGATIVE_INFINITY) {}

  async load(keys: readonly string[]): Promise<Map<string, StoredGroup>> {
    const out = new Map<string, StoredGroup>();
    for (const key of keys) {
      const g = this.live(key);
      // A copy: the caller mutates what it loads, and must not change the store unless it saves.
      if (g) out.set(key, { state: JSON.parse(g.json) as GroupState, version: g.version });
    }
    return out;
  }

  async save(key: string, state: GroupState, expected: number, expiresAt: number): Promise<boolean> {
    const current = this.live(key)?.version ?? 0;
    if (current !== expected) return false;
    this.groups.set(key, { json: JSON.stringify(state), version: current + 1, expiresAt });
    return true;
  }

  /** Number of groups held (tests, summaries). */
  get size(): number {
    return this.groups.size;
  }

  private live(key: string) {
    const g = this.groups.get(key);
    if (g === undefined) return undefined;
    if (g.expiresAt <= this.now()) {
      this.groups.delete(key);
      return undefined;
    }
    return g;
  }
}
