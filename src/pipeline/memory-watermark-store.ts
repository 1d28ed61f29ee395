import type { WatermarkStore } from './watermark.js';

/** In-memory {@link WatermarkStore} for the CLI and tests: the same never-backwards rule as the DynamoDB one. */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly #byConsumer = new Map<string, Map<string, number>>();

  async advance(consumer: string, shardId: string, arrivalMs: number): Promise<void> {
    let shards = this.#byConsumer.get(consumer);
    if (!shards) {
      shards = new Map();
      this.#byConsumer.set(consumer, shards);
    }
    const held = shards.get(shardId);
    if (held === undefined || arrivalMs > held) shards.set(shardId, arrivalMs);
  }

  async read(consumer: string): Promise<Map<string, number>> {
    return new Map(this.#byConsumer.get(consumer) ?? []);
  }
}
