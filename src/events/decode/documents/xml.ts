/** Rendered XML: one `<Event>`, or several (in `<Events>` or one after another), each one document. */

import { type Piece, type Raw, rejected, type TextPiece } from '../chain-piece.js';
import { MALFORMED_XML, parseXmlEvents, splitXmlEvents, TOO_DEEP_XML, type XmlSpan } from '../xml-events.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';

export const xmlDocuments: DocumentSyntaxReader = {
  name: 'xml',
  recognises: (first) => first === 60 /* < */,
  read: (piece) => {
    const events = parseXmlEvents(piece.text);
    let out: Piece[];
    if (!events.ok && events.error !== TOO_DEEP_XML) {
      // Tags that do not add up, or an error the parser did throw (a text cut inside a tag): read event by event,
      // unless no <Event> parses on its own (then the whole text is rejected, as before).
      const spans = splitXmlEvents(piece.text);
      if (events.error === MALFORMED_XML || spans.some((span) => span.ok)) return malformed(piece, spans);
    }
    if (!events.ok) out = [rejected(events.error, piece.raw)];
    else {
      // The parser gives no positions, so one of several <Event>s is rejected as its element tree in JSON.
      out = events.value.map((element) => ({
        stage: 'document',
        value: { Event: element },
        syntax: 'xml',
        depth: piece.depth,
        raw: events.value.length === 1 ? piece.raw : JSON.stringify(element),
      }));
    }
    return flagged(out, piece.source?.invalid);
  },
};

/** A malformed text's events one by one, each rejected span with its own bytes (xml-events.ts splitXmlEvents). */
function malformed(piece: TextPiece, spans: XmlSpan[]): Piece[] {
  const { source, depth } = piece;
  return spans.map((span) => {
    const raw: Raw =
      source === undefined ? piece.text.slice(span.start, span.end) : { source, start: span.start, end: span.end };
    const next: Piece = span.ok
      ? { stage: 'document', value: { Event: span.element }, syntax: 'xml', depth, raw }
      : rejected(span.error, raw);
    if (source?.isInvalid(span.start, span.end)) next.invalid = true;
    return next;
  });
}
