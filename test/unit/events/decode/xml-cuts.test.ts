/**
 * The scanner that finds an XML text's items (event spans, truncated events, stray text) without the parser, for
 * the XML reader and for replay's cutter: what it finds, and that it finds the same given the text in parts.
 */

import { XmlItemScanner, xmlItems } from '../../../../src/events/decode/xml-cuts.js';

const event = (n: number, inner = '') =>
  `<Event xmlns='x'><System><EventID>${n}</EventID></System><EventData>${inner}</EventData></Event>`;

/** Items as [kind, text]. */
function described(text: string, items = xmlItems(text)): Array<[string, string]> {
  return items.map((item) => [item.kind, text.slice(item.start, item.end)]);
}

describe('xmlItems', () => {
  it('follows comments, CDATA, processing instructions and quoted ">" inside an event', () => {
    const inner =
      "<!-- </Event> --><![CDATA[</Event>]]><?pi </Event>?><Data Name='a > b' V=\"'\">x &lt;/Event&gt;</Data>";
    const text = `<?xml version="1.0"?><!DOCTYPE E [<!ENTITY a "</Event>">]><Events>${event(1, inner)}\r\n${event(2)}</Events>`;
    expect(described(text)).toEqual([
      ['event', event(1, inner)],
      ['event', event(2)],
    ]);
  });

  it('ends an <Event> without an end tag where the next one starts, or at the end', () => {
    const cut = event(2).slice(0, 40);
    expect(described(`<Events>${event(1)}${cut}\r\n${event(3)}${cut}`)).toEqual([
      ['event', event(1)],
      ['truncated', `${cut}\r\n`],
      ['event', event(3)],
      ['truncated', cut],
    ]);
  });

  it('gives each stretch of other text between events as one stray item, blanks included', () => {
    const text = `${event(1)}\n junk <b>x</b>\n${event(2)}<![CDATA[c]]>${event(3)}</Event>\n<!-- c -->\n${event(4)}`;
    expect(described(text)).toEqual([
      ['event', event(1)],
      ['stray', '\n junk <b>x</b>\n'],
      ['event', event(2)],
      ['stray', '<![CDATA[c]]>'],
      ['event', event(3)],
      ['stray', '</Event>\n<!-- c -->\n'],
      ['event', event(4)],
    ]);
  });

  it('takes the frame (declaration, comments, blanks, the wrapper tags) as no item', () => {
    const text = `<?xml version="1.0"?>\r\n<!-- a -->\r\n<ev:Events xmlns:ev='x'>\r\n  <!-- b -->${event(1)}\r\n</ev:Events>\r\n`;
    const items = xmlItems(text);
    expect(described(text, items)).toEqual([['event', event(1)]]);
    expect(items[0]).toMatchObject({ wrapper: 'ev:Events' });
    // Text after the wrapper's end, and markup cut short at the end: stray.
    expect(described(`${text}tail<!-- open`)).toEqual([
      ['event', event(1)],
      ['stray', '\r\ntail<!-- open'],
    ]);
  });

  it('ends a tag at a "<" in it (not XML): the event goes on, and the parser will reject it', () => {
    const broken = event(1, "<Data Name='x>y</Data>");
    expect(described(`${broken}${event(2)}`)).toEqual([
      ['event', broken],
      ['event', event(2)],
    ]);
  });

  it('finds the same items in a text given in parts of any size', () => {
    const text =
      `<?xml version="1.0"?>\n<Events>${event(1, '<!-- </Event> -->')}junk${event(2).slice(0, 50)}` +
      `${event(3, "<![CDATA[</Event>]]><Data A='>'>\u{1F600}</Data>")}<!-- c -->${event(4)}</Events>tail<?pi`;
    const whole = xmlItems(text);
    expect(whole.map((item) => item.kind)).toEqual(['event', 'stray', 'truncated', 'event', 'event', 'stray']);
    for (const size of [1, 2, 3, 7, 50]) {
      const scanner = new XmlItemScanner();
      for (let end = size; end < text.length + size; end += size) {
        // Each scan gets the text from where the scanner stopped (markup not all in hand) to `end`.
        const from = scanner.resume;
        scanner.scan(text.slice(from, Math.min(end, text.length)), from, end >= text.length);
      }
      expect([size, scanner.items]).toEqual([size, whole]);
    }
  });
});
