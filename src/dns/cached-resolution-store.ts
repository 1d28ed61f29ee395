import { type DnsAnswer, type HostIp, type Resolution, type ResolutionStore, resolutionKey } from './resolution.js';

export interface CachedResolutionStoreOptions {
  /** How long a read is reused, wall clock ms. Default 60 000. */
  ttlMs?: number;
  /** Keys kept; the least recently written goes first. Default 50 000. */
  maxKeys?: number;
  /** Wall clock, injected for tests. */
  now?: () => number;
}

/**
 * An in-container cache in front of the remote store: hits are reused for a short while; misses are never cached,
 * because the answer a connection waits for can land in the table at any moment. Writes go straight through.
 */
export class CachedResolutionStore implements ResolutionStore {
  private readonly cache = new Map<string, { at: number; entries: readonly Resolution[] }>();
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: ResolutionStore,
    options: CachedResolutionStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  put(answers: readonly DnsAnswer[]): Promise<void> {
    return this.inner.put(answers);
  }

  async get(keys: readonly HostIp[]): Promise<ReadonlyMap<string, readonly Resolution[]>> {
    const now = this.now();
    const found = new Map<string, readonly Resolution[]>();
    const missing: HostIp[] = [];
    for (const key of keys) {
      const id = resolutionKey(key.host, key.ip);
      const hit = this.cache.get(id);
      if (hit !== undefined && now - hit.at < this.ttlMs) found.set(id, hit.entries);
      else missing.push(key);
    }
    if (missing.length === 0) return found;
    const fetched = await this.inner.get(missing);
    for (const [id, entries] of fetched) {
      found.set(id, entries);
      this.cache.delete(id);
      this.cache.set(id, { at: now, entries });
      if (this.cache.size > this.maxKeys) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
    }
    return found;
  }
}
