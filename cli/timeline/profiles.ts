/**
 * The fields a responder expects first for each kind of event, in the order they read them: the `details` column of
 * `hookstream timeline`. One table, keyed by `channel|event ID`; a kind not listed shows its first few EventData
 * fields. Field names are the EventData names as written in the output (Sysmon, Security, PowerShell, DNS-Client).
 */

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const SECURITY = 'Security';
const POWERSHELL = 'Microsoft-Windows-PowerShell/Operational';
const DNS_CLIENT = 'Microsoft-Windows-DNS-Client/Operational';

const LOGON = ['TargetUserName', 'TargetDomainName', 'LogonType', 'IpAddress', 'WorkstationName', 'ProcessName'];

/** `channel|event ID` -> fields of the details column. */
export const PROFILES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [`${SYSMON}|1`, ['Image', 'CommandLine', 'User', 'ParentImage', 'ParentCommandLine', 'IntegrityLevel']],
  [`${SYSMON}|2`, ['Image', 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime']],
  [
    `${SYSMON}|3`,
    [
      'Image',
      'DestinationHostname',
      'DestinationIp',
      'DestinationPort',
      'Protocol',
      'User',
      'DestinationHostnameSource',
    ],
  ],
  [`${SYSMON}|5`, ['Image']],
  [`${SYSMON}|6`, ['ImageLoaded', 'Signature', 'Signed']],
  [`${SYSMON}|7`, ['Image', 'ImageLoaded', 'Signed', 'Signature']],
  [`${SYSMON}|8`, ['SourceImage', 'TargetImage', 'StartFunction']],
  [`${SYSMON}|10`, ['SourceImage', 'TargetImage', 'GrantedAccess']],
  [`${SYSMON}|11`, ['Image', 'TargetFilename']],
  [`${SYSMON}|12`, ['EventType', 'Image', 'TargetObject']],
  [`${SYSMON}|13`, ['Image', 'TargetObject', 'Details']],
  [`${SYSMON}|14`, ['Image', 'TargetObject', 'NewName']],
  [`${SYSMON}|15`, ['Image', 'TargetFilename', 'Hash']],
  [`${SYSMON}|17`, ['Image', 'PipeName']],
  [`${SYSMON}|18`, ['Image', 'PipeName']],
  [`${SYSMON}|22`, ['Image', 'QueryName', 'QueryResults', 'QueryStatus']],
  [`${SYSMON}|23`, ['Image', 'TargetFilename', 'User']],
  [`${SYSMON}|25`, ['Image', 'Type']],
  [`${SYSMON}|26`, ['Image', 'TargetFilename', 'User']],
  [`${DNS_CLIENT}|3006`, ['QueryName', 'QueryType']],
  [`${DNS_CLIENT}|3008`, ['QueryName', 'QueryResults', 'QueryType', 'QueryStatus']],
  [`${SECURITY}|1102`, ['SubjectUserName', 'SubjectDomainName']],
  [`${SECURITY}|4624`, LOGON],
  [`${SECURITY}|4625`, [...LOGON, 'Status', 'SubStatus']],
  [`${SECURITY}|4634`, ['TargetUserName', 'TargetDomainName', 'LogonType']],
  [`${SECURITY}|4648`, ['SubjectUserName', 'TargetUserName', 'TargetServerName', 'IpAddress', 'ProcessName']],
  [`${SECURITY}|4662`, ['SubjectUserName', 'ObjectName', 'Properties', 'AccessMask']],
  [`${SECURITY}|4663`, ['SubjectUserName', 'ObjectName', 'ProcessName', 'AccessList']],
  [`${SECURITY}|4672`, ['SubjectUserName', 'SubjectDomainName', 'PrivilegeList']],
  [`${SECURITY}|4688`, ['NewProcessName', 'CommandLine', 'SubjectUserName', 'ParentProcessName']],
  [`${SECURITY}|4697`, ['ServiceName', 'ServiceFileName', 'SubjectUserName']],
  [`${SECURITY}|4698`, ['TaskName', 'SubjectUserName']],
  [`${SECURITY}|4720`, ['TargetUserName', 'SubjectUserName']],
  [`${SECURITY}|4726`, ['TargetUserName', 'SubjectUserName']],
  [`${SECURITY}|4728`, ['MemberName', 'TargetUserName', 'SubjectUserName']],
  [`${SECURITY}|4732`, ['MemberName', 'TargetUserName', 'SubjectUserName']],
  [`${SECURITY}|4768`, ['TargetUserName', 'IpAddress', 'Status', 'TicketEncryptionType']],
  [`${SECURITY}|4769`, ['TargetUserName', 'ServiceName', 'IpAddress', 'TicketEncryptionType', 'Status']],
  [`${SECURITY}|4776`, ['TargetUserName', 'Workstation', 'Status']],
  [`${SECURITY}|5140`, ['SubjectUserName', 'ShareName', 'IpAddress']],
  [`${SECURITY}|5145`, ['SubjectUserName', 'ShareName', 'RelativeTargetName', 'IpAddress']],
  [`${SECURITY}|5156`, ['Application', 'DestAddress', 'DestPort', 'Protocol', 'Direction']],
  ['System|7045', ['ServiceName', 'ImagePath', 'ServiceType', 'StartType', 'AccountName']],
  [`${POWERSHELL}|4103`, ['ContextInfo', 'Payload']],
  [`${POWERSHELL}|4104`, ['ScriptBlockText', 'Path']],
  ['Windows PowerShell|400', ['param3']],
  ['Windows PowerShell|800', ['param1', 'param2']],
]);

/** The record keys that are not EventData (the canonical columns of every output line). */
export const CANONICAL_KEYS: ReadonlySet<string> = new Set([
  'host',
  'channel',
  'provider',
  'event_id',
  'time',
  'record_id',
  'format',
]);

/** How many EventData fields the details of an unlisted kind show. */
const FALLBACK_FIELDS = 4;

/** The details fields of one event: its profile's, else its first non-empty EventData fields. */
export function profileFields(event: Readonly<Record<string, unknown>>): readonly string[] {
  const listed = PROFILES.get(`${String(event.channel)}|${String(event.event_id)}`);
  if (listed !== undefined) return listed;
  return Object.keys(event)
    .filter((key) => !CANONICAL_KEYS.has(key) && !key.startsWith('DestinationHostname') && isShown(event[key]))
    .slice(0, FALLBACK_FIELDS);
}

/** Sysmon writes `-` for "none". */
function isShown(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== '-';
}

/**
 * `Field: value ¦ Field: value` for the fields of the profile that the event has, each value on one line (runs of
 * blanks, tabs and newlines become one space), so a details cell reads as one line in a spreadsheet. The fields in
 * their own columns (`--columns CommandLine`) stay exactly as logged.
 */
export function details(event: Readonly<Record<string, unknown>>): string {
  return profileFields(event)
    .filter((field) => isShown(event[field]))
    .map((field) => `${field}: ${fieldText(event[field]).replace(/\s+/g, ' ').trim()}`)
    .join(' ¦ ');
}

/** A field as text: strings as they are, anything else as compact JSON. */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
