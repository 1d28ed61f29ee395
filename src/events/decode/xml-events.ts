/**
 * Rendered Windows event XML (`<Event xmlns=...>`, optionally several, or wrapped in `<Events>`) parsed into
 * the element tree the evtx-json reader understands: attributes as `@Name`, text as `#text`.
 */

import { XMLParser } from 'fast-xml-parser';
import { isObject } from '../values.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  isArray: (_name: string, jpath: unknown) =>
    jpath === 'Event' || jpath === 'Events.Event' || (typeof jpath === 'string' && jpath.endsWith('EventData.Data')),
});

/** The `Event` elements of an XML text, or the reason there are none. */
export type XmlEvents = { ok: true; value: Record<string, unknown>[] } | { ok: false; error: string };

/**
 * The markup that matters for telling events apart: comments and CDATA sections (skipped: they may hold `<Event>`
 * as text), `<Event` start tags and `</Event>` end tags, any namespace prefix. Attribute values cannot hold `<`.
 */
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\/(?:[A-Za-z_][\w.-]*:)?Event\s*>|<(?:[A-Za-z_][\w.-]*:)?Event(?=[\s>/])/g;

/** Each `<Event` start tag (`start`) and `</Event>` end tag (`end`: the index past it), in order. */
function* eventTags(text: string): Generator<{ kind: 'start' | 'end'; at: number }> {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const tag = m[0];
    if (tag.charCodeAt(1) === 0x21 /* ! */) continue;
    if (tag.charCodeAt(1) === 0x2f /* / */) yield { kind: 'end', at: m.index + tag.length };
    else yield { kind: 'start', at: m.index };
  }
}

/** The parser's nesting cap (or a stack overflow): the text is rejected whole, never split. */
export const TOO_DEEP_XML = 'document nested too deeply';

/** The reason given when the element tree does not account for the text's `<Event>` tags. */
export const MALFORMED_XML = 'malformed XML (an <Event> truncated, unclosed or stray)';

/**
 * Parse XML text into its `Event` elements. Never throws. The parser is lenient: an unclosed `<Event>` swallows
 * the events after it as its children, without an error. So the elements must account for every `<Event>` start
 * and end tag of the text; when they do not, the text is {@link MALFORMED_XML} and {@link splitXmlEvents} reads
 * its events one by one.
 */
export function parseXmlEvents(text: string): XmlEvents {
  const parsed = parseTree(text);
  if (!parsed.ok) return parsed;
  const n = parsed.value.length;
  let starts = 0;
  let ends = 0;
  for (const tag of eventTags(text))
    if (tag.kind === 'start') starts++;
    else ends++;
  if (starts !== n || ends !== n) return { ok: false, error: MALFORMED_XML };
  return parsed;
}

function parseTree(text: string): XmlEvents {
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (error) {
    // fast-xml-parser caps nesting itself ("Maximum nested tags exceeded"); a stack overflow means the same.
    const nested = error instanceof RangeError || (error instanceof Error && error.message.includes('nested'));
    return { ok: false, error: nested ? TOO_DEEP_XML : 'invalid XML' };
  }
  if (!isObject(tree)) return { ok: false, error: 'invalid XML' };
  const holder = isObject(tree.Events) ? tree.Events : tree;
  const events = holder.Event;
  if (!Array.isArray(events) || events.length === 0) return { ok: false, error: 'XML is not an <Event>' };
  const elements: Record<string, unknown>[] = [];
  for (const event of events) {
    if (!isObject(event)) return { ok: false, error: 'XML is not an <Event>' };
    elements.push(event);
  }
  return { ok: true, value: elements };
}

/** One `<Event>` of a malformed text, or a span of it that is none, by UTF-16 offsets. */
export type XmlSpan =
  | { ok: true; start: number; end: number; element: Record<string, unknown> }
  | { ok: false; start: number; end: number; error: string };

/** What may stand around the events: the declaration, `<Events>` and `</Events>`, comments, blanks. */
const FRAME = /^(?:\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<\/?(?:[A-Za-z_][\w.-]*:)?Events(?:\s[^>]*)?>)*$/;

/**
 * The events of a malformed XML text one by one: each span from an `<Event>` start tag to the first end tag
 * after it (before the next start tag) is parsed on its own; a span without one, or that does not parse to one
 * event, is rejected, and so is text between events that is not the frame (declaration, `<Events>`, comments).
 * Every character of the text belongs to one span or to the frame, so nothing is lost.
 */
export function splitXmlEvents(text: string): XmlSpan[] {
  const spans: XmlSpan[] = [];
  const between = (start: number, end: number) => {
    if (end > start && !FRAME.test(text.slice(start, end))) {
      spans.push({ ok: false, start, end, error: 'text outside any <Event> in malformed XML' });
    }
  };
  const truncated = (start: number, end: number) =>
    spans.push({ ok: false, start, end, error: 'truncated <Event> (no end tag) in malformed XML' });
  let cursor = 0;
  let open: number | undefined;
  for (const tag of eventTags(text)) {
    if (tag.kind === 'start') {
      if (open === undefined) between(cursor, tag.at);
      else truncated(open, tag.at);
      open = tag.at;
      cursor = tag.at;
    } else if (open !== undefined) {
      // A stray end tag (no <Event> open) stays in the text between events.
      const one = parseTree(text.slice(open, tag.at));
      if (one.ok && one.value.length === 1) {
        spans.push({ ok: true, start: open, end: tag.at, element: one.value[0] as Record<string, unknown> });
      } else spans.push({ ok: false, start: open, end: tag.at, error: one.ok ? MALFORMED_XML : one.error });
      open = undefined;
      cursor = tag.at;
    }
  }
  if (open === undefined) between(cursor, text.length);
  else truncated(open, text.length);
  return spans;
}
