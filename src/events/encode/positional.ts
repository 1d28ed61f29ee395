import type { CanonicalEvent } from '../canonical-event.js';
import { schemaFields } from '../schemas.js';

/**
 * The event's fields as a positional list when they are exactly its schema's leading fields in order (what a
 * positional shipper would have sent), else undefined (send a map instead).
 */
export function positionalValues(event: CanonicalEvent): string[] | undefined {
  const fields = schemaFields(event.provider, event.channel, event.eventId);
  if (fields === undefined) return undefined;
  const keys = Object.keys(event.data);
  if (keys.length === 0 || keys.length > fields.length) return undefined;
  const values: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const name = fields[i] as string;
    const value = event.data[name];
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
