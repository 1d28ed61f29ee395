/**
 * Builds the Slack Block Kit message of one alert notification. Pure and total: any input gives a postable
 * message (a notification that does not carry the alert JSON is posted as its subject and text).
 *
 * Input is what SNS delivers: the Subject, the Message (a human-readable body whose LAST line is the alert record
 * as JSON, see src/pipeline/alert-record.ts `alertMessage`) and the message attributes (`level`, `rule_id`, `host`).
 */

/** The SNS notification fields the formatter reads. */
export interface AlertNotificationText {
  subject?: string;
  message: string;
  /** Message attribute name -> string value. */
  attributes?: Readonly<Record<string, string>>;
}

/** A Block Kit text object. */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

/** The JSON body posted to an incoming webhook. */
export interface SlackMessage {
  /** Notification fallback (push notifications, screen readers). */
  text: string;
  blocks: SlackBlock[];
}

/** The alert record fields the message shows (a subset of AlertRecord, read defensively). */
export interface AlertSummary {
  time?: string;
  host?: string;
  ruleId?: string;
  ruleTitle?: string;
  level?: string;
  tags: string[];
  ruleFile?: string;
  channel?: string;
  eventId?: number | string;
  dedupeKey?: string;
  event: Record<string, string>;
}

// Block Kit limits: header text 150 chars, section text 3000, a field 2000, at most 10 fields per section.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FALLBACK_MAX = 3000;

const LEVEL_MARKS: Readonly<Record<string, string>> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  informational: ':white_circle:',
};

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > as control characters; everything else is shown as is. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text shown verbatim in a code span: escaped, and backticks replaced so the span cannot be closed early. */
function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Reads the alert record from the last line of the message, or undefined when that line is not an alert JSON
 * object (a message from another publisher, a test message from the console).
 */
export function parseAlertSummary(message: string): AlertSummary | undefined {
  const trimmed = message.trimEnd();
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1).trim();
  if (!lastLine.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    return undefined;
  }
  const alert = record(parsed);
  if (alert === undefined || asString(alert.rule_id) === undefined) return undefined;
  const event: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(alert.event) ?? {})) {
    const text = asString(value);
    if (text !== undefined) event[key] = text;
  }
  return {
    time: asString(alert.time),
    host: asString(alert.host),
    ruleId: asString(alert.rule_id),
    ruleTitle: asString(alert.rule_title),
    level: asString(alert.level),
    tags: Array.isArray(alert.tags) ? alert.tags.filter((tag): tag is string => typeof tag === 'string') : [],
    ruleFile: asString(alert.rule_file),
    channel: asString(alert.channel),
    eventId: asString(alert.event_id),
    dedupeKey: asString(alert.dedupe_key),
    event,
  };
}

function field(label: string, value: string | undefined): SlackText[] {
  if (value === undefined || value === '') return [];
  return [{ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, FIELD_MAX) }];
}

function named(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === '-' ? undefined : value;
}

/** The process and connection lines of the matched event. */
function eventLines(event: Record<string, string>): string[] {
  const lines: string[] = [];
  if (event.Image) {
    const pid = event.ProcessId ? ` (PID ${escapeMrkdwn(event.ProcessId)})` : '';
    lines.push(`*Process:* ${code(event.Image)}${pid}`);
  }
  if (event.User) lines.push(`*User:* ${escapeMrkdwn(event.User)}`);
  if (event.CommandLine) lines.push(`*Command line:* ${code(truncate(event.CommandLine, 1000))}`);
  if (event.DestinationIp) {
    const name = named(event.DestinationHostname);
    const target = `${event.DestinationIp}${event.DestinationPort ? `:${event.DestinationPort}` : ''}`;
    const protocol = event.Protocol ? ` ${escapeMrkdwn(event.Protocol)}` : '';
    lines.push(`*Connects to:* ${name ? `${code(name)} ` : ''}(${escapeMrkdwn(target)})${protocol}`);
    if (event.DestinationHostnameSource) {
      const original = named(event.DestinationHostnameOriginal) ?? '(none)';
      lines.push(
        `*Name from:* ${escapeMrkdwn(event.DestinationHostnameSource)}; Sysmon said ${escapeMrkdwn(original)}`,
      );
    } else if (event.DestinationIp && !name) {
      lines.push('*Name:* unresolved');
    }
    if (event.DestinationHostnameCnames) lines.push(`*CNAMEs:* ${escapeMrkdwn(event.DestinationHostnameCnames)}`);
  }
  if (event.QueryName) {
    const results = event.QueryResults ? ` → ${code(truncate(event.QueryResults, 500))}` : '';
    lines.push(`*DNS query:* ${code(event.QueryName)}${results}`);
  }
  if (event.TargetFilename) lines.push(`*File:* ${code(event.TargetFilename)}`);
  if (event.TargetObject) lines.push(`*Registry:* ${code(event.TargetObject)}`);
  return lines;
}

/**
 * The Block Kit message for one notification: a header with the level, the rule, host and time as fields,
 * the process and enriched connection, and a context line with the rule file, tags and dedupe key.
 */
export function buildSlackMessage(notification: AlertNotificationText): SlackMessage {
  const attributes = notification.attributes ?? {};
  const subject = notification.subject?.trim() || 'hookstream alert';
  const alert = parseAlertSummary(notification.message);
  const level = (alert?.level ?? attributes.level ?? '').toLowerCase();
  const mark = LEVEL_MARKS[level] ?? ':grey_question:';
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${subject}`, HEADER_MAX) } },
  ];

  if (alert === undefined) {
    // Not an alert record: show what was sent rather than nothing.
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(notification.message || '(empty message)'), SECTION_MAX) },
    });
    return { text: truncate(`${mark} ${subject}`, FALLBACK_MAX), blocks };
  }

  const rule = alert.ruleTitle ? `${escapeMrkdwn(alert.ruleTitle)}\n${code(alert.ruleId ?? '')}` : alert.ruleId;
  const fields = [
    ...field('Level', level ? `${mark} ${escapeMrkdwn(level)}` : undefined),
    ...field('Host', escapeMrkdwn(alert.host ?? attributes.host ?? '')),
    ...field('Time (UTC)', alert.time ? escapeMrkdwn(alert.time) : undefined),
    ...field('Rule', rule),
    ...field('Event', alert.channel ? `${escapeMrkdwn(alert.channel)} ${alert.eventId ?? ''}`.trim() : undefined),
  ];
  blocks.push({ type: 'section', fields });

  const lines = eventLines(alert.event);
  if (lines.length > 0) {
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SECTION_MAX) } });
  }

  const context: string[] = [];
  if (alert.ruleFile) context.push(`Rule file: ${escapeMrkdwn(alert.ruleFile)}`);
  if (alert.tags.length > 0) context.push(`Tags: ${escapeMrkdwn(alert.tags.join(', '))}`);
  if (alert.dedupeKey) context.push(`Dedupe key: ${escapeMrkdwn(alert.dedupeKey)}`);
  if (context.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(context.join(' | '), SECTION_MAX) }] });
  }
  return { text: truncate(`${mark} ${subject}`, FALLBACK_MAX), blocks };
}
