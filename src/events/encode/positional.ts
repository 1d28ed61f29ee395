import type { CanonicalEvent } from '../canonical-event.js';
import { handWrittenFields, manifestVersions, namePositional, schemaFields } from '../schemas.js';

/** A positional EventData list and the template version it was written by (manifest events only). */
export interface Positional {
  values: string[];
  version?: number;
}

/**
 * The event's fields as a positional list, the way a positional shipper sends them, when a reader gives back
 * exactly the same fields: the fields must be the leading fields of a template (any order in the event; written
 * in template order), and naming the list again (by `version` when the format sends it, else by the number of
 * values) must give the same names. Otherwise undefined: send a map instead.
 */
export function positionalValues(event: CanonicalEvent, sendsVersion: boolean): Positional | undefined {
  const keys = Object.keys(event.data);
  if (keys.length === 0) return undefined;
  const fixed = handWrittenFields(event.provider, event.channel, event.eventId);
  if (fixed !== undefined) return tryTemplate(event, keys.length, fixed, undefined, sendsVersion);
  const versions = manifestVersions(event.provider, event.channel, event.eventId);
  if (versions === undefined) return undefined;
  // The version whose template has exactly these fields first (what Windows would have rendered), then newest.
  const exact = (v: number) => ((versions[v] as readonly string[]).length === keys.length ? 0 : 1);
  const candidates = Object.keys(versions)
    .map(Number)
    .sort((a, b) => exact(a) - exact(b) || b - a);
  for (const version of candidates) {
    const found = tryTemplate(event, keys.length, versions[version] as readonly string[], version, sendsVersion);
    if (found !== undefined) return found;
  }
  return undefined;
}

function tryTemplate(
  event: CanonicalEvent,
  count: number,
  fields: readonly string[],
  version: number | undefined,
  sendsVersion: boolean,
): Positional | undefined {
  if (count > fields.length) return undefined;
  const values: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = event.data[fields[i] as string];
    if (value === undefined) return undefined;
    values.push(value);
  }
  const sentVersion = sendsVersion ? version : undefined;
  const named: Record<string, string> = {};
  namePositional(schemaFields(event.provider, event.channel, event.eventId, count, sentVersion), values, named);
  for (const key in named) if (named[key] !== event.data[key]) return undefined;
  return sentVersion === undefined ? { values } : { values, version: sentVersion };
}
