/**
 * Encoders from a canonical event back to each shipper format's document text (for `hookstream send
 * --format`), taken from the format registry (each format module holds its own encoder). Reading the output
 * with readRecord gives the same canonical event, format aside (Kinesis Agent has no process ID; see each
 * format module for what else cannot survive).
 */

import type { CanonicalEvent, ShipperFormat } from '../canonical-event.js';
import { FORMATS } from '../formats/index.js';

export type EventEncoder = (event: CanonicalEvent) => string;

export const ENCODERS: Readonly<Record<ShipperFormat, EventEncoder>> = Object.fromEntries(
  FORMATS.map((format) => [format.format, format.encode]),
) as Record<ShipperFormat, EventEncoder>;

/** The event as one document of the given shipper format. */
export function encodeEvent(event: CanonicalEvent, format: ShipperFormat): string {
  return ENCODERS[format](event);
}
