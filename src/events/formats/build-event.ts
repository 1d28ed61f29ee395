/**
 * The checks and defaults every format shares: header fields, event time, and the result union.
 */

import { LIMITS } from '../../limits.js';
import { type CanonicalEvent, DNS_CLIENT_CHANNEL, type ShipperFormat, SYSMON_CHANNEL } from '../canonical-event.js';
import { parseSysmonUtcTime, parseTime } from '../event-time.js';
import { DNS_CLIENT_PROVIDER, isSysmon, SYSMON_PROVIDER } from '../schemas.js';
import { readInteger, readName, utf8ByteLength, wellFormed } from '../values.js';

/**
 * Untrusted input is normalised into this: the event, or the reason it was rejected. `truncatedFields` (present
 * only when not zero) counts the EventData values cut to {@link LIMITS.fieldChars}; `unnamedFields` (likewise)
 * the positional values no known schema named (kept as `DataN`).
 */
export type Normalised =
  | { ok: true; value: CanonicalEvent; truncatedFields?: number; unnamedFields?: number }
  | { ok: false; error: string };

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
  /** The event's template version, where the shipper sends it (names positional EventData). */
  version?: unknown;
}

/** What a format's EventData reader gets to name positional values. */
export interface HeaderContext {
  provider: string;
  channel: string;
  eventId: number;
  /** The event's version when the shipper sent a valid one. */
  version?: number;
  /** Positional values no schema named (the reader adds to it). */
  unnamed: number;
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

/** `-1`, `"-1"` or `{"#text": "-1"}`: what readInteger refuses as negative, not as no integer at all. */
function isNegativeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value < 0;
  if (typeof value === 'string') return /^\s*-\d{1,15}\s*$/.test(value);
  if (typeof value === 'object' && value !== null && '#text' in value) {
    return isNegativeInteger((value as { '#text': unknown })['#text']);
  }
  return false;
}

/**
 * Check a document's header, read its EventData, pick its time, and assemble the canonical event.
 * Required: host, channel, an integer event ID 0..65535, and a valid time. Provider defaults from the channel.
 */
export function buildEvent(format: ShipperFormat, header: RawHeader, readData: DataReader): Normalised {
  if (header.eventId === undefined || header.eventId === null) return { ok: false, error: 'EventID missing' };
  const id = readInteger(header.eventId);
  if (!id.ok || id.value === undefined) {
    // A negative whole number is an integer, only out of the range Windows uses (0..65535).
    return {
      ok: false,
      error: isNegativeInteger(header.eventId) ? 'EventID out of range' : 'EventID is not an integer',
    };
  }
  if (id.value > 65535) return { ok: false, error: 'EventID out of range' };
  const host = readName(header.host);
  if (host === undefined) return { ok: false, error: 'host missing' };
  if (utf8ByteLength(host) > LIMITS.hostBytes) return { ok: false, error: 'host name too long' };
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
  const context: HeaderContext = { provider, channel, eventId, unnamed: 0 };
  const version = readInteger(header.version);
  if (version.ok && version.value !== undefined) context.version = version.value;
  const dataError = readData(context, data);
  if (dataError !== undefined) return { ok: false, error: dataError };
  const truncatedFields = limitEventData(data);
  if (truncatedFields === undefined) return { ok: false, error: 'event too large' };

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
  const result: Normalised = { ok: true, value: event };
  if (truncatedFields > 0) result.truncatedFields = truncatedFields;
  if (context.unnamed > 0) result.unnamedFields = context.unnamed;
  return result;
}

/**
 * Applies the EventData limits in place: a value longer than {@link LIMITS.fieldChars} is cut to it (an event
 * with one huge command line is still worth detecting on). Returns how many values were cut, or undefined when
 * the event has more than {@link LIMITS.fieldsPerEvent} fields or more than {@link LIMITS.eventDataChars} in all
 * after the cut: such an event would not fit the items and messages downstream, so it is rejected. Names and values
 * are made well-formed first (a lone surrogate becomes U+FFFD: {@link wellFormed}).
 */
export function limitEventData(data: Record<string, string>): number | undefined {
  let fields = 0;
  let chars = 0;
  let truncated = 0;
  let illFormedNames: string[] | undefined;
  for (const name in data) {
    if (++fields > LIMITS.fieldsPerEvent) return undefined;
    if (wellFormed(name) !== name) {
      illFormedNames ??= [];
      illFormedNames.push(name);
    }
    let value = wellFormed(data[name] as string);
    if (value !== data[name]) data[name] = value;
    if (value.length > LIMITS.fieldChars) {
      value = cutText(value, LIMITS.fieldChars);
      data[name] = value;
      truncated++;
    }
    chars += value.length;
    if (chars > LIMITS.eventDataChars) return undefined;
  }
  if (illFormedNames !== undefined) renameWellFormed(data, illFormedNames);
  return truncated;
}

/** Each of `names` (holding a lone surrogate) moved to its well-formed name, or that name `_2`, `_3`... when taken. */
function renameWellFormed(data: Record<string, string>, names: readonly string[]): void {
  for (const name of names) {
    const base = wellFormed(name);
    let key = base;
    for (let n = 2; key in data; n++) key = `${base}_${n}`;
    data[key] = data[name] as string;
    delete data[name];
  }
}

/** The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair (a lone surrogate is invalid in JSON for SQS and in UTF-8). */
function cutText(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
