/**
 * Reads a group-by or value field of an event by its Sigma name: the System fields under their Windows XML names,
 * then EventData by the exact name, then case-insensitively and without spaces (as detection does), then the
 * derived fields (derived-fields.ts) when the event has none of that name.
 */
import { type CanonicalEvent, hostKey } from '../../events/canonical-event.js';
import { looseKey } from '../eval-context.js';
import { DERIVED_FIELDS } from './derived-fields.js';

/** The field's value, or undefined when the event does not have it (or has it empty). */
export function readEventField(event: CanonicalEvent, name: string): string | undefined {
  switch (name) {
    case 'Computer':
      // Hosts compare case-insensitively everywhere in hookstream; a group must not split on the case of a name.
      return hostKey(event.host) || undefined;
    case 'EventID':
      return String(event.eventId);
    case 'Channel':
      return event.channel;
    case 'Provider_Name':
      return event.provider;
    case 'EventRecordID':
      return event.recordId === undefined ? undefined : String(event.recordId);
    case 'Execution_ProcessID':
      return event.processId === undefined ? undefined : String(event.processId);
  }
  // Own properties only: a field named like an Object method (`toString`) is absent, not a function.
  const exact = Object.hasOwn(event.data, name) ? event.data[name] : undefined;
  if (typeof exact === 'string') return exact === '' ? undefined : exact;
  const loose = looseKey(name);
  for (const key of Object.keys(event.data)) {
    if (looseKey(key) === loose) {
      const v = event.data[key];
      return v === '' ? undefined : v;
    }
  }
  if (name === 'ProcessId' && event.processId !== undefined) return String(event.processId);
  return Object.hasOwn(DERIVED_FIELDS, name) ? DERIVED_FIELDS[name]?.(event) : undefined;
}
