import { createHash } from 'node:crypto';
import type { RuleFormat, RuleInfo } from '../detection/types.js';
import type { CanonicalEvent } from '../events/canonical-event.js';
import { LIMITS } from '../limits.js';
import { type OutputRecord, toOutputRecord } from './output-record.js';
import type { AlertNotification } from './ports.js';
import { serviceSafeText, toServiceSafeJson, utf8Length } from './service-text.js';

/** One line of the alerts table: the rule, where and when, and the matched (enriched) event. */
export interface AlertRecord {
  time: string;
  host: string;
  rule_id: string;
  rule_title: string;
  level: string;
  tags: string[];
  rule_file: string;
  /** The rule's language: `sigma`, or `gene` for Gene rules (.gen files). */
  format: RuleFormat;
  channel: string;
  event_id: number;
  dedupe_key: string;
  /** The event that raised the alert (for a correlation rule: the one whose arrival met its condition). */
  event: OutputRecord;
  /** Correlation rules only: what was counted, over which window, for which group. */
  correlation?: {
    type: string;
    /** group-by name -> value. */
    group: Record<string, string>;
    /** Event time of the first and last counted event, ISO 8601. */
    window_start: string;
    window_end: string;
    /** The aggregated value that met the condition (events, distinct values, rules seen, sum or average). */
    value: number;
    /** How many events (or inner correlation alerts) were counted, and the ids of the first of them. */
    event_count: number;
    event_ids: string[];
  };
}

/** What a correlation alert adds to a detection (see src/detection/correlation). */
export interface CorrelationDetail {
  /** Stable across retries: trigger event, correlation, group and window start. */
  occurrenceId: string;
  type: string;
  group: Record<string, string>;
  /** Window of the counted events, event time epoch ms. */
  start: number;
  end: number;
  value: number;
  /** Ids of the counted events (SourcedEvent.id; an inner correlation's occurrence id), the first few. */
  eventIds: string[];
  eventCount: number;
}

/** A rule that matched an event, with where the event came from (for idempotent ids). */
export interface Detection {
  event: CanonicalEvent;
  rule: RuleInfo;
  /** Stable position of the source record: `shard/sequence` in Lambda, `file` in replay. */
  origin: string;
  /** The event's stable id (`<origin>#<n>`, SourcedEvent.id). */
  id: string;
  /** Set when the rule is a correlation rule; `event` is then its trigger. */
  correlation?: CorrelationDetail;
}

/** Fields of the event that stand for "destination" in the default dedupe key. */
function destinationOf(event: CanonicalEvent): string {
  const data = event.data;
  return data.DestinationHostname || data.DestinationIp || data.QueryName || data.TargetFilename || '';
}

/**
 * The key under which repeated alerts collapse: the rule id plus the named fields of the event. `host` and
 * `destination` are understood specially; any other name is read from the EventData.
 */
