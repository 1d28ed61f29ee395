/**
 * Reading EventData in the shapes shippers use: a flat map, `{Data: [{Name, Value}]}` /
 * `[{"@Name", "#text"}]` pairs, a positional list, and `UserData` (one element of named fields).
 */

import { namePositional, schemaFields } from '../schemas.js';
import { isObject, windowsText } from '../values.js';
import type { HeaderContext } from './build-event.js';

/** Keys that are markup, not fields: evtx_dump's `#attributes`, XML attributes (`@xmlns`, `@Name`). */
function isMarkupKey(key: string): boolean {
  return key.charCodeAt(0) === 64 /* @ */ || key === '#attributes';
}

function pairName(item: Record<string, unknown>): unknown {
  if (item.Name !== undefined) return item.Name;
  if (item['@Name'] !== undefined) return item['@Name'];
  const attributes = item['#attributes'];
  return isObject(attributes) ? attributes.Name : undefined;
}

function isPairList(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  return isObject(value) && pairName(value) !== undefined;
}

/** Copy a flat map's fields as strings; returns a rejection reason or undefined. */
export function readFieldMap(map: Record<string, unknown>, data: Record<string, string>): string | undefined {
  for (const key in map) {
    if (isMarkupKey(key)) continue;
    const text = windowsText(map[key]);
    if (!text.ok) return text.error;
    data[key] = text.value;
  }
  return undefined;
}

/** Named pairs and bare values; bare values are named by the event's schema, by version or count (schemas.ts). */
export function readPairs(items: readonly unknown[], context: HeaderContext, data: Record<string, string>) {
  const positional: string[] = [];
  for (const item of items) {
    if (isObject(item)) {
      const name = pairName(item);
      const raw = item.Value !== undefined ? item.Value : item['#text'];
      const text = windowsText(raw);
      if (!text.ok) return text.error;
      if (typeof name === 'string' && name.length > 0) data[name] = text.value;
      else if (name === undefined) positional.push(text.value);
      else return 'EventData field name is not a string';
    } else {
      const text = windowsText(item);
      if (!text.ok) return text.error;
      positional.push(text.value);
    }
  }
  if (positional.length > 0) {
    const fields = schemaFields(context.provider, context.channel, context.eventId, positional.length, context.version);
    context.unnamed += namePositional(fields, positional, data);
  }
  return undefined;
}

/** EventData in any of the accepted shapes. Absent or null means no fields. */
export function readEventData(
  value: unknown,
  context: HeaderContext,
  data: Record<string, string>,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return readPairs(value, context, data);
  if (!isObject(value)) return 'EventData is not an object';
  let pairs = value.Data;
  // evtx_dump writes several unnamed <Data> as one object holding their list: {"Data": {"#text": [a, b]}}.
  if (isObject(pairs) && Array.isArray(pairs['#text']) && pairName(pairs) === undefined) pairs = pairs['#text'];
  if (pairs !== undefined && isPairList(pairs)) {
    const error = readPairs(Array.isArray(pairs) ? pairs : [pairs], context, data);
    if (error !== undefined) return error;
    for (const key in value) {
      if (key === 'Data' || isMarkupKey(key)) continue;
      const text = windowsText(value[key]);
      if (!text.ok) return text.error;
      data[key] = text.value;
    }
    return undefined;
  }
  return readFieldMap(value, data);
}

/** UserData: one (or more) child elements whose fields are the event's fields. */
export function readUserData(value: unknown, data: Record<string, string>): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!isObject(value)) return 'UserData is not an object';
  for (const key in value) {
    if (isMarkupKey(key)) continue;
    const child = value[key];
    if (isObject(child) && !('#text' in child)) {
      const error = readFieldMap(child, data);
      if (error !== undefined) return error;
    } else {
      const text = windowsText(child);
      if (!text.ok) return text.error;
      data[key] = text.value;
    }
  }
  return undefined;
}
