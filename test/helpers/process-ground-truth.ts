/**
 * TEST HELPER: what the process-tracking hook should poke, computed independently of src/hooks (it imports no hook
 * code), by brute force over a recording.
 *
 * For each Sysmon event and each process it names (the event's own process, or for 8 and 10 the source and the
 * target process), when that process has a Sysmon 1 on the same host at or before the event: the context that
 * Sysmon 1 gives (ParentImage, ParentCommandLine, User, ...), the parent's User and IntegrityLevel when the parent
 * has a Sysmon 1 too, and the Ancestors chain as WHIDS builds it: the parent's own chain followed by the parent's
 * Image, or only the Sysmon 1's ParentImage when the parent has no Sysmon 1 (oldest first, direct parent last, the
 * process's own image excluded).
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** Where a process is named in an event, and the prefix of the fields written for it. */
export type ProcessSide = '' | 'Source' | 'Target';

/** The fields the hook may write for one side, without their prefix. */
export const CONTEXT_FIELDS = [
  'User',
  'IntegrityLevel',
  'ParentProcessGuid',
  'ParentImage',
  'ParentCommandLine',
  'ParentUser',
  'ParentIntegrityLevel',
  'Ancestors',
] as const;

export type ContextField = (typeof CONTEXT_FIELDS)[number];

export interface ProcessTruth {
  event: CanonicalEvent;
  side: ProcessSide;
  /** Lower-case ProcessGuid of the process on that side. */
  guid: string;
  /** The expected value of each field (without prefix); undefined when the truth has none (e.g. untracked parent). */
  expected: Partial<Record<ContextField, string>>;
}

export interface ProcessGroundTruth {
  /** Sides whose process has a Sysmon 1 at or before the event on the same host. */
  tracked: ProcessTruth[];
  /** Sides naming a process without such a Sysmon 1: nothing may be poked for them. */
  untracked: { event: CanonicalEvent; side: ProcessSide; guid: string }[];
}

/** The GUID fields of each side, by event ID (Sysmon 10 spells GUID in capitals, 8 does not). */
function sidesOf(event: CanonicalEvent): { side: ProcessSide; guid: string }[] {
  const data = event.data;
  const pick = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = data[name]?.trim().toLowerCase();
      if (value !== undefined && value !== '' && value !== '-') return value;
    }
    return undefined;
  };
  if (event.eventId === 8 || event.eventId === 10) {
    const sides: { side: ProcessSide; guid: string }[] = [];
    const source = pick('SourceProcessGuid', 'SourceProcessGUID');
    const target = pick('TargetProcessGuid', 'TargetProcessGUID');
    if (source !== undefined) sides.push({ side: 'Source', guid: source });
    if (target !== undefined) sides.push({ side: 'Target', guid: target });
    return sides;
  }
  const own = pick('ProcessGuid');
  return own === undefined ? [] : [{ side: '', guid: own }];
}

/** Ground truth over `events` (sorted by time, as readOtrfEvents returns them). */
export function processGroundTruth(events: readonly CanonicalEvent[]): ProcessGroundTruth {
  // Every Sysmon 1 by host + guid, the earliest first.
  const creations = new Map<string, CanonicalEvent[]>();
  const keyOf = (host: string, guid: string) => `${host.trim().toLowerCase()}\n${guid}`;
  for (const event of events) {
    if (event.channel !== SYSMON || event.eventId !== 1) continue;
    const guid = event.data.ProcessGuid?.trim().toLowerCase();
    if (guid === undefined || guid === '') continue;
    const key = keyOf(event.host, guid);
    const list = creations.get(key) ?? [];
    list.push(event);
    creations.set(key, list);
  }
  for (const list of creations.values()) list.sort((a, b) => a.time - b.time);
  const creationAt = (host: string, guid: string, time: number): CanonicalEvent | undefined =>
    creations.get(keyOf(host, guid))?.find((creation) => creation.time <= time);

  const chains = new Map<CanonicalEvent, string[]>();
  const chainOf = (creation: CanonicalEvent): string[] => {
    const known = chains.get(creation);
    if (known !== undefined) return known;
    // A cycle (two creations naming each other at the same millisecond) ends at the creation seen twice.
    chains.set(creation, []);
    const parentGuid = creation.data.ParentProcessGuid?.trim().toLowerCase() ?? '';
    const parent = parentGuid === '' ? undefined : creationAt(creation.host, parentGuid, creation.time);
    let chain: string[];
    if (parent !== undefined && parent !== creation) chain = [...chainOf(parent), parent.data.Image ?? ''];
    else chain = creation.data.ParentImage === undefined ? [] : [creation.data.ParentImage];
    chains.set(creation, chain);
    return chain;
  };

  const truth: ProcessGroundTruth = { tracked: [], untracked: [] };
  for (const event of events) {
    if (event.channel !== SYSMON) continue;
    for (const { side, guid } of sidesOf(event)) {
      const creation = creationAt(event.host, guid, event.time);
      if (creation === undefined) {
        truth.untracked.push({ event, side, guid });
        continue;
      }
      const parentGuid = creation.data.ParentProcessGuid?.trim().toLowerCase() ?? '';
      const parent = parentGuid === '' ? undefined : creationAt(creation.host, parentGuid, creation.time);
      const expected: Partial<Record<ContextField, string>> = {
        User: creation.data.User,
        IntegrityLevel: creation.data.IntegrityLevel,
        ParentProcessGuid: creation.data.ParentProcessGuid,
        ParentImage: creation.data.ParentImage,
        ParentCommandLine: creation.data.ParentCommandLine,
        ParentUser: parent?.data.User,
        ParentIntegrityLevel: parent?.data.IntegrityLevel,
        Ancestors: chainOf(creation).join('|'),
      };
      truth.tracked.push({ event, side, guid, expected });
    }
  }
  return truth;
}
