/**
 * Rendered Windows event XML (`<Event xmlns=...>`, optionally several, or wrapped in `<Events>`) parsed into
 * the element tree the evtx-json reader understands: attributes as `@Name`, text as `#text`.
 */

import { XMLParser } from 'fast-xml-parser';
import { LIMITS } from '../../limits.js';
import { isObject } from '../values.js';
import { STRAY_TEXT, TRUNCATED_EVENT, type XmlItem, xmlItems } from './xml-cuts.js';

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
  // Character references (`&#x9;`, `&#65;`) are text in XML, and Windows writes them for characters it escapes:
  // without this, fast-xml-parser leaves them as written (`&#x41;` stayed `&#x41;`). The option also reads HTML's
  // named entities (`&copy;`), which XML does not define and Windows never writes: harmless, they expand to one
  // character each. DTD entities are never expanded.
  htmlEntities: true,
  // The parser then hands callbacks its path matcher, not the path as a string: joining the path for every element
  // and attribute was about 5% of an XML replay's CPU, and only `Event` and `Data` can be arrays here.
  jPath: false,
  isArray: (name: string, path: { toString(): string }, _leaf: boolean, attribute?: boolean) => {
    const own = attribute ? name.slice('@'.length) : name;
    if (own !== 'Event' && own !== 'Data') return false;
    const jpath = attribute ? `${path.toString()}.${own}` : path.toString();
    return jpath === 'Event' || jpath === 'Events.Event' || jpath.endsWith('EventData.Data');
  },
});

/** The `Event` elements of an XML text, or the reason there are none. */
export type XmlEvents = { ok: true; value: Record<string, unknown>[] } | { ok: false; error: string };

/** The parser's nesting cap (or a stack overflow). */
export const TOO_DEEP_XML = 'document nested too deeply';

/** The reason given when a text of one event parses to something else than one `<Event>`. */
export const NOT_AN_EVENT = 'XML is not an <Event>';

/** The `Event` elements the parser finds in `text` (at the top or in `<Events>`). Never throws. */
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
  if (!Array.isArray(events) || events.length === 0) return { ok: false, error: NOT_AN_EVENT };
  const elements: Record<string, unknown>[] = [];
  for (const event of events) {
    if (!isObject(event)) return { ok: false, error: NOT_AN_EVENT };
    elements.push(event);
  }
  return { ok: true, value: elements };
}

/** What one item of a text reads as: its event element, or the reason it is rejected. */
export type XmlItemEvent =
  | { ok: true; start: number; end: number; element: Record<string, unknown> }
  | { ok: false; start: number; end: number; error: string };

/**
 * A text of at most one item (see xml-cuts.ts) read as one document, as the whole text always was: the parser's
 * events or its error, with the item's reason when the parser accepts a truncated event or stray text (it is
 * lenient: an unclosed element is closed at the end of the text).
 */
function readWhole(text: string, item: XmlItem | undefined): XmlEvents {
  if (text.length > LIMITS.xmlEventChars) return { ok: false, error: XML_EVENT_TOO_LARGE };
  const parsed = parseTree(text);
  if (!parsed.ok) return parsed;
  if (item?.kind !== 'event' || parsed.value.length !== 1) {
    return {
      ok: false,
      error: item?.kind === 'truncated' ? TRUNCATED_EVENT : item === undefined ? NOT_AN_EVENT : STRAY_TEXT,
    };
  }
  return parsed;
}

/** The reason an XML event longer than LIMITS.xmlEventChars is rejected with (it is not parsed). */
export const XML_EVENT_TOO_LARGE = 'XML event too large';

/** One item of a text of several, read on its own. */
function readItem(text: string, item: XmlItem): XmlItemEvent {
  const { start, end } = item;
  if (item.kind === 'truncated') return { ok: false, start, end, error: TRUNCATED_EVENT };
  if (item.kind === 'stray') return { ok: false, start, end, error: STRAY_TEXT };
  if (end - start > LIMITS.xmlEventChars) return { ok: false, start, end, error: XML_EVENT_TOO_LARGE };
  const parsed = parseTree(text.slice(start, end));
  if (!parsed.ok) return { ok: false, start, end, error: parsed.error };
  if (parsed.value.length !== 1) return { ok: false, start, end, error: NOT_AN_EVENT };
  return { ok: true, start, end, element: parsed.value[0] as Record<string, unknown> };
}

/**
 * The items of an XML text, each read: one result for the whole text when it holds at most one item (an event,
 * a truncated event, stray text, or nothing: `<Foo/>`), else one per item, in order, each event span parsed on its
 * own. A fault (a parse error, a truncated event, stray text) costs only the item it is in, and what an item reads
 * as does not depend on the rest of the text (docs/replay.md: replay reads a long text in pieces).
 */
export function readXmlItems(text: string): { whole: XmlEvents } | { items: XmlItemEvent[] } {
  const items = xmlItems(text);
  if (items.length < 2) return { whole: readWhole(text, items[0]) };
  return { items: items.map((item) => readItem(text, item)) };
}

/** Parse XML text into its `Event` elements, or the first reason one of its items is rejected. Never throws. */
export function parseXmlEvents(text: string): XmlEvents {
  const read = readXmlItems(text);
  if ('whole' in read) return read.whole;
  const elements: Record<string, unknown>[] = [];
  for (const item of read.items) {
    if (!item.ok) return { ok: false, error: item.error };
    elements.push(item.element);
  }
  return { ok: true, value: elements };
}
