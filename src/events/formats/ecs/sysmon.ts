/**
 * ECS back to Sysmon's EventData names, for documents the Winlogbeat / Elastic Agent Sysmon module processed.
 *
 * What the module does (beats x-pack/winlogbeat/module/sysmon/ingest/sysmon.yml, the ingest pipeline of
 * Winlogbeat 8 and of the Elastic Agent Windows integration's sysmon_operational data stream): it RENAMES
 * (moves out of winlog.event_data) ProcessGuid, SourceProcessGuid/GUID -> process.entity_id; Image, SourceImage,
 * Destination -> process.executable; CommandLine, CurrentDirectory, Parent{ProcessGuid,Image,CommandLine};
 * OriginalFileName -> process.pe / file.pe (event 7); TargetFilename, Device, ImageLoaded -> file.path;
 * PipeName -> file.name; Protocol -> network.transport; Source/DestinationHostname -> source/destination.domain;
 * Source/DestinationPortName -> network.protocol; QueryName -> dns.question.name; QueryStatus ->
 * sysmon.dns.status (translated to a name); RuleName -> rule.name; ID (255) -> error.code; Type (25) ->
 * message. It CONVERTS then REMOVES ProcessId, ParentProcessId, SourceProcessId, SourceThreadId, SourceIp,
 * SourcePort, DestinationIp, DestinationPort (-> process.pid, process.parent.pid, process.thread.id,
 * source.*, destination.*), Archived, IsExecutable (-> sysmon.file.*). It REMOVES after deriving: User
 * (-> user.domain, user.name), Hashes/Hash (-> process.hash.* for events 1, 23-26, file.hash.* for 6, 7, 15,
 * imphash under *.pe.imphash; lower-cased, all-zero hashes dropped; other events' hashes are lost), Initiated
 * (-> network.direction), Source/DestinationIsIpv6 (-> network.type), QueryResults (-> dns.answers,
 * dns.resolved_ip), UtcTime (-> @timestamp), TargetObject (-> registry.path), Details (-> registry.data, for
 * DWORD and QWORD only). Finally every value that is '' or '-' is removed. It COPIES (keeps) Company,
 * Description, FileVersion, Product, Signature, SignatureStatus.
 *
 * Rebuilt here, for a field the schema of the event names and winlog.event_data lacks: each rename and
 * conversion backwards, and User, Hashes/Hash, Initiated, Source/DestinationIsIpv6, QueryStatus, QueryResults,
 * UtcTime, TargetObject and DWORD Details as Sysmon writes them. Not rebuildable from ECS (recovered from the
 * rendered `message` when it is there; see index.ts): Source/DestinationPortName (both went to one field),
 * Details other than DWORD, the hashes of events other than 1, 6, 7, 15, 23-26, and every '' or '-' value.
 */

import { isObject } from '../../values.js';
import { ecsText, ecsValue, firstEcsText } from './ecs-path.js';

/** Sysmon name -> the ECS paths the module moves it to (first present wins). */
export const SYSMON_RENAMES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['ProcessGuid', ['process.entity_id']],
  ['SourceProcessGuid', ['process.entity_id']],
  ['SourceProcessGUID', ['process.entity_id']],
  ['ProcessId', ['process.pid']],
  ['SourceProcessId', ['process.pid']],
  ['SourceThreadId', ['process.thread.id']],
  ['Image', ['process.executable']],
  ['SourceImage', ['process.executable']],
  ['Destination', ['process.executable']],
  ['CommandLine', ['process.command_line']],
  ['CurrentDirectory', ['process.working_directory']],
  ['ParentProcessGuid', ['process.parent.entity_id']],
  ['ParentProcessId', ['process.parent.pid']],
  ['ParentImage', ['process.parent.executable']],
  ['ParentCommandLine', ['process.parent.command_line']],
  ['OriginalFileName', ['process.pe.original_file_name', 'file.pe.original_file_name']],
  ['Company', ['process.pe.company', 'file.pe.company']],
  ['Description', ['process.pe.description', 'file.pe.description']],
  ['FileVersion', ['process.pe.file_version', 'file.pe.file_version']],
  ['Product', ['process.pe.product', 'file.pe.product']],
  ['Signature', ['file.code_signature.subject_name']],
  ['SignatureStatus', ['file.code_signature.status']],
  ['TargetFilename', ['file.path']],
  ['Device', ['file.path']],
  ['ImageLoaded', ['file.path']],
  ['PipeName', ['file.name']],
  ['Protocol', ['network.transport']],
  ['SourceIp', ['source.ip']],
  ['SourceHostname', ['source.domain']],
  ['SourcePort', ['source.port']],
  ['DestinationIp', ['destination.ip']],
  ['DestinationHostname', ['destination.domain']],
  ['DestinationPort', ['destination.port']],
  ['QueryName', ['dns.question.name']],
  ['RuleName', ['rule.name']],
  ['ID', ['error.code']],
  ['Archived', ['sysmon.file.archived']],
  ['IsExecutable', ['sysmon.file.is_executable']],
]);

