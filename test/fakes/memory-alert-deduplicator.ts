import type { AlertDeduplicator, AlertNotification, DedupeDecision } from '../../src/pipeline/ports.js';

interface Window {
  start: number;
  owner: string;
  sent: boolean;
  counted: Set<string>;
}

/**
 * In-memory AlertDeduplicator with the DynamoDB adapter's semantics: per dedupe key, the first occurrence of an
 * expired or absent window owns a new one and notifies; the owner notifies again until marked sent; every other
 * occurrence is suppressed and counted once.
 */
export class MemoryAlertDeduplicator implements AlertDeduplicator {
  readonly windows = new Map<string, Window>();

  constructor(readonly windowMs = 60 * 60 * 1000) {}

  async claim(notifications: readonly AlertNotification[], now: number): Promise<DedupeDecision[]> {
    const notifiedKeys = new Set<string>();
    return notifications.map((n) => {
      let window = this.windows.get(n.dedupeKey);
      if (window === undefined || window.start + this.windowMs <= now) {
        window = { start: now, owner: n.occurrenceId, sent: false, counted: new Set() };
        this.windows.set(n.dedupeKey, window);
      }
      if (window.owner === n.occurrenceId) {
        if (window.sent || notifiedKeys.has(n.dedupeKey)) return 'suppress';
        notifiedKeys.add(n.dedupeKey);
        return 'notify';
      }
      window.counted.add(n.occurrenceId);
      return 'suppress';
    });
  }

  async markSent(notifications: readonly AlertNotification[]): Promise<void> {
    for (const n of notifications) {
      const window = this.windows.get(n.dedupeKey);
      if (window?.owner === n.occurrenceId) window.sent = true;
    }
  }

  /** Suppressed occurrences counted in the key's current window. */
  count(dedupeKey: string): number {
    return this.windows.get(dedupeKey)?.counted.size ?? 0;
  }
}
