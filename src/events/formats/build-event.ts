/**
 * The checks and defaults every format shares: header fields, event time, and the result union.
 */

import { type CanonicalEvent, DNS_CLIENT_CHANNEL, type ShipperFormat, SYSMON_CHANNEL } from '../canonical-event.js';
import { parseSysmonUtcTime, parseTime } from '../event-time.js';
import { DNS_CLIENT_PROVIDER, isSysmon, SYSMON_PROVIDER } from '../schemas.js';
import { readInteger, readName } from '../values.js';

/** Untrusted input is normalised into this: the event, or the reason it was rejected. */
export type Normalised = { ok: true; value: CanonicalEvent } | { ok: false; error: string };

/** The header fields of one document as the shipper wrote them (any type; checked here). */
export interface RawHeader {
  host: unknown;
  channel: unknown;
  provider: unknown;
  eventId: unknown;
  /** System or shipper times, most trusted first. Used unless a Sysmon `UtcTime` is valid. */
  times: readonly unknown[];
  recordId?: unknown;
  processId?: unknown;
}

/** What a format's EventData reader gets to name positional values. */
export interface HeaderContext {
  provider: string;
  channel: string;
  eventId: number;
}

/** Fills `data`; returns a rejection reason, or undefined on success. */
export type DataReader = (context: HeaderContext, data: Record<string, string>) => string | undefined;

/** Channel spellings seen in the wild (NXLog writes `security`) folded to the names Sigma routes on. */
const CHANNELS: ReadonlyMap<string, string> = new Map(
  [
    'Security',
    'System',
    'Application',
    'Setup',
    'Windows PowerShell',
    'Microsoft-Windows-PowerShell/Operational',
    SYSMON_CHANNEL,
    DNS_CLIENT_CHANNEL,
  ].map((name) => [name.toLowerCase(), name]),
);

function canonicalChannel(channel: string): string {
  return CHANNELS.get(channel.toLowerCase()) ?? channel;
}

function defaultProvider(channel: string): string {
  if (channel === SYSMON_CHANNEL) return SYSMON_PROVIDER;
  if (channel === DNS_CLIENT_CHANNEL) return DNS_CLIENT_PROVIDER;
  return '';
}

/**
 * Check a document's header, read its EventData, pick its time, and assemble the canonical event.
 * Required: host, channel, an integer event ID 0..65535, and a valid time. Provider defaults from the channel.
 */
export function buildEvent(format: ShipperFormat, header: RawHeader, readData: DataReader): Normalised {
  if (header.eventId === undefined || header.eventId === null) return { ok: false, error: 'EventID missing' };
  const id = readInteger(header.eventId);
  if (!id.ok || id.value === undefined) return { ok: false, error: 'EventID is not an integer' };
  if (id.value > 65535) return { ok: false, error: 'EventID out of range' };
  const host = readName(header.host);
  if (host === undefined) return { ok: false, error: 'host missing' };
  const rawChannel = readName(header.channel);
  if (rawChannel === undefined) return { ok: false, error: 'channel missing' };
  const channel = canonicalChannel(rawChannel);
  const provider = readName(header.provider) ?? defaultProvider(channel);
  const recordId = readInteger(header.recordId);
  if (!recordId.ok) return { ok: false, error: 'record ID is not an integer' };
  const processId = readInteger(header.processId);
  if (!processId.ok) return { ok: false, error: 'process ID is not an integer' };

  const eventId = id.value;
  const data: Record<string, string> = {};
  const dataError = readData({ provider, channel, eventId }, data);
  if (dataError !== undefined) return { ok: false, error: dataError };

  let time: number | undefined;
  if (isSysmon(provider, channel)) {
    const utc = data.UtcTime;
    if (utc !== undefined) time = parseSysmonUtcTime(utc);
  }
  for (let i = 0; time === undefined && i < header.times.length; i++) time = parseTime(header.times[i]);
  if (time === undefined) return { ok: false, error: 'time missing or invalid' };

  const event: CanonicalEvent = { host, channel, provider, eventId, time, format, data };
  if (recordId.value !== undefined) event.recordId = recordId.value;
  if (processId.value !== undefined) event.processId = processId.value;
  return { ok: true, value: event };
}
