/**
 * Test helper: evtx_dump JSON (`{"Event": {"#attributes", "System", "EventData"}}`) -> CanonicalEvent.
 * Independent of src/events on purpose (the real normaliser, readRecord, was written in parallel); the lead
 * will switch the regression test to readRecord once both land.
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Splits a file holding one or several concatenated (pretty-printed) JSON documents. */
export function splitJsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

function text(v: Json | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return text(v['#text']);
  if (Array.isArray(v)) return v.map((x) => text(x) ?? '').join('\n');
  return String(v);
}

function attr(v: Json | undefined, name: string): Json | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const a = v['#attributes'];
    if (a && typeof a === 'object' && !Array.isArray(a)) return a[name];
  }
  return undefined;
}

function flatten(v: Json | undefined, out: Record<string, string>): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === '#attributes') continue;
    if (x && typeof x === 'object' && !Array.isArray(x) && !('#text' in x)) {
      // UserData nests its fields one level down (e.g. <UserData><EventXML><Field>).
      flatten(x, out);
      continue;
    }
    const t = text(x);
    if (t !== undefined) out[k] = t;
  }
}

/** Converts one evtx_dump document; undefined when it is not an event. */
export function evtxJsonToEvent(doc: unknown): CanonicalEvent | undefined {
  const event = (doc as { Event?: { [key: string]: Json } })?.Event;
  if (!event || typeof event !== 'object') return undefined;
  const system = event.System as { [key: string]: Json } | undefined;
  if (!system) return undefined;
  const eventId = Number(text(system.EventID));
  const time = Date.parse(String(attr(system.TimeCreated, 'SystemTime') ?? ''));
  const data: Record<string, string> = {};
  flatten(event.EventData, data);
  flatten(event.UserData, data);
  const recordId = Number(text(system.EventRecordID));
  const processId = Number(attr(system.Execution, 'ProcessID'));
  return {
    host: text(system.Computer) ?? '',
    channel: text(system.Channel) ?? '',
    provider: String(attr(system.Provider, 'Name') ?? ''),
    eventId,
    time: Number.isNaN(time) ? 0 : time,
    ...(Number.isNaN(recordId) ? {} : { recordId }),
    ...(Number.isNaN(processId) ? {} : { processId }),
    format: 'evtx-json',
    data,
  };
}
