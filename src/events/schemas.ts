/**
 * Field orders of the event templates whose EventData some shippers send as a positional list
 * (Kinesis Agent for Windows `EventData`, Fluent Bit `StringInserts`, unnamed XML `<Data>`).
 * Orders follow the Sysmon manifest (schema 4.90) and the DNS-Client/Operational 3008 template.
 */

import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from './canonical-event.js';

export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
export const DNS_CLIENT_PROVIDER = 'Microsoft-Windows-DNS-Client';

const PROCESS = ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId'] as const;
const FILE_BLOCK = [...PROCESS, 'User', 'Image', 'TargetFilename', 'Hashes'] as const;
const PIPE = ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'PipeName', 'Image', 'User'] as const;

/** Sysmon event ID -> EventData field names in template order. */
export const SYSMON_FIELDS: ReadonlyMap<number, readonly string[]> = new Map<number, readonly string[]>([
  [
    1,
    [
      ...PROCESS,
      'Image',
      'FileVersion',
      'Description',
      'Product',
      'Company',
      'OriginalFileName',
      'CommandLine',
      'CurrentDirectory',
      'User',
      'LogonGuid',
      'LogonId',
      'TerminalSessionId',
      'IntegrityLevel',
      'Hashes',
      'ParentProcessGuid',
      'ParentProcessId',
      'ParentImage',
      'ParentCommandLine',
      'ParentUser',
    ],
  ],
  [2, [...PROCESS, 'Image', 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime', 'User']],
  [
    3,
    [
      ...PROCESS,
      'Image',
      'User',
      'Protocol',
      'Initiated',
      'SourceIsIpv6',
      'SourceIp',
      'SourceHostname',
      'SourcePort',
      'SourcePortName',
      'DestinationIsIpv6',
      'DestinationIp',
      'DestinationHostname',
      'DestinationPort',
      'DestinationPortName',
    ],
  ],
  [4, ['UtcTime', 'State', 'Version', 'SchemaVersion']],
  [5, [...PROCESS, 'Image', 'User']],
  [6, ['RuleName', 'UtcTime', 'ImageLoaded', 'Hashes', 'Signed', 'Signature', 'SignatureStatus']],
  [
    7,
    [
      ...PROCESS,
      'Image',
      'ImageLoaded',
      'FileVersion',
      'Description',
      'Product',
      'Company',
      'OriginalFileName',
      'Hashes',
      'Signed',
      'Signature',
      'SignatureStatus',
      'User',
    ],
  ],
  [
    8,
    [
      'RuleName',
      'UtcTime',
      'SourceProcessGuid',
      'SourceProcessId',
      'SourceImage',
      'TargetProcessGuid',
      'TargetProcessId',
      'TargetImage',
      'NewThreadId',
      'StartAddress',
      'StartModule',
      'StartFunction',
      'SourceUser',
      'TargetUser',
    ],
  ],
  [9, [...PROCESS, 'Image', 'Device', 'User']],
  [
    10,
    [
      'RuleName',
      'UtcTime',
      'SourceProcessGUID',
      'SourceProcessId',
      'SourceThreadId',
      'SourceImage',
      'TargetProcessGUID',
      'TargetProcessId',
      'TargetImage',
      'GrantedAccess',
      'CallTrace',
      'SourceUser',
      'TargetUser',
    ],
  ],
  [11, [...PROCESS, 'Image', 'TargetFilename', 'CreationUtcTime', 'User']],
  [12, ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'User']],
  [13, ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'Details', 'User']],
  [14, ['RuleName', 'EventType', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'TargetObject', 'NewName', 'User']],
  [15, [...PROCESS, 'Image', 'TargetFilename', 'CreationUtcTime', 'Hash', 'Contents', 'User']],
  [16, ['UtcTime', 'Configuration', 'ConfigurationFileHash']],
  [17, PIPE],
  [18, PIPE],
  [19, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'EventNamespace', 'Name', 'Query']],
  [20, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Name', 'Type', 'Destination']],
  [21, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Consumer', 'Filter']],
  [22, [...PROCESS, 'QueryName', 'QueryStatus', 'QueryResults', 'Image', 'User']],
  [23, [...PROCESS, 'User', 'Image', 'TargetFilename', 'Hashes', 'IsExecutable', 'Archived']],
  [24, [...PROCESS, 'Image', 'Session', 'ClientInfo', 'Hashes', 'Archived', 'User']],
  [25, [...PROCESS, 'Image', 'Type', 'User']],
  [26, [...PROCESS, 'User', 'Image', 'TargetFilename', 'Hashes', 'IsExecutable']],
  [27, FILE_BLOCK],
  [28, FILE_BLOCK],
  [29, FILE_BLOCK],
  [255, ['UtcTime', 'ID', 'Description']],
]);

/**
 * DNS-Client/Operational 3008. The first five are the classic template; the two index fields are the ones
 * the seed events carry (assumed to follow, in this order, on newer Windows builds).
 */
export const DNS_CLIENT_3008_FIELDS: readonly string[] = [
  'QueryName',
  'QueryType',
  'QueryOptions',
  'QueryStatus',
  'QueryResults',
  'InterfaceIndex',
  'NetworkIndex',
];

/** Whether an event comes from Sysmon, by provider or channel. */
export function isSysmon(provider: string, channel: string): boolean {
  return provider === SYSMON_PROVIDER || channel === SYSMON_CHANNEL;
}

/** The template field order for an event, or undefined when the event's schema is not known. */
export function schemaFields(provider: string, channel: string, eventId: number): readonly string[] | undefined {
  if (isSysmon(provider, channel)) return SYSMON_FIELDS.get(eventId);
  if (eventId === 3008 && (provider === DNS_CLIENT_PROVIDER || channel === DNS_CLIENT_CHANNEL)) {
    return DNS_CLIENT_3008_FIELDS;
  }
  return undefined;
}

/**
 * Name positional EventData values. Known schema: by template order; a list one shorter than a template that
 * starts with RuleName and whose first value looks like a UtcTime is from a Sysmon before RuleName existed
 * (v8), so RuleName is skipped; a shorter list takes the first names (later Sysmon versions append fields);
 * values beyond the template, and every value of an unknown schema, are named `Data1`..`DataN` by position.
 */
export function namePositional(
  fields: readonly string[] | undefined,
  values: readonly string[],
  into: Record<string, string>,
): void {
  let names = fields ?? [];
  if (
    names.length > 0 &&
    values.length === names.length - 1 &&
    names[0] === 'RuleName' &&
    names[1] === 'UtcTime' &&
    looksLikeUtcTime(values[0])
  ) {
    names = names.slice(1);
  }
  for (let i = 0; i < values.length; i++) {
    into[names[i] ?? `Data${i + 1}`] = values[i] as string;
  }
}

function looksLikeUtcTime(value: string | undefined): boolean {
  return value !== undefined && value.length >= 19 && value.charCodeAt(4) === 45 && value.charCodeAt(10) === 32;
}