/** Sysmon event IDs whose Hashes the module files under process.hash; file.hash for the others it keeps. */
export const PROCESS_HASH_EVENTS: ReadonlySet<number> = new Set([1, 23, 24, 25, 26]);
export const FILE_HASH_EVENTS: ReadonlySet<number> = new Set([6, 7, 15]);

/** The order Sysmon writes hash algorithms in (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`). */
export const HASH_ORDER: readonly string[] = ['sha1', 'md5', 'sha256', 'imphash'];

/** Windows DNS query status codes (winerror.h) under the names the module translates them to. */
export const DNS_STATUS_NAMES: ReadonlyMap<string, string> = new Map([
  ['0', 'SUCCESS'],
  ['5', 'ERROR_ACCESS_DENIED'],
  ['123', 'ERROR_INVALID_NAME'],
  ['1214', 'ERROR_INVALID_NETNAME'],
  ['1223', 'ERROR_CANCELLED'],
  ['1460', 'ERROR_TIMEOUT'],
  ['9001', 'DNS_ERROR_RCODE_FORMAT_ERROR'],
  ['9002', 'DNS_ERROR_RCODE_SERVER_FAILURE'],
  ['9003', 'DNS_ERROR_RCODE_NAME_ERROR'],
  ['9004', 'DNS_ERROR_RCODE_NOT_IMPLEMENTED'],
  ['9005', 'DNS_ERROR_RCODE_REFUSED'],
  ['9501', 'DNS_INFO_NO_RECORDS'],
  ['9502', 'DNS_ERROR_BAD_PACKET'],
  ['9503', 'DNS_ERROR_NO_PACKET'],
  ['9560', 'DNS_ERROR_INVALID_NAME_CHAR'],
  ['9701', 'DNS_ERROR_RECORD_DOES_NOT_EXIST'],
  ['9851', 'DNS_ERROR_NO_TCPIP'],
  ['9852', 'DNS_ERROR_NO_DNS_SERVERS'],
  ['10054', 'WSAECONNRESET'],
  ['10060', 'WSAETIMEDOUT'],
]);
const DNS_STATUS_CODES: ReadonlyMap<string, string> = new Map(
  [...DNS_STATUS_NAMES].map(([code, name]) => [name, code]),
);

/** DNS record type numbers (RFC 1035 and successors) under their names. */
export const DNS_RECORD_TYPES: ReadonlyMap<string, string> = new Map([
  ['1', 'A'],
  ['2', 'NS'],
  ['3', 'MD'],
  ['4', 'MF'],
  ['5', 'CNAME'],
  ['6', 'SOA'],
  ['7', 'MB'],
  ['8', 'MG'],
  ['9', 'MR'],
  ['10', 'NULL'],
  ['11', 'WKS'],
  ['12', 'PTR'],
  ['13', 'HINFO'],
  ['14', 'MINFO'],
  ['15', 'MX'],
  ['16', 'TXT'],
  ['17', 'RP'],
  ['18', 'AFSDB'],
  ['24', 'SIG'],
  ['25', 'KEY'],
  ['28', 'AAAA'],
  ['29', 'LOC'],
  ['33', 'SRV'],
  ['35', 'NAPTR'],
  ['39', 'DNAME'],
  ['41', 'OPT'],
  ['43', 'DS'],
  ['46', 'RRSIG'],
  ['47', 'NSEC'],
  ['48', 'DNSKEY'],
  ['255', 'ANY'],
]);
const DNS_RECORD_CODES: ReadonlyMap<string, string> = new Map(
  [...DNS_RECORD_TYPES].map(([code, name]) => [name, code]),
);

/** Registry hive spellings folded to the ones Sysmon writes. */
const HIVES: ReadonlyMap<string, string> = new Map([
  ['HKEY_LOCAL_MACHINE', 'HKLM'],
  ['HKEY_USERS', 'HKU'],
  ['HKEY_CLASSES_ROOT', 'HKCR'],
  ['HKEY_CURRENT_USER', 'HKCU'],
  ['HKEY_CURRENT_CONFIG', 'HKCC'],
]);

/** The `yyyy-MM-dd HH:mm:ss.SSS` UTC form Sysmon writes, from an ISO time; undefined when it is not one. */
export function sysmonUtcTime(iso: string): string | undefined {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return new Date(time).toISOString().replace('T', ' ').replace('Z', '');
}

function hashes(document: Record<string, unknown>, eventId: number): string | undefined {
  const root = PROCESS_HASH_EVENTS.has(eventId) ? 'process' : FILE_HASH_EVENTS.has(eventId) ? 'file' : undefined;
  if (root === undefined) return undefined;
  const found: Record<string, string> = {};
  const hash = ecsValue(document, `${root}.hash`);
  if (isObject(hash)) {
    for (const key in hash) {
      const value = hash[key];
      if (typeof value === 'string' && value !== '') found[key.toLowerCase()] = value;
    }
  }
  const imphash = ecsText(document, `${root}.pe.imphash`);
  if (imphash !== undefined && imphash !== '') found.imphash = imphash;
  const keys = Object.keys(found).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (keys.length === 0) return undefined;
  return keys.map((key) => `${key.toUpperCase()}=${(found[key] ?? '').toUpperCase()}`).join(',');
}

