import type {
  AlertNotification,
  AlertPublisher,
  PublishOptions,
  RefusedNotification,
} from '../../src/pipeline/ports.js';

/** In-memory AlertPublisher: records every published notification, one entry per publish call. */
export class RecordingAlertPublisher implements AlertPublisher {
  readonly calls: AlertNotification[][] = [];
  /** Set to make publish throw (e.g. a RetryableDependencyError), to test the caller's error path. */
  failWith: Error | undefined;
  /** Notifications whose subject contains this are refused for good, as SNS refuses a sender fault. */
  refuseSubjectsWith: string | undefined;

  get published(): AlertNotification[] {
    return this.calls.flat();
  }

  async publish(
    notifications: readonly AlertNotification[],
    options: PublishOptions = {},
  ): Promise<{ refused: RefusedNotification[] }> {
    if (this.failWith) throw this.failWith;
    const marker = this.refuseSubjectsWith;
    const refused = notifications.filter((n) => marker !== undefined && n.subject.includes(marker));
    const published = notifications.filter((n) => !refused.includes(n));
    this.calls.push(published);
    if (published.length > 0) await options.onPublished?.(published);
    return { refused: refused.map((notification) => ({ notification, reason: 'InvalidParameter test refusal' })) };
  }
}
