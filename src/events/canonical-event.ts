/**
 * The one event shape every shipper format is normalised into. Everything after decoding
 * (hooks, detection, sinks) reads and writes only this.
 */

/** The shipper formats the normaliser recognises, by content. */
export type ShipperFormat =
  | 'evtx-json' // WHIDS / golang-evtx / evtx_dump `{"Event": {"System", "EventData"}}` and its variants
  | 'nxlog' // flat NXLog JSON (EventID, Channel, Hostname, SourceName, EventData fields at top level)
  | 'winlogbeat' // Winlogbeat / ECS (`winlog.*`)
  | 'elastic-agent' // Elastic Agent (`winlog.*` in a data stream, agent.type filebeat)
  | 'kinesis-agent' // Amazon Kinesis Agent for Windows JSON (EventId, MachineName, LogName, ...)
  | 'fluent-bit' // Fluent Bit in_winevtlog JSON
  | 'xml'; // a rendered XML `<Event>` (Kinesis Agent for Windows XML formats, raw XML shippers)

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
