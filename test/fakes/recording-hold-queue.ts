import type { HeldConnection, HoldQueue } from '../../src/pipeline/ports.js';

/** A hold queue that records what was held, for tests that deliver the items back by hand. */
export class RecordingHoldQueue implements HoldQueue {
  readonly holds: { items: HeldConnection[]; delayMs: number }[] = [];

  async hold(items: readonly HeldConnection[], delayMs: number): Promise<void> {
    this.holds.push({ items: structuredClone([...items]), delayMs });
  }
}
