/**
 * What the Sysmon module (Winlogbeat 8's ingest pipeline, and the Elastic Agent Windows integration's
 * sysmon_operational pipeline) makes of a Sysmon event: EventData renamed to ECS and removed, as listed in
 * src/events/formats/ecs/sysmon.ts. Lossy on purpose (it is what such a shipper sends), so it is not one of
 * the round-trip ENCODERS; tests use it to check that the reader maps such documents back.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { DNS_RECORD_TYPES, DNS_STATUS_NAMES, FILE_HASH_EVENTS, PROCESS_HASH_EVENTS } from '../formats/ecs/sysmon.js';
import { type EcsDocument as Doc, type ModuleShipper, putPath as put, shipperText } from './ecs-module-document.js';

export interface SysmonModuleOptions {
  /** Which shipper's document to start from. */
  shipper: ModuleShipper;
  /** Keep the rendered `message` (`Name: value` lines), as both do by default; false as when it is dropped. */
  message: boolean;
}

function has(document: Doc, path: string): boolean {
  let at: unknown = document;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Doc)[part];
  }
  return at !== undefined;
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const isIp = (value: string): boolean => IPV4.test(value) || (value.includes(':') && /^[0-9a-fA-F:.]+$/.test(value));
const isLong = (value: string): boolean => /^-?\d+$/.test(value);

