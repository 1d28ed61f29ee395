/**
 * `{"Event": {"System": {...}, "EventData": {...}}}` as written by WHIDS / golang-evtx and evtx_dump
 * (`#attributes` objects, numeric values, several documents per file), and the same tree parsed from XML.
 */

import type { CanonicalEvent, ShipperFormat } from '../canonical-event.js';
import { isObject } from '../values.js';
import { buildEvent, type Normalised } from './build-event.js';
import { dnsEventPatterns } from './dns-filter.js';
import { readEventData, readUserData } from './event-data.js';
import type { ShipperFormatModule } from './shipper-format.js';

/** An attribute in any of the spellings: plain key, evtx_dump `#attributes`, XML `@Name`. */
export function attribute(element: unknown, name: string): unknown {
  if (!isObject(element)) return undefined;
  const plain = element[name];
  if (plain !== undefined) return plain;
  const attributes = element['#attributes'];
  if (isObject(attributes) && attributes[name] !== undefined) return attributes[name];
  return element[`@${name}`];
}

/** An element's text: the value itself, or its `#text` / `Value` when it carries attributes. */
function text(element: unknown): unknown {
  if (!isObject(element)) return element;
  return element['#text'] !== undefined ? element['#text'] : element.Value;
}

/** Normalise an `Event` element (from JSON or parsed XML). */
export function normaliseEventElement(event: Record<string, unknown>, format: ShipperFormat): Normalised {
  const system = event.System;
  if (!isObject(system)) return { ok: false, error: 'System missing' };
  const provider = system.Provider;
  return buildEvent(
    format,
    {
      host: text(system.Computer),
      channel: text(system.Channel),
      provider: typeof provider === 'string' ? provider : attribute(provider, 'Name'),
      eventId: text(system.EventID),
      times: [
        attribute(system.TimeCreated, 'SystemTime'),
        typeof system.TimeCreated === 'string' ? system.TimeCreated : undefined,
      ],
      recordId: text(system.EventRecordID),
      processId: attribute(system.Execution, 'ProcessID'),
    },
    (context, data) => {
      if (event.EventData !== undefined) return readEventData(event.EventData, context, data);
      return readUserData(event.UserData, data);
    },
  );
}

export const evtxJson: ShipperFormatModule<'evtx-json'> = {
  format: 'evtx-json',
  encode: encodeEvtxJson,
  dnsFilter: dnsEventPatterns(['Event', 'System', 'EventID']),
  recognises: (document, syntax) => syntax === 'json' && isObject(document.Event),
  normalise: (document) => normaliseEventElement(document.Event as Record<string, unknown>, 'evtx-json'),
};

/** `{"Event": {"System", "EventData"}}` in the WHIDS form. */
export function encodeEvtxJson(event: CanonicalEvent): string {
  const system: Record<string, unknown> = {
    Provider: { Name: event.provider },
    EventID: event.eventId,
    Channel: event.channel,
    Computer: event.host,
    TimeCreated: { SystemTime: new Date(event.time).toISOString() },
  };
  if (event.recordId !== undefined) system.EventRecordID = event.recordId;
  if (event.processId !== undefined) system.Execution = { ProcessID: event.processId };
  return JSON.stringify({ Event: { System: system, EventData: event.data } });
}
