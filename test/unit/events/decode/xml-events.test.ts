/**
 * An XML event longer than LIMITS.xmlEventChars is rejected before it is parsed (the parser costs about 37 MB and
 * 0.3 s per MB of text), alone in its text or among other events, which are still read.
 */

import { readXmlItems, XML_EVENT_TOO_LARGE } from '../../../../src/events/decode/xml-events.js';
import { LIMITS } from '../../../../src/limits.js';

function event(image: string): string {
  return (
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="P"/>' +
    '<EventID>1</EventID><Channel>C</Channel><Computer>h</Computer></System>' +
    `<EventData><Data Name="Image">${image}</Data></EventData></Event>`
  );
}

/** An event of exactly `chars` characters. */
function eventOf(chars: number): string {
  const bare = event('');
  return event('A'.repeat(chars - bare.length));
}

describe('readXmlItems and the XML event size limit', () => {
  it('reads an event of exactly the limit and rejects one character more, alone in its text', () => {
    const at = readXmlItems(eventOf(LIMITS.xmlEventChars));
    expect('whole' in at && at.whole.ok).toBe(true);
    const over = readXmlItems(eventOf(LIMITS.xmlEventChars + 1));
    expect('whole' in over && over.whole).toEqual({ ok: false, error: XML_EVENT_TOO_LARGE });
  });

  it('rejects only the event over the limit among others, with its span', () => {
    const big = eventOf(LIMITS.xmlEventChars + 1);
    const text = `${event('a.exe')}\n${big}\n${event('b.exe')}\n`;
    const read = readXmlItems(text);
    if (!('items' in read)) throw new Error('expected items');
    expect(read.items.map((item) => (item.ok ? 'ok' : item.error))).toEqual(['ok', XML_EVENT_TOO_LARGE, 'ok']);
    const rejected = read.items[1] as { start: number; end: number };
    expect(text.slice(rejected.start, rejected.end)).toBe(big);
  });
});