/** The event as the Sysmon module leaves it. Non-Sysmon events are encoded unchanged. */
export function encodeSysmonModule(event: CanonicalEvent, options: SysmonModuleOptions): string {
  const base = shipperText(event, options.shipper);
  const document = JSON.parse(base) as Doc;
  if (event.channel !== 'Microsoft-Windows-Sysmon/Operational') return base;
  const code = event.eventId;
  const data: Record<string, string> = { ...event.data };
  if (options.message) {
    const lines = Object.entries(event.data).map(([name, value]) => `${name}: ${value}`);
    document.message = [`Sysmon event ${code}:`, ...lines].join('\r\n');
  }
  const present = (name: string): boolean => data[name] !== undefined && data[name] !== '';
  /** A rename: moved, unless the target is already set (the ingest rename then fails and is ignored). */
  const rename = (name: string, path: string): void => {
    if (!present(name) || has(document, path)) return;
    put(document, path, data[name]);
    delete data[name];
  };
  /** A convert to a new field: copied when valid (the EventData field is removed at cleanup). */
  const convert = (name: string, path: string, valid: (value: string) => boolean, to: (value: string) => unknown) => {
    const value = data[name];
    if (value !== undefined && value !== '' && valid(value)) put(document, path, to(value));
  };
  const copy = (name: string, path: string): void => {
    if (present(name)) put(document, path, data[name]);
  };

  if (code === 255) rename('ID', 'error.code');
  if (data.RuleName !== '-') rename('RuleName', 'rule.name');
  if (code === 25) rename('Type', 'message');
  // Hash (event 15) is renamed to Hashes, then split into lower-cased algorithm -> value, all-zero ones dropped.
  let hashes: Record<string, string> | undefined;
  const hashText = present('Hash') ? data.Hash : data.Hashes;
  if (hashText !== undefined && hashText !== '') {
    hashes = {};
    for (const pair of hashText.split(',')) {
      const at = pair.indexOf('=');
      if (at === -1) continue;
      const value = pair.slice(at + 1).toLowerCase();
      if (/^0*$/.test(value)) continue;
      hashes[pair.slice(0, at).toLowerCase()] = value;
    }
  }
  if (hashes !== undefined && PROCESS_HASH_EVENTS.has(code)) {
    const { imphash, ...rest } = hashes;
    put(document, 'process.hash', rest);
    if (imphash !== undefined) put(document, 'process.pe.imphash', imphash);
  }
  rename('ProcessGuid', 'process.entity_id');
  convert('ProcessId', 'process.pid', isLong, Number);
  rename('Image', 'process.executable');
  rename('SourceProcessGuid', 'process.entity_id');
  rename('SourceProcessGUID', 'process.entity_id');
  convert('SourceProcessId', 'process.pid', isLong, Number);
  convert('SourceThreadId', 'process.thread.id', isLong, Number);
  rename('SourceImage', 'process.executable');
  rename('Destination', 'process.executable');
  rename('CommandLine', 'process.command_line');
  rename('CurrentDirectory', 'process.working_directory');
  rename('ParentProcessGuid', 'process.parent.entity_id');
  convert('ParentProcessId', 'process.parent.pid', isLong, Number);
  rename('ParentImage', 'process.parent.executable');
  rename('ParentCommandLine', 'process.parent.command_line');
  const pe = code === 7 ? 'file.pe' : 'process.pe';
  rename('OriginalFileName', `${pe}.original_file_name`);
  copy('Company', `${pe}.company`);
  copy('Description', `${pe}.description`);
  copy('FileVersion', `${pe}.file_version`);
  copy('Product', `${pe}.product`);
  if (hashes !== undefined && FILE_HASH_EVENTS.has(code)) {
    const { imphash, ...rest } = hashes;
    put(document, 'file.hash', rest);
    if (imphash !== undefined) put(document, 'file.pe.imphash', imphash);
  }
  rename('TargetFilename', 'file.path');
  rename('Device', 'file.path');
  rename('PipeName', 'file.name');
  rename('ImageLoaded', 'file.path');
  copy('Signature', 'file.code_signature.subject_name');
  copy('SignatureStatus', 'file.code_signature.status');
  rename('Protocol', 'network.transport');
  if (code !== 22) {
    rename('DestinationPortName', 'network.protocol');
    rename('SourcePortName', 'network.protocol');
  } else put(document, 'network.protocol', 'dns');
  convert('SourceIp', 'source.ip', isIp, String);
  rename('SourceHostname', 'source.domain');
  convert('SourcePort', 'source.port', isLong, Number);
  convert('DestinationIp', 'destination.ip', isIp, String);
  rename('DestinationHostname', 'destination.domain');
  convert('DestinationPort', 'destination.port', isLong, Number);
  rename('QueryName', 'dns.question.name');
  if (data.Initiated === 'true') put(document, 'network.direction', 'egress');
  if (data.Initiated === 'false') put(document, 'network.direction', 'ingress');
  if (data.SourceIsIpv6 === 'false') put(document, 'network.type', 'ipv4');
  if (data.SourceIsIpv6 === 'true') put(document, 'network.type', 'ipv6');
  if (present('QueryResults')) {
    const answers: Array<{ type: string | undefined; data: string }> = [];
    const ips: string[] = [];
    for (const answer of (data.QueryResults ?? '').split(';')) {
      if (answer === '') continue;
      if (answer.startsWith('type:')) {
        const parts = answer.split(/\s+/);
        if (parts.length === 3) answers.push({ type: DNS_RECORD_TYPES.get(parts[1] ?? ''), data: parts[2] ?? '' });
      } else {
        const ip = answer.replace('::ffff:', '');
        if (isIp(ip)) ips.push(ip);
      }
    }
    for (const ip of ips) answers.push({ type: ip.includes(':') ? 'AAAA' : 'A', data: ip });
    if (answers.length > 0) put(document, 'dns.answers', answers);
    if (ips.length > 0) put(document, 'dns.resolved_ip', ips);
  }
  const userParts = data.User?.split('\\');
  if (userParts?.length === 2) {
    if (userParts[0] !== '') put(document, 'user.domain', userParts[0]);
    if (userParts[1] !== '') put(document, 'user.name', userParts[1]);
  }
  if (present('QueryStatus')) {
    const status = data.QueryStatus ?? '';
    put(document, 'sysmon.dns.status', DNS_STATUS_NAMES.get(status) ?? status);
    delete data.QueryStatus;
  }
  convert(
    'Archived',
    'sysmon.file.archived',
    (v) => v === 'true' || v === 'false',
    (v) => v === 'true',
  );
  convert(
    'IsExecutable',
    'sysmon.file.is_executable',
    (v) => v === 'true' || v === 'false',
    (v) => v === 'true',
  );
  if (present('TargetObject') && (code === 12 || code === 13 || code === 14)) {
    const path = data.TargetObject ?? '';
    put(document, 'registry.path', path);
    const dword = /^DWORD \((0x[0-9a-fA-F]{8})\)$/i.exec(data.Details ?? '');
    if (dword) put(document, 'registry.data', { strings: [dword[1]], type: 'SZ_DWORD' });
  }
  for (const name of REMOVED) delete data[name];
  for (const name of Object.keys(data)) if (data[name] === '' || data[name] === '-') delete data[name];
  const winlog = document.winlog as Doc;
  if (Object.keys(data).length === 0) delete winlog.event_data;
  else winlog.event_data = data;
  return JSON.stringify(document);
}

/** The pipeline's cleanup list. */
const REMOVED = [
  'ProcessId',
  'ParentProcessId',
  'SourceProcessId',
  'SourceThreadId',
  'SourceIp',
  'SourcePort',
  'SourcePortName',
  'DestinationIp',
  'DestinationPort',
  'DestinationPortName',
  'RuleName',
  'User',
  'Initiated',
  'SourceIsIpv6',
  'DestinationIsIpv6',
  'QueryStatus',
  'Archived',
  'IsExecutable',
  'QueryResults',
  'UtcTime',
  'Hash',
  'Hashes',
  'TargetObject',
  'Details',
];
