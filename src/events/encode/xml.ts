import type { CanonicalEvent } from '../canonical-event.js';

function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === "'") out += '&apos;';
    else if (ch === '"') out += '&quot;';
    else out += ch;
  }
  return out;
}

/** A rendered `<Event>` as wevtutil / Kinesis Agent XML formats write it. */
export function encodeXml(event: CanonicalEvent): string {
  const parts = [
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>",
    `<Provider Name='${escapeXml(event.provider)}'/><EventID>${event.eventId}</EventID>`,
    `<TimeCreated SystemTime='${new Date(event.time).toISOString()}'/>`,
  ];
  if (event.recordId !== undefined) parts.push(`<EventRecordID>${event.recordId}</EventRecordID>`);
  if (event.processId !== undefined) parts.push(`<Execution ProcessID='${event.processId}'/>`);
  parts.push(
    `<Channel>${escapeXml(event.channel)}</Channel><Computer>${escapeXml(event.host)}</Computer></System><EventData>`,
  );
  for (const [name, value] of Object.entries(event.data)) {
    parts.push(`<Data Name='${escapeXml(name)}'>${escapeXml(value)}</Data>`);
  }
  parts.push('</EventData></Event>');
  return parts.join('');
}