export function dedupeKeyOf(detection: Detection, fields: readonly string[]): string {
  const parts = [detection.rule.id];
  // A correlation alert is about its group (the fields it was counted by), not about the event that closed it.
  if (detection.correlation !== undefined) parts.push(...Object.values(detection.correlation.group));
  else
    for (const field of fields) {
      if (field === 'host') parts.push(detection.event.host.toLowerCase());
      else if (field === 'destination') parts.push(destinationOf(detection.event).toLowerCase());
      else parts.push(detection.event.data[field] ?? '');
    }
  const key = parts.join('|');
  // The key is a DynamoDB partition key (at most 2,048 bytes): a long one is replaced by its hash, same meaning.
  if (utf8Length(key) <= LIMITS.dedupeKeyBytes) return key;
  return `${detection.rule.id}|sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** The alerts-table row of a detection. */
export function toAlertRecord(detection: Detection, dedupeFields: readonly string[]): AlertRecord {
  const { event, rule, correlation } = detection;
  const record: AlertRecord = {
    time: new Date(correlation?.end ?? event.time).toISOString(),
    host: event.host,
    rule_id: rule.id,
    rule_title: rule.title,
    level: rule.level,
    tags: rule.tags,
    rule_file: rule.file,
    format: rule.format ?? 'sigma',
    channel: event.channel,
    event_id: event.eventId,
    dedupe_key: dedupeKeyOf(detection, dedupeFields),
    event: toOutputRecord(event),
  };
  if (correlation !== undefined) {
    record.correlation = {
      type: correlation.type,
      group: correlation.group,
      window_start: new Date(correlation.start).toISOString(),
      window_end: new Date(correlation.end).toISOString(),
      value: correlation.value,
      event_count: correlation.eventCount,
      event_ids: correlation.eventIds,
    };
  }
  return record;
}

function basename(path: string): string {
  const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

/** The process a detection is about, by its image file name, when the event names one. */
function processOf(event: CanonicalEvent): string | undefined {
  const image = event.data.Image || event.data.SourceImage || event.data.NewProcessName;
  return image ? basename(image) : undefined;
}

/** What a person reads first: `[high] <rule title> by powershell.exe on WORKSTATION5`. */
export function alertSubject(detection: Detection): string {
  const group = detection.correlation?.group;
  if (group !== undefined) {
    // `[high] Beaconing (Computer=ws1, Image=x.exe) on WS1`: the group is what the correlation is about.
    const values = Object.entries(group).map(([k, v]) => `${k}=${basename(v)}`);
    const by = values.length > 0 ? ` (${values.join(', ')})` : '';
    return `[${detection.rule.level}] ${detection.rule.title}${by} on ${detection.event.host}`;
  }
  const process = processOf(detection.event);
  const by = process ? ` by ${process}` : '';
  return `[${detection.rule.level}] ${detection.rule.title}${by} on ${detection.event.host}`;
}

/** The notification body: what, where, when, the rule, the enriched connection, then the alert as JSON. */
export function alertMessage(record: AlertRecord, rule: RuleInfo): string {
  const event = record.event;
  const lines = [
    `${rule.title} (${rule.level})`,
    '',
    `Host:     ${record.host}`,
    `Time:     ${record.time}`,
    `Event:    ${record.channel} ${record.event_id}`,
  ];
  const c = record.correlation;
  if (c !== undefined) {
    const group = Object.entries(c.group).map(([k, v]) => `${k}=${v}`);
    lines.push(
      `Correlation: ${c.type} = ${c.value} over ${c.event_count} events, ${c.window_start} to ${c.window_end}`,
      `Group:    ${group.join(', ') || '(all events)'}`,
      `Events:   ${c.event_ids.join(', ')}${c.event_count > c.event_ids.length ? ', ...' : ''}`,
      'The event that met the condition:',
    );
  }
  if (event.Image) lines.push(`Process:  ${event.Image}${event.ProcessId ? ` (PID ${event.ProcessId})` : ''}`);
  if (event.CommandLine) lines.push(`Command:  ${event.CommandLine}`);
  if (event.DestinationIp) {
    const name = event.DestinationHostname && event.DestinationHostname !== '-' ? `${event.DestinationHostname} ` : '';
    lines.push(`Connects: ${name}(${event.DestinationIp}:${event.DestinationPort ?? ''})`);
    if (event.DestinationHostnameSource) {
      lines.push(
        `Name from: ${event.DestinationHostnameSource}; Sysmon said: ${event.DestinationHostnameOriginal || '(empty)'}`,
      );
    }
    if (event.DestinationHostnameCnames) lines.push(`CNAMEs:   ${event.DestinationHostnameCnames}`);
  }
  if (event.QueryName) lines.push(`Query:    ${event.QueryName} -> ${event.QueryResults ?? ''}`);
  lines.push('', `Rule:     ${rule.id} (${rule.file})`);
  if (rule.description) lines.push(`          ${rule.description.trim()}`);
  if (rule.tags.length > 0) lines.push(`Tags:     ${rule.tags.join(', ')}`);
  const text = lines.map((line) =>
    serviceSafeText(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}...` : line),
  );
  const head = `${text.join('\n')}\n\n`;
  const json = toServiceSafeJson(record);
  if (utf8Length(head) + utf8Length(json) <= LIMITS.notificationBytes) return head + json;
  // The whole alert is in alerts/ (S3); a notification over the SNS limit would be refused.
  return `${head}(alert JSON over ${LIMITS.notificationBytes} bytes left out: see the alerts table)`;
}

/** Characters of one human-readable line of a notification; the full values are in the alert JSON and alerts/. */
const MAX_LINE_CHARS = 2_000;

/** The notification for one detection; `occurrenceId` is stable across retries of the same input. */
export function toNotification(detection: Detection, record: AlertRecord): AlertNotification {
  return {
    occurrenceId: detection.correlation?.occurrenceId ?? `${detection.id}|${detection.rule.id}`,
    dedupeKey: record.dedupe_key,
    level: detection.rule.level,
    ruleId: detection.rule.id,
    ruleTitle: detection.rule.title,
    host: detection.event.host,
    time: detection.correlation?.end ?? detection.event.time,
    subject: alertSubject(detection),
    message: alertMessage(record, detection.rule),
  };
}
