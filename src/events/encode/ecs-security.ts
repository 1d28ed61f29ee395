/**
 * What the Security module (Winlogbeat 8's ingest pipeline, and the Elastic Agent System integration's
 * security data stream) makes of a Security event: EventData moved to ECS, lists split, fields of its own
 * added, as listed in src/events/formats/ecs/security.ts. Lossy on purpose (it is what such a shipper sends), so
 * it is not one of the round-trip ENCODERS; tests use it to check that the reader maps such documents back.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import {
  COMMON_AUTH_EVENTS,
  PRIVILEGE_LIST_EVENTS,
  SECURITY_PROVIDER,
  SID_LIST_EVENTS,
} from '../formats/ecs/security.js';
import { type EcsDocument as Doc, type ModuleShipper, putPath as put, shipperText } from './ecs-module-document.js';

export interface SecurityModuleOptions {
  /** Which shipper's document to start from. */
  shipper: ModuleShipper;
}

/** Java's Long.decode, as the pipeline's painless scripts use it: `0x…` hex or decimal; else undefined. */
function decode(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^-?\d+$/.test(text)) return Number(text);
  return undefined;
}

/** The ingest `split` processor on `\s+`, and the painless split of AccessMask (no empty items). */
const words = (text: string): string[] => text.split(/\s+/).filter((word) => word !== '');

/** The event as the Security module leaves it. Events of other providers are encoded unchanged. */
export function encodeSecurityModule(event: CanonicalEvent, options: SecurityModuleOptions): string {
  const base = shipperText(event, options.shipper);
  if (event.provider !== SECURITY_PROVIDER) return base;
  const document = JSON.parse(base) as Doc;
  const code = event.eventId;
  const data: Record<string, unknown> = { ...event.data };
  put(document, 'event.module', 'security');
  /** Moves a field to ECS (set, then removed), when present and `keep` says so. */
  const move = (name: string, path: string, convert: (value: string) => unknown = (value) => value) => {
    const value = data[name];
    if (typeof value !== 'string') return;
    const converted = convert(value);
    if (converted === undefined) return;
    put(document, path, converted);
    delete data[name];
  };
  const unlessDash = (value: string) => (value === '-' ? undefined : value);

  if (typeof data.SubjectUserName === 'string') put(document, 'user.name', data.SubjectUserName);
  if (typeof data.SubjectDomainName === 'string') put(document, 'user.domain', data.SubjectDomainName);
  if (COMMON_AUTH_EVENTS.has(code)) {
    move('ProcessId', 'process.pid', decode);
    move('ProcessName', 'process.executable');
    move('IpAddress', 'source.ip', (value) => unlessDash(value)?.replace('::ffff:', ''));
    move('IpPort', 'source.port', (value) => (value === '-' ? undefined : decode(value)));
    move('WorkstationName', 'source.domain');
    move('ClientAddress', 'related.ip', unlessDash);
  }
  if (code === 4688) {
    if (typeof data.ProcessId === 'string') put(document, 'process.parent.pid', decode(data.ProcessId));
    if (typeof data.CommandLine === 'string') put(document, 'process.command_line', data.CommandLine);
    move('NewProcessId', 'process.pid', decode);
    move('NewProcessName', 'process.executable');
    move('ParentProcessName', 'process.parent.executable');
  }
  if (PRIVILEGE_LIST_EVENTS.has(code) && typeof data.PrivilegeList === 'string') {
    data.PrivilegeList = data.PrivilegeList.split(/\s+/);
  }
  if (typeof data.AccessMask === 'string') {
    const list = words(data.AccessMask);
    if (list.length > 0) {
      data.AccessMask = list;
      data.AccessMaskDescription = list.map((item) => `description of ${item}`);
    }
  }
  if (SID_LIST_EVENTS.has(code) && typeof data.SidList === 'string') {
    const list = words(data.SidList);
    data.SidList = list;
    data.SidListDesc = list.map((sid) => `description of ${sid}`);
  }
  if (code >= 4768 && code <= 4771 && typeof data.Status === 'string') data.StatusDescription = 'KDC_ERR_NONE';
  if (typeof data.SubcategoryGuid === 'string') {
    data.Category = 'Logon/Logoff';
    data.SubCategory = 'Logon';
  }
  const winlog = document.winlog as Doc;
  winlog.event_data = data;
  return JSON.stringify(document);
}
