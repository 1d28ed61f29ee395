/**
 * The contract each shipper format module implements: the whole format in one file (how it is recognised,
 * normalised and encoded, and which Lambda event-filter patterns select its DNS answer events). See index.ts for
 * the registry and its order.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import type { Normalised } from './build-event.js';
import type { DnsFilterPattern } from './dns-filter.js';

/** Whether a document came from JSON text or was parsed from rendered XML. */
export type DocumentSyntax = 'json' | 'xml';

export interface ShipperFormatModule<Name extends string = string> {
  /** The name events of this format carry (`CanonicalEvent.format`) and `hookstream send --format` takes. */
  format: Name;
  /** Cheap shape test on top-level keys only; the first module that says yes normalises the document. */
  recognises(document: Record<string, unknown>, syntax: DocumentSyntax): boolean;
  /** Never throws: a wrongly typed field is a rejection reason. */
  normalise(document: Record<string, unknown>): Normalised;
  /**
   * The event as one document text of this format, the way the shipper writes it; reading it back gives the
   * same canonical event, format aside (each module says what else cannot survive).
   */
  encode(event: CanonicalEvent): string;
  /**
   * Patterns on a Kinesis record's `data` that select this format's DNS answer events when the record is one
   * plain JSON document (built with dnsEventPatterns). Empty when the format is never plain JSON (XML).
   */
  dnsFilter: readonly DnsFilterPattern[];
}
