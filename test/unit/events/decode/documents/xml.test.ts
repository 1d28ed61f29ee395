/**
 * Rendered XML whose tags do not add up (an <Event> cut short, a stray end tag): the lenient parser would nest the
 * events after an unclosed <Event> inside it and give no error, so they were lost; the text is read event by event.
 */

import { xmlItems } from '../../../../../src/events/decode/xml-cuts.js';
import { parseXmlEvents } from '../../../../../src/events/decode/xml-events.js';
import { readRecord } from '../../../../../src/events/read-record.js';
import { sysmon3Xml } from '../../factories.js';

const event = (id: number) => sysmon3Xml().replace('<EventRecordID>98765<', `<EventRecordID>${id}<`);
const bytes = (text: string) => new TextEncoder().encode(text);
const decoder = new TextDecoder();

function outcomes(text: string) {
  return readRecord(bytes(text)).map((o) =>
    o.kind === 'event'
      ? `event ${o.event.recordId}`
      : o.kind === 'rejected'
        ? `rejected ${o.reason}: ${decoder.decode(o.raw)}`
        : `filtered ${o.reason}`,
  );
}

const cut = event(2).slice(0, 200);
const head = '<?xml version="1.0"?>\r\n<Events>\r\n';

describe('malformed rendered XML', () => {
  it('keeps the events around a truncated <Event>, which is rejected with its own bytes', () => {
    const text = `${head}${event(1)}\r\n${cut}\r\n${event(3)}\r\n${event(4)}\r\n</Events>\r\n`;
    expect(parseXmlEvents(text)).toEqual({ ok: false, error: 'truncated <Event> (no end tag)' });
    expect(outcomes(text)).toEqual([
      'event 1',
      `rejected truncated <Event> (no end tag): ${cut}\r\n`,
      'event 3',
      'event 4',
    ]);
  });

  it('rejects a stray end-tag fragment between events, one after another without <Events>', () => {
    const stray = event(9).slice(300);
    const text = `${event(1)}\n${stray}\n${event(3)}`;
    expect(outcomes(text)).toEqual(['event 1', `rejected text outside any <Event>: \n${stray}\n`, 'event 3']);
  });

  it('rejects a last <Event> cut short (a log copied while written)', () => {
    const text = `${head}${event(1)}${event(2).slice(0, 120)}`;
    expect(outcomes(text)).toEqual(['event 1', `rejected truncated <Event> (no end tag): ${event(2).slice(0, 120)}`]);
  });

  it('leaves well-formed text to the parser, namespace prefixes included', () => {
    const prefixed = event(5).replace('<Event ', '<e:Event xmlns:e="x" ').replace('</Event>', '</e:Event>');
    expect(parseXmlEvents(`${head}${event(1)}${prefixed}</Events>`)).toMatchObject({ ok: true });
    expect(outcomes(`${head}${event(1)}${prefixed}</Events>`)).toEqual(['event 1', 'event 5']);
  });

  it('gives every character of the text to one span or to the frame', () => {
    const text = `${head}<!-- c -->${event(1)}junk${cut}${event(3)}</Events>`;
    const spans = xmlItems(text);
    expect(spans.map((s) => [s.kind, text.slice(s.start, s.end).slice(0, 12)])).toEqual([
      ['event', '<Event xmlns'],
      ['stray', 'junk'],
      ['truncated', '<Event xmlns'],
      ['event', '<Event xmlns'],
    ]);
    const covered = spans.reduce((n, s) => n + (s.end - s.start), 0);
    expect(text.length - covered).toBe(`${head}<!-- c -->`.length + '</Events>'.length);
  });
});
