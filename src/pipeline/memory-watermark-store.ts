import { isAhead, padSequenceNumber, type WatermarkPosition, type WatermarkStore } from './watermark.js';

/** In-memory {@link WatermarkStore} for the CLI and tests: the same never-backwards rule as the DynamoDB one. */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly #byConsumer = new Map<string, Map<string, WatermarkPosition>>();

  async advance(consumer: string, shardId: string, arrivalMs: number, sequenceNumber?: string): Promise<void> {
    if (sequenceNumber !== undefined) padSequenceNumber(sequenceNumber); // same validation as the DynamoDB store
    let shards = this.#byConsumer.get(consumer);
    if (!shards) {
      shards = new Map();
      this.#byConsumer.set(consumer, shards);
    }
    const next: WatermarkPosition = sequenceNumber === undefined ? { arrivalMs } : { arrivalMs, sequenceNumber };
    const held = shards.get(shardId);
    if (held === undefined || isAhead(next, held)) shards.set(shardId, next);
  }

  async read(consumer: string): Promise<Map<string, number>> {
    const positions = await this.readPositions(consumer);
    return new Map([...positions].map(([shard, p]) => [shard, p.arrivalMs]));
  }

  async readPositions(consumer: string): Promise<Map<string, WatermarkPosition>> {
    return new Map([...(this.#byConsumer.get(consumer) ?? [])].map(([shard, p]) => [shard, { ...p }]));
  }
}
