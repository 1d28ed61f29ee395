/** Record factories for the events tests: the OTRF powershell.exe Sysmon 3 connection in every shape. */

import { gzipSync } from 'fflate';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';

export const SYSMON3_FIELDS = [
  'RuleName',
  'UtcTime',
  'ProcessGuid',
  'ProcessId',
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
] as const;

export function sysmon3Data(): Record<string, string> {
  return {
    RuleName: '-',
    UtcTime: '2020-10-22 05:54:21.520',
    ProcessGuid: '{39e4a257-1e6c-5f91-c712-000000000700}',
    ProcessId: '6708',
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    User: 'WORKSTATION5\\wardog',
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: '192.168.2.5',
    SourceHostname: '-',
    SourcePort: '52094',
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: '151.101.248.133',
    DestinationHostname: '-',
    DestinationPort: '443',
    DestinationPortName: '-',
  };
}

export function sysmon3Values(): string[] {
  const data = sysmon3Data();
  return SYSMON3_FIELDS.map((name) => data[name] as string);
}

/** 2020-10-22 05:54:21.520 UTC */
export const SYSMON3_TIME = Date.UTC(2020, 9, 22, 5, 54, 21, 520);

/** The canonical event every fixture of the connection normalises to (format aside). */
export function expectedSysmon3(): Omit<CanonicalEvent, 'format'> {
  return {
    host: 'WORKSTATION5',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time: SYSMON3_TIME,
    data: sysmon3Data(),
  };
}

export function evtxDocument(overrides: { system?: Record<string, unknown>; eventData?: unknown } = {}) {
  return {
    Event: {
      System: {
        Provider: { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' },
        EventID: 3,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'WORKSTATION5',
        TimeCreated: { SystemTime: '2020-10-22T05:54:21.5304000Z' },
        ...overrides.system,
      },
      EventData: 'eventData' in overrides ? overrides.eventData : sysmon3Data(),
    },
  };
}

export function dnsClient3008Document(system: Record<string, unknown> = {}) {
  return {
    Event: {
      System: {
        Provider: { Name: 'Microsoft-Windows-DNS-Client' },
        EventID: 3008,
        Channel: 'Microsoft-Windows-DNS-Client/Operational',
        Computer: 'WORKSTATION5',
        Execution: { ProcessID: '6708', ThreadID: '1' },
        EventRecordID: 1234,
        TimeCreated: { SystemTime: '2020-10-22T05:54:21.500Z' },
        ...system,
      },
      EventData: {
        QueryName: 'raw.githubusercontent.com',
        QueryType: '1',
        QueryOptions: '140737488355328',
        QueryStatus: '0',
        QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
      },
    },
  };
}

export function nxlogDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Keywords: '0x8000000000000000',
    Task: '3',
    SourceName: 'Microsoft-Windows-Sysmon',
    TimeCreated: '2020-10-22T01:54:23.853Z',
    '@timestamp': '2020-10-22T01:54:23.853Z',
    Level: '4',
    Hostname: 'WORKSTATION5',
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 3,
    ProviderGuid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
    Message: 'Network connection detected:\r\nRuleName: -',
    ...sysmon3Data(),
    ...overrides,
  };
}

const encoder = new TextEncoder();

/** A record holding this text, or this value as JSON. */
export function record(content: unknown): Uint8Array {
  return encoder.encode(typeof content === 'string' ? content : JSON.stringify(content));
}

export function ndjson(...documents: unknown[]): Uint8Array {
  return record(`${documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('\n')}\n`);
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes);
}

export function cloudWatchEnvelope(messages: string[], messageType = 'DATA_MESSAGE') {
  return {
    messageType,
    owner: '123456789012',
    logGroup: '/windows/sysmon',
    logStream: 'WORKSTATION5',
    subscriptionFilters: ['hookstream'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: SYSMON3_TIME, message })),
  };
}

export function sysmon3Xml(): string {
  const data = sysmon3Data();
  const fields = SYSMON3_FIELDS.map((name) => `<Data Name='${name}'>${data[name]}</Data>`).join('');
  return (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>" +
    "<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/>" +
    "<EventID>3</EventID><TimeCreated SystemTime='2020-10-22T05:54:21.5304000Z'/><EventRecordID>98765</EventRecordID>" +
    "<Execution ProcessID='2400' ThreadID='3300'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>" +
    `<Computer>WORKSTATION5</Computer></System><EventData>${fields}</EventData></Event>`
  );
}

/** The outcomes' kinds and reasons/event formats, compactly, for table assertions. */
export function summary(outcomes: ReadonlyArray<{ kind: string; reason?: string; event?: CanonicalEvent }>) {
  return outcomes.map((o) => (o.kind === 'event' ? `event:${o.event?.format}` : `${o.kind}:${o.reason}`));
}