function rank(algorithm: string): number {
  const at = HASH_ORDER.indexOf(algorithm);
  return at === -1 ? HASH_ORDER.length : at;
}

function user(document: Record<string, unknown>): string | undefined {
  const name = ecsText(document, 'user.name');
  if (name === undefined || name === '') return undefined;
  const domain = ecsText(document, 'user.domain');
  return domain === undefined || domain === '' ? name : `${domain}\\${name}`;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `type:  5 name;::ffff:1.2.3.4;` from dns.answers (non-address records) and dns.resolved_ip. */
function queryResults(document: Record<string, unknown>): string | undefined {
  const ips = strings(ecsValue(document, 'dns.resolved_ip'));
  const answers = ecsValue(document, 'dns.answers');
  const parts: string[] = [];
  for (const answer of Array.isArray(answers) ? answers : []) {
    if (!isObject(answer) || typeof answer.data !== 'string') continue;
    const type = typeof answer.type === 'string' ? answer.type : '';
    if ((type === 'A' || type === 'AAAA') && (ips.length === 0 || ips.includes(answer.data))) {
      if (ips.length === 0) parts.push(address(answer.data));
      continue;
    }
    const code = DNS_RECORD_CODES.get(type) ?? (/^\d+$/.test(type) ? type : undefined);
    if (code !== undefined) parts.push(`type:  ${code} ${answer.data}`);
  }
  for (const ip of ips) parts.push(address(ip));
  return parts.length === 0 ? undefined : `${parts.map((part) => `${part};`).join('')}`;
}

/** Sysmon writes IPv4 answers as V4-mapped IPv6 (`::ffff:1.2.3.4`). */
function address(ip: string): string {
  return ip.includes(':') ? ip : `::ffff:${ip}`;
}

function targetObject(document: Record<string, unknown>): string | undefined {
  let path = ecsText(document, 'registry.path');
  if (path === undefined) {
    const hive = ecsText(document, 'registry.hive');
    const key = ecsText(document, 'registry.key');
    if (hive === undefined || key === undefined) return undefined;
    path = `${hive}\\${key}`;
  }
  const cut = path.indexOf('\\');
  const hive = cut === -1 ? path : path.slice(0, cut);
  const short = HIVES.get(hive.toUpperCase());
  return short === undefined ? path : short + path.slice(hive.length);
}

/** `DWORD (0x00000001)` from registry.data of type SZ_DWORD; other types cannot be rebuilt. */
function details(document: Record<string, unknown>): string | undefined {
  if (ecsText(document, 'registry.data.type') !== 'SZ_DWORD') return undefined;
  const value = strings(ecsValue(document, 'registry.data.strings'))[0];
  return value !== undefined && /^0x[0-9a-fA-F]{8}$/.test(value) ? `DWORD (${value})` : undefined;
}

function built(name: string, document: Record<string, unknown>, eventId: number): string | undefined {
  switch (name) {
    case 'UtcTime': {
      const time = ecsText(document, '@timestamp');
      return time === undefined ? undefined : sysmonUtcTime(time);
    }
    case 'User':
      return user(document);
    case 'Hashes':
    case 'Hash':
      return hashes(document, eventId);
    case 'Initiated': {
      const direction = ecsText(document, 'network.direction');
      if (direction === 'egress' || direction === 'outbound') return 'true';
      if (direction === 'ingress' || direction === 'inbound') return 'false';
      return undefined;
    }
    case 'SourceIsIpv6':
    case 'DestinationIsIpv6': {
      const type = ecsText(document, 'network.type');
      return type === 'ipv6' ? 'true' : type === 'ipv4' ? 'false' : undefined;
    }
    case 'QueryStatus': {
      const status = ecsText(document, 'sysmon.dns.status');
      if (status === undefined) return undefined;
      return DNS_STATUS_CODES.get(status) ?? (/^\d+$/.test(status) ? status : undefined);
    }
    case 'QueryResults':
      return queryResults(document);
    case 'TargetObject':
      return targetObject(document);
    case 'Details':
      return details(document);
    default: {
      const paths = SYSMON_RENAMES.get(name);
      if (paths === undefined) return undefined;
      // GUIDs as logged: the module copies them with their braces (a few samples log them without).
      return firstEcsText(document, name === 'OriginalFileName' && eventId === 7 ? [...paths].reverse() : paths);
    }
  }
}

/**
 * Fill each field of the Sysmon schema `fields` that `data` lacks from the document's ECS fields, where the
 * module left something to rebuild it from. `data` (winlog.event_data) always wins.
 */
export function rebuildSysmon(
  document: Record<string, unknown>,
  eventId: number,
  fields: readonly string[],
  data: Record<string, string>,
): void {
  for (const name of fields) {
    if (data[name] !== undefined) continue;
    const value = built(name, document, eventId);
    if (value !== undefined) data[name] = value;
  }
}
