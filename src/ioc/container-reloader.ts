/**
 * Keeps a {@link ContainerSet} in step with a store of container files (an S3 prefix in AWS): at most once per
 * interval it lists the files, and only when a file was added, removed or changed (its ETag) does it read the
 * changed ones and replace the set's contents. The rules compiled over the set then match the new values with no
 * recompile and no redeploy. A store failure is thrown (the batch is retried); the set keeps its last contents.
 */
import type { ContainerSet } from './container-set.js';
import { containerName, parseContainerText } from './parse-container.js';

/** One container file in the store. */
export interface ContainerObject {
  /** Full key; the container's name is its file name without extension. */
  key: string;
  /** Changes whenever the content does (S3 ETag). */
  etag: string;
}

/** The port an adapter implements (lambda/adapters/s3-container-source.ts; a memory fake in tests). */
export interface ContainerStore {
  list(): Promise<ContainerObject[]>;
  read(key: string): Promise<string>;
}

export interface ReloadOutcome {
  /** true when the store was listed (the interval had passed). */
  checked: boolean;
  /** true when the set's contents were replaced. */
  reloaded: boolean;
  /** Containers now loaded. */
  containers: number;
}

export interface ContainerReloaderOptions {
  /** Least time between two listings, ms. Default 60,000. */
  intervalMs?: number;
  /** The clock, epoch ms (injected so tests need no timers). */
  now: () => number;
}

/** Two files that give the same container name: the store is ambiguous, and which wins would be arbitrary. */
export class DuplicateContainerError extends Error {
  constructor(name: string, keys: readonly string[]) {
    super(`IOC container ${name} is defined by several files: ${keys.join(', ')}`);
    this.name = 'DuplicateContainerError';
  }
}

export class ContainerReloader {
  private readonly intervalMs: number;
  private lastCheck: number | undefined;
  /** key -> etag and text of what is loaded. */
  private loaded = new Map<string, { etag: string; values: string[] }>();

  constructor(
    private readonly store: ContainerStore,
    private readonly set: ContainerSet,
    private readonly options: ContainerReloaderOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
  }

  /** Lists the store if the interval has passed, and reloads what changed. */
  async refresh(): Promise<ReloadOutcome> {
    const now = this.options.now();
    if (this.lastCheck !== undefined && now - this.lastCheck < this.intervalMs) {
      return { checked: false, reloaded: false, containers: this.set.names().length };
    }
    const objects = await this.store.list();
    const byName = new Map<string, string[]>();
    for (const o of objects) byName.set(containerName(o.key), [...(byName.get(containerName(o.key)) ?? []), o.key]);
    for (const [name, keys] of byName) if (keys.length > 1) throw new DuplicateContainerError(name, keys);
    const unchanged =
      this.lastCheck !== undefined &&
      objects.length === this.loaded.size &&
      objects.every((o) => this.loaded.get(o.key)?.etag === o.etag);
    if (unchanged) {
      this.lastCheck = now;
      return { checked: true, reloaded: false, containers: this.set.names().length };
    }
    const next = new Map<string, { etag: string; values: string[] }>();
    for (const o of objects) {
      const known = this.loaded.get(o.key);
      next.set(
        o.key,
        known?.etag === o.etag ? known : { etag: o.etag, values: parseContainerText(await this.store.read(o.key)) },
      );
    }
    this.set.replaceAll([...next].map(([key, { values }]) => ({ name: containerName(key), values })));
    this.loaded = next;
    this.lastCheck = now;
    return { checked: true, reloaded: true, containers: next.size };
  }
}
