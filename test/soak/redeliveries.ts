/**
 * Deliveries owed for later: a batch (Kinesis) or a message (SQS) that already succeeded, delivered again at a set
 * wall-clock time, as the at-least-once services may. A delivery that fails is retried like its original would be.
 */

export interface Redelivery {
  /** Wall-clock time (epoch ms) from which it may run. */
  dueAt: number;
  /** What it is, for reports. */
  kind: string;
  /** Delivers it; false: it failed and should come again later. */
  run: () => Promise<boolean>;
  /** Failed runs so far. */
  failures: number;
}

export class Redeliveries {
  readonly #queue: Redelivery[] = [];
  delivered = 0;
  /** Redeliveries that kept failing and were given up (the original had succeeded, so nothing is lost). */
  abandoned = 0;

  constructor(
    private readonly random: () => number,
    private readonly maxFailures: number,
  ) {}

  add(kind: string, dueAt: number, run: () => Promise<boolean>): void {
    this.#queue.push({ kind, dueAt, run, failures: 0 });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** When the earliest one is due, or undefined when none is owed. */
  get nextDue(): number | undefined {
    let next: number | undefined;
    for (const item of this.#queue) if (next === undefined || item.dueAt < next) next = item.dueAt;
    return next;
  }

  /** Runs every delivery due by now (in due order); a failed one comes back after a short while. */
  async runDue(now = Date.now()): Promise<number> {
    const due = this.#queue.filter((item) => item.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const item of due) {
      this.#queue.splice(this.#queue.indexOf(item), 1);
      if (await item.run()) {
        this.delivered++;
        continue;
      }
      item.failures++;
      if (item.failures > this.maxFailures) {
        this.abandoned++;
        continue;
      }
      // Not at once: a lease the failed delivery ran into (an attempt that timed out) needs a moment to expire.
      this.#queue.push({ ...item, dueAt: Date.now() + 200 + Math.floor(this.random() * 1_300) });
    }
    return due.length;
  }
}
