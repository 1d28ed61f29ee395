/**
 * Which processes a Sysmon event names, and the fields the process-tracking hook writes for each of them.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import { type ProcessRecord, pidOf, processGuidOf } from './process-tracking-table.js';

/**
 * The prefix of the fields written for a process: `''` for the event's own process (`ProcessGuid`), `Source` and
 * `Target` for the two processes of Sysmon 8 (CreateRemoteThread) and 10 (ProcessAccess), after Sysmon's own
 * `SourceImage` / `TargetImage` and WHIDS's `SourceUser` / `TargetUser` / `TargetParentProcessGuid`.
 */
export type SidePrefix = '' | 'Source' | 'Target';

/** One process an event names. */
export interface EventSide {
  prefix: SidePrefix;
  /** Lower-case ProcessGuid. */
  guid: string;
  pid?: number;
}

/** Sysmon's CreateRemoteThread and ProcessAccess events: a source and a target process. */
export const SYSMON_CREATE_REMOTE_THREAD_EVENT_ID = 8;
export const SYSMON_PROCESS_ACCESS_EVENT_ID = 10;

/**
 * The Sysmon events that name their process by ProcessGuid (every event ID but 4 service state, 6 driver load,
 * 16 configuration change and 19-21 WMI, which name none).
 */
export const SYSMON_PROCESS_EVENT_IDS: readonly number[] = [
  1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 22, 23, 24, 25, 26, 27, 28, 29,
];

/** The context fields, without prefix, in the order they are written. */
export const PROCESS_CONTEXT_FIELDS = [
  'User',
  'IntegrityLevel',
  'ParentProcessGuid',
  'ParentImage',
  'ParentCommandLine',
  'ParentUser',
  'ParentIntegrityLevel',
  'Ancestors',
] as const;

export type ProcessContextField = (typeof PROCESS_CONTEXT_FIELDS)[number];

/** The prefixed field names, built once. */
const FIELD_NAMES: Record<SidePrefix, readonly string[]> = {
  '': PROCESS_CONTEXT_FIELDS.map((field) => field),
  Source: PROCESS_CONTEXT_FIELDS.map((field) => `Source${field}`),
  Target: PROCESS_CONTEXT_FIELDS.map((field) => `Target${field}`),
};

/** Ancestors are `|`-joined, as WHIDS writes them. */
export const ANCESTORS_SEPARATOR = '|';

/** The processes a Sysmon event names (its own, or the source and target of 8 and 10). */
export function sidesOf(event: CanonicalEvent): EventSide[] {
  const data = event.data;
  if (event.eventId === SYSMON_CREATE_REMOTE_THREAD_EVENT_ID || event.eventId === SYSMON_PROCESS_ACCESS_EVENT_ID) {
    const sides: EventSide[] = [];
    // Sysmon 8 spells `...ProcessGuid`, Sysmon 10 `...ProcessGUID`.
    const source = processGuidOf(data.SourceProcessGuid ?? data.SourceProcessGUID);
    if (source !== undefined) sides.push(side('Source', source, pidOf(data.SourceProcessId)));
    const target = processGuidOf(data.TargetProcessGuid ?? data.TargetProcessGUID);
    if (target !== undefined) sides.push(side('Target', target, pidOf(data.TargetProcessId)));
    return sides;
  }
  const guid = processGuidOf(data.ProcessGuid);
  return guid === undefined ? [] : [side('', guid, pidOf(data.ProcessId))];
}

function side(prefix: SidePrefix, guid: string, pid: number | undefined): EventSide {
  return pid === undefined ? { prefix, guid } : { prefix, guid, pid };
}

/** The value of each context field a record gives (absent when the record does not know it). */
export function contextValue(record: ProcessRecord, field: ProcessContextField): string | undefined {
  switch (field) {
    case 'User':
      return record.user;
    case 'IntegrityLevel':
      return record.integrityLevel;
    case 'ParentProcessGuid':
      return record.parentGuid;
    case 'ParentImage':
      return record.parentImage;
    case 'ParentCommandLine':
      return record.parentCommandLine;
    case 'ParentUser':
      return record.parentUser;
    case 'ParentIntegrityLevel':
      return record.parentIntegrityLevel;
    case 'Ancestors':
      return record.ancestors?.join(ANCESTORS_SEPARATOR);
  }
}

/**
 * Writes the context of `record` into `data` under `prefix`, field by field, only where `data` has no such field
 * (a value the event carries, even `-` or empty, is never replaced). Returns how many fields were written.
 */
export function pokeContext(data: Record<string, string>, prefix: SidePrefix, record: ProcessRecord): number {
  let written = 0;
  const names = FIELD_NAMES[prefix];
  for (let i = 0; i < PROCESS_CONTEXT_FIELDS.length; i++) {
    const field = PROCESS_CONTEXT_FIELDS[i] as ProcessContextField;
    const name = names[i] as string;
    if (data[name] !== undefined) continue;
    const value = contextValue(record, field);
    if (value === undefined) continue;
    data[name] = value;
    written++;
  }
  return written;
}
