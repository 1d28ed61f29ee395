/** Rendered XML: one `<Event>`, or several (in `<Events>` or one after another), each one document. */

import { type Piece, rejected } from '../chain-piece.js';
import { parseXmlEvents } from '../xml-events.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';

export const xmlDocuments: DocumentSyntaxReader = {
  name: 'xml',
  recognises: (first) => first === 60 /* < */,
  read: (piece) => {
    const events = parseXmlEvents(piece.text);
    let out: Piece[];
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
