/**
 * A rendered `<Event>` parsed by decode/xml-events.ts: the same element tree as evtx-json, attributes as `@Name`.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { isObject } from '../values.js';
import { normaliseEventElement } from './evtx-json.js';
import type { ShipperFormatModule } from './shipper-format.js';

export const xml: ShipperFormatModule<'xml'> = {
  format: 'xml',
  encode: encodeXml,
  dnsFilter: [],
  recognises: (document, syntax) => syntax === 'xml' && isObject(document.Event),
  normalise: (document) => normaliseEventElement(document.Event as Record<string, unknown>, 'xml'),
};

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
