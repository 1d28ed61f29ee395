/**
 * ECS back to Security EventData names, for documents the Winlogbeat / Elastic Agent Security module processed.
 *
 * What the module does (beats x-pack/winlogbeat/module/security/ingest/security.yml, the ingest pipeline of
 * Winlogbeat 8, and the System integration's security data stream of Elastic Agent): mostly it COPIES
 * EventData to ECS (user.*, user.target.*, user.effective.*, group.*, winlog.logon.*, service.*,
 * process.command_line...) and keeps it. It MOVES (sets the ECS field, removes the EventData field):
 * - for the "common auth" events ({@link COMMON_AUTH_EVENTS}: 4624, 4625, 4648, 4689, 4720-4771, ...):
 *   ProcessId -> process.pid (hex decoded to a number), ProcessName -> process.executable, IpAddress ->
 *   source.ip (not when '-'; a `::ffff:` prefix is then stripped), IpPort -> source.port (a number; not when
 *   '-'), WorkstationName -> source.domain, ClientAddress -> related.ip (not when '-');
 * - for 4688: NewProcessId -> process.pid, NewProcessName -> process.executable, ParentProcessName ->
 *   process.parent.executable (ProcessId is copied to process.parent.pid and kept).
 * It SPLITS on whitespace into lists: PrivilegeList (4672, 4673, 4674, 4741-4743), AccessMask (every event),
 * SidList (4670, 4817, 4907, 4908). It ADDS EventData fields of its own: AccessMaskDescription,
 * AccessListDescription, AuditPolicyChangesDescription, StatusDescription (4768-4771), Category and SubCategory
 * (from SubcategoryGuid), SidListDesc, and OldSd/NewSd Owner, Group, DaclN, SaclN.
 *
 * Winlogbeat 7's script module (config/winlogbeat-security.js) does the same moves for the events it handles,
 * keeps `::ffff:` except for Kerberos events, and splits AccessMask (4673, 4674) on `%%` (`%%1537` -> `1537`);
 * both forms are read.
 *
 * Undone here: each move backwards (a pid as the `0x…` hex Windows writes), each list joined with the
 * separator Windows renders (PrivilegeList: CR LF and three tabs; AccessMask: CR LF and four tabs; SidList: a
 * space), and the module's own fields dropped unless the event's manifest names them. Not recoverable: a
 * `::ffff:` prefix of IpAddress, whitespace around and inside split lists other than the usual separator (an
 * AccessMask of several `%%` codes loses its trailing separator), a decimal ProcessId (Security writes hex).
 */

import { manifestVersions } from '../../schemas.js';
import { isObject } from '../../values.js';
import { ecsText, ecsValue } from './ecs-path.js';

export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';

/** Events whose process, source address and workstation the module moves to ECS ("Rename Common Auth Fields"). */
export const COMMON_AUTH_EVENTS: ReadonlySet<number> = new Set([
  1100, 1102, 1104, 1105, 1108, 4624, 4648, 4625, 4670, 4673, 4674, 4689, 4697, 4719, 4720, 4722, 4723, 4724, 4725,
  4726, 4727, 4728, 4729, 4730, 4731, 4732, 4733, 4734, 4735, 4737, 4738, 4740, 4741, 4742, 4743, 4744, 4745, 4746,
  4747, 4748, 4749, 4750, 4751, 4752, 4753, 4754, 4755, 4756, 4757, 4758, 4759, 4760, 4761, 4762, 4763, 4764, 4767,
  4768, 4769, 4770, 4771, 4798, 4799, 4817, 4904, 4905, 4907, 4912,
]);

/** Events whose PrivilegeList the module splits; SidList likewise. AccessMask is split in every event. */
export const PRIVILEGE_LIST_EVENTS: ReadonlySet<number> = new Set([4672, 4673, 4674, 4741, 4742, 4743]);
export const SID_LIST_EVENTS: ReadonlySet<number> = new Set([4670, 4817, 4907, 4908]);

