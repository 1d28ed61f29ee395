/**
 * Deliveries owed for later: a batch (Kinesis) or a message (SQS) that already succeeded, delivered again at a set
 * wall-clock time, as the at-least-once services may. A delivery that fails is owed again, like its original
 * would be, from the time its run says (after the failed invocation's deadline).
 */

/** What one run of a redelivery did: done, or failed and owed again from `retryAt` (epoch ms). */
export type RedeliveryResult = { done: true } | { done: false; retryAt: number };

export interface Redelivery {
  /** Wall-clock time (epoch ms) from which it may run. */
  dueAt: number;
  /** What it is, for reports. */
  kind: string;
  run: () => Promise<RedeliveryResult>;
  /** Failed runs so far. */
  failures: number;
}

export class Redeliveries {
  readonly #queue: Redelivery[] = [];
  delivered = 0;
  /** Redeliveries that kept failing and were given up (their original had succeeded). */
  abandoned = 0;

  constructor(private readonly maxFailures: number) {}

  add(kind: string, dueAt: number, run: () => Promise<RedeliveryResult>): void {
    this.#queue.push({ kind, dueAt, run, failures: 0 });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Runs every delivery due by now (in due order); returns how many ran. */
  async runDue(now = Date.now()): Promise<number> {
    const due = this.#queue.filter((item) => item.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const item of due) {
      this.#queue.splice(this.#queue.indexOf(item), 1);
      const result = await item.run();
      if (result.done) {
        this.delivered++;
        continue;
      }
      item.failures++;
      if (item.failures > this.maxFailures) this.abandoned++;
      else this.#queue.push({ ...item, dueAt: result.retryAt });
    }
    return due.length;
  }
}
