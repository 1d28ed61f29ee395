import { decodeHeld } from '../../src/pipeline/held-codec.js';
import type { HeldConnection, HoldQueue } from '../../src/pipeline/ports.js';

/** A hold queue that records every body sent, for tests that deliver them back by hand. */
export class RecordingHoldQueue implements HoldQueue {
  readonly sent: { body: string; delayMs: number }[] = [];

  async send(bodies: readonly string[], delayMs: number): Promise<{ refused: { index: number; reason: string }[] }> {
    for (const body of bodies) this.sent.push({ body, delayMs });
    return { refused: [] };
  }

  /** The connections of every body sent, in order (a body sent twice counts twice). */
  get items(): HeldConnection[] {
    return this.sent.flatMap(({ body }) => {
      const decoded = decodeHeld(body);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.items;
    });
  }
}
