/**
 * Field orders of the event templates whose EventData some shippers send as a positional list
 * (Kinesis Agent for Windows `EventData`, Fluent Bit `StringInserts`, unnamed XML `<Data>`).
 * Sysmon (schema 4.90) and DNS-Client/Operational 3008 are written here by hand; every other event the Sigma
 * rules route on comes from the provider manifests, per event version, in the generated
 * `schemas/manifest-fields.ts` (docs/formats.md, "Positional EventData schemas").
 */

import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from './canonical-event.js';
import { CHANNEL_PROVIDERS, MANIFEST_FIELDS } from './schemas/manifest-fields.js';

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

/** The hand-written templates (Sysmon, DNS-Client 3008), or undefined. These do not depend on a version. */
export function handWrittenFields(provider: string, channel: string, eventId: number): readonly string[] | undefined {
  if (isSysmon(provider, channel)) return SYSMON_FIELDS.get(eventId);
  if (eventId === 3008 && (provider === DNS_CLIENT_PROVIDER || channel === DNS_CLIENT_CHANNEL)) {
    return DNS_CLIENT_3008_FIELDS;
  }
  return undefined;
}

type Versions = Readonly<Record<number, readonly string[]>>;

/** The generated table keeps each template as one comma-separated string; split once, on first use. */
const splitTemplates = new Map<Readonly<Record<number, string>>, Versions>();

function templatesOf(provider: string, eventId: number): Versions | undefined {
  const packed = MANIFEST_FIELDS[provider]?.[eventId];
  if (packed === undefined) return undefined;
  let versions = splitTemplates.get(packed);
  if (versions === undefined) {
    const split: Record<number, readonly string[]> = {};
    for (const key in packed) split[Number(key)] = (packed[Number(key)] as string).split(',');
    versions = split;
    splitTemplates.set(packed, versions);
  }
  return versions;
}

/**
 * Every version of an event's manifest template (version -> names), by its provider, else (no provider sent)
 * by the providers of its channel.
 */
export function manifestVersions(provider: string, channel: string, eventId: number): Versions | undefined {
  const own = templatesOf(provider, eventId);
  if (own !== undefined) return own;
  // Another provider's template under the same ID would name the values wrongly: only a missing provider falls back.
  if (provider !== '') return undefined;
  for (const candidate of CHANNEL_PROVIDERS[channel] ?? []) {
    const versions = templatesOf(candidate, eventId);
    if (versions !== undefined) return versions;
  }
  return undefined;
}

/**
 * The template field order for an event, or undefined when the event's schema is not known. For manifest
 * events: the template of `version` when the shipper sent it and the manifest has it; else, when `count` (the
 * number of positional values) is given, the newest version with that many fields, else the smallest template
 * longer than that (versions append fields), else the longest; with neither, the newest version.
 */
export function schemaFields(
  provider: string,
  channel: string,
  eventId: number,
  count?: number,
  version?: number,
): readonly string[] | undefined {
  const fixed = handWrittenFields(provider, channel, eventId);
  if (fixed !== undefined) return fixed;
  const versions = manifestVersions(provider, channel, eventId);
  if (versions === undefined) return undefined;
  if (version !== undefined && versions[version] !== undefined) return versions[version];
  let exact: readonly string[] | undefined;
  let exactVersion = -1;
  let longer: readonly string[] | undefined;
  let longest: readonly string[] | undefined;
  let newest: readonly string[] | undefined;
  let newestVersion = -1;
  for (const key in versions) {
    const names = versions[key] as readonly string[];
    const v = Number(key);
    if (v > newestVersion) {
      newestVersion = v;
      newest = names;
    }
    if (names.length === count && v > exactVersion) {
      exactVersion = v;
      exact = names;
    }
    if (count !== undefined && names.length > count && (longer === undefined || names.length < longer.length)) {
      longer = names;
    }
    if (longest === undefined || names.length > longest.length) longest = names;
  }
  if (count === undefined) return newest;
  return exact ?? longer ?? longest;
}

/**
 * Name positional EventData values. Known schema: by template order; a list one shorter than a template that
 * starts with RuleName and whose first value looks like a UtcTime is from a Sysmon before RuleName existed
 * (v8), so RuleName is skipped; a shorter list takes the first names (later Sysmon versions append fields);
 * values beyond the template, and every value of an unknown schema, are named `Data1`..`DataN` by position.
 * Returns how many values were named so (0: all named).
 */
export function namePositional(
  fields: readonly string[] | undefined,
  values: readonly string[],
  into: Record<string, string>,
): number {
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
  let unnamed = 0;
  for (let i = 0; i < values.length; i++) {
    const name = names[i];
    if (name === undefined) unnamed++;
    into[name ?? `Data${i + 1}`] = values[i] as string;
  }
  return unnamed;
}

function looksLikeUtcTime(value: string | undefined): boolean {
  return value !== undefined && value.length >= 19 && value.charCodeAt(4) === 45 && value.charCodeAt(10) === 32;
}
