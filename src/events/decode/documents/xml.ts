/**
 * Rendered XML: one `<Event>`, or several (in `<Events>` or one after another), each one document. A text of
 * several items (events, truncated events, stray text: decode/xml-cuts.ts) gives one piece per item, each with its
 * own bytes and its own invalid-encoding flag, so an outcome does not depend on the rest of the text.
 */

import { type Piece, type Raw, rejected } from '../chain-piece.js';
import { readXmlItems } from '../xml-events.js';
import { type DocumentSyntaxReader, flagged } from './document-syntax.js';

export const xmlDocuments: DocumentSyntaxReader = {
  name: 'xml',
  recognises: (first) => first === 60 /* < */,
  read: (piece) => {
    const { text, source, depth } = piece;
    const read = readXmlItems(text);
    if ('whole' in read) {
      const { whole } = read;
      const out: Piece[] = whole.ok
        ? [{ stage: 'document', value: { Event: whole.value[0] }, syntax: 'xml', depth, raw: piece.raw }]
        : [rejected(whole.error, piece.raw)];
      return flagged(out, source?.invalid);
    }
    return read.items.map((item) => {
      const raw: Raw =
        source === undefined ? text.slice(item.start, item.end) : { source, start: item.start, end: item.end };
      const next: Piece = item.ok
        ? { stage: 'document', value: { Event: item.element }, syntax: 'xml', depth, raw }
        : rejected(item.error, raw);
      if (source?.isInvalid(item.start, item.end)) next.invalid = true;
      return next;
    });
  },
};
