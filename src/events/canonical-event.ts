/**
 * The one event shape every shipper format is normalised into. Everything after decoding
 * (hooks, detection, sinks) reads and writes only this.
 */

import type { FormatName } from './formats/index.js';

/**
 * The shipper formats the normaliser recognises, by content: the names in the format registry
 * (src/events/formats/index.ts), one module each.
 */
export type ShipperFormat = FormatName;

export interface CanonicalEvent {
  /** Computer name as logged. Compare with {@link hostKey}, never directly. */
  host: string;
  /** Event log channel, e.g. `Microsoft-Windows-Sysmon/Operational`. */
  channel: string;
  /** Provider name, e.g. `Microsoft-Windows-Sysmon`. */
  provider: string;
  eventId: number;
  /** Event time, epoch milliseconds UTC. For Sysmon events this is `UtcTime`. */
  time: number;
  /** EventRecordID when the shipper kept it. */
  recordId?: number;
  /** System/Execution ProcessID when known (DNS-Client 3008 names its querying process only this way). */
  processId?: number;
  /** The shipper format the event was recognised as. */
  format: ShipperFormat;
  /** EventData fields by their Windows names, values as the strings Windows renders. */
  data: Record<string, string>;
}

/** Host names are compared case-insensitively: this is the comparison key. */
export function hostKey(host: string): string {
  return host.trim().toLowerCase();
}

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
export const DNS_CLIENT_CHANNEL = 'Microsoft-Windows-DNS-Client/Operational';