/** EventData name -> the ECS path the module moves it to, per group of events. */
export const COMMON_AUTH_MOVES: ReadonlyMap<string, string> = new Map([
  ['ProcessId', 'process.pid'],
  ['ProcessName', 'process.executable'],
  ['IpAddress', 'source.ip'],
  ['IpPort', 'source.port'],
  ['WorkstationName', 'source.domain'],
  ['ClientAddress', 'related.ip'],
]);
export const PROCESS_CREATION_MOVES: ReadonlyMap<string, string> = new Map([
  ['NewProcessId', 'process.pid'],
  ['NewProcessName', 'process.executable'],
  ['ParentProcessName', 'process.parent.executable'],
]);

/** The separators Windows renders between the items of the lists the module splits. */
export const LIST_SEPARATORS: ReadonlyMap<string, string> = new Map([
  ['PrivilegeList', '\r\n\t\t\t'],
  ['AccessMask', '\r\n\t\t\t\t'],
  ['SidList', ' '],
]);

/** EventData fields the module writes itself (dropped unless the event's template has a field of that name). */
const ADDED =
  /^(AccessMaskDescription|AccessListDescription|AuditPolicyChangesDescription|StatusDescription|Category|SubCategory|SidListDesc|(Old|New)Sd(Owner|Group|Dacl\d+|Sacl\d+))$/;

/** Whether an event is a Security auditing event (the events the module processes). */
export function isSecurityEvent(provider: string, channel: string): boolean {
  return provider === SECURITY_PROVIDER || (provider === '' && channel === 'Security');
}

/** Whether the document went through the module (its ingest pipeline sets `event.module`). */
function processedByModule(document: Record<string, unknown>): boolean {
  const module = ecsText(document, 'event.module');
  return module === 'security' || ecsText(document, 'data_stream.dataset') === 'system.security';
}

/** The names the event's manifest templates give, all versions; undefined when the event is not in them. */
function templateNames(provider: string, channel: string, eventId: number): ReadonlySet<string> | undefined {
  const versions = manifestVersions(provider, channel, eventId);
  if (versions === undefined) return undefined;
  const names = new Set<string>();
  for (const key in versions) for (const name of versions[Number(key)] as readonly string[]) names.add(name);
  return names;
}

function moved(document: Record<string, unknown>, name: string, path: string): string | undefined {
  if (path === 'related.ip') {
    // A string when set from ClientAddress; a list once source.ip is appended to it.
    const value = ecsValue(document, path);
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }
  const text = ecsText(document, path);
  if (text === undefined) return undefined;
  if ((name === 'ProcessId' || name === 'NewProcessId') && /^\d+$/.test(text)) return `0x${Number(text).toString(16)}`;
  return text;
}

/**
 * Undo what the Security module did to `data` (winlog.event_data as read): moved fields the event's template
 * names and `data` lacks are rebuilt from ECS, split lists joined back, the module's own fields dropped.
 */
export function rebuildSecurity(
  document: Record<string, unknown>,
  context: { provider: string; channel: string; eventId: number },
  data: Record<string, string>,
): void {
  const { eventId } = context;
  const names = templateNames(context.provider, context.channel, eventId);
  const moves = COMMON_AUTH_EVENTS.has(eventId)
    ? COMMON_AUTH_MOVES
    : eventId === 4688
      ? PROCESS_CREATION_MOVES
      : undefined;
  for (const [name, path] of moves ?? []) {
    if (data[name] !== undefined || (names !== undefined && !names.has(name))) continue;
    const value = moved(document, name, path);
    if (value !== undefined) data[name] = value;
  }
  const eventData = isObject(document.winlog) ? document.winlog.event_data : undefined;
  if (isObject(eventData)) {
    for (const [name, separator] of LIST_SEPARATORS) {
      const list = eventData[name];
      if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) continue;
      // Winlogbeat 7's script module splits AccessMask on `%%`, dropping it: `%%1537` arrives as `1537`.
      const items = name === 'AccessMask' ? list.map((item) => (/^\d+$/.test(item) ? `%%${item}` : item)) : list;
      data[name] = items.join(separator);
    }
  }
  if (!processedByModule(document)) return;
  for (const name of Object.keys(data)) {
    if (ADDED.test(name) && (names === undefined || !names.has(name))) delete data[name];
  }
}
