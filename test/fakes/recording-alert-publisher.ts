import type { AlertNotification, AlertPublisher } from '../../src/pipeline/ports.js';

/** In-memory AlertPublisher: records every published notification, one entry per publish call. */
export class RecordingAlertPublisher implements AlertPublisher {
  readonly calls: AlertNotification[][] = [];
  /** Set to make publish throw (e.g. a RetryableDependencyError), to test the caller's error path. */
  failWith: Error | undefined;

  get published(): AlertNotification[] {
    return this.calls.flat();
  }

  async publish(notifications: readonly AlertNotification[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.calls.push([...notifications]);
  }
}
