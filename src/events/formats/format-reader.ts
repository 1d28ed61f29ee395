/** The contract each shipper format module implements; see index.ts for the registry and its order. */

import type { ShipperFormat } from '../canonical-event.js';
import type { Normalised } from './build-event.js';

/** Whether a document came from JSON text or was parsed from rendered XML. */
export type DocumentSyntax = 'json' | 'xml';

export interface FormatReader {
  format: ShipperFormat;
  /** Cheap shape test on top-level keys only; the first reader that says yes normalises the document. */
  recognises(document: Record<string, unknown>, syntax: DocumentSyntax): boolean;
  /** Never throws: a wrongly typed field is a rejection reason. */
  normalise(document: Record<string, unknown>): Normalised;
}
