/**
 * A rendered `<Event>` parsed by decode/xml-events.ts: the same element tree as evtx-json, attributes as `@Name`.
 */

import { isObject } from '../values.js';
import { normaliseEventElement } from './evtx-json.js';
import type { FormatReader } from './format-reader.js';

export const xml: FormatReader = {
  format: 'xml',
  recognises: (document, syntax) => syntax === 'xml' && isObject(document.Event),
  normalise: (document) => normaliseEventElement(document.Event as Record<string, unknown>, 'xml'),
};
