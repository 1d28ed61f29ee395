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

/** Parse XML text into its `Event` elements. Never throws. */
export function parseXmlEvents(text: string): XmlEvents {
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (error) {
    // fast-xml-parser caps nesting itself ("Maximum nested tags exceeded"); a stack overflow means the same.
    const nested = error instanceof RangeError || (error instanceof Error && error.message.includes('nested'));
    return { ok: false, error: nested ? 'document nested too deeply' : 'invalid XML' };
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
