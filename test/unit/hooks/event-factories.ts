/**
 * Factories of canonical events for the dns and hooks unit tests (built by hand: no decoder involved).
 */
import { type CanonicalEvent, DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';

/** Parses `YYYY-MM-DD HH:MM:SS.mmm` as UTC. */
export function utc(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

export const HOST = 'WORKSTATION5';
export const T0 = utc('2020-10-22 05:54:21.520');
export const PS_GUID = '{39e4a257-1e6c-5f91-c712-000000000700}';

export function sysmon22(overrides: {
  time?: number;
  host?: string;
  name?: string;
  results?: string;
  status?: string;
  guid?: string;
  pid?: string;
  image?: string;
}): CanonicalEvent {
  return {
    host: overrides.host ?? HOST,
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 22,
    time: overrides.time ?? T0,
    format: 'nxlog',
    data: {
      QueryName: overrides.name ?? 'raw.githubusercontent.com',
      QueryStatus: overrides.status ?? '0',
      QueryResults: overrides.results ?? 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
      ProcessGuid: overrides.guid ?? PS_GUID,
      ProcessId: overrides.pid ?? '6708',
      Image: overrides.image ?? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    },
  };
}

export function dnsClient3008(overrides: {
  time?: number;
  host?: string;
  name?: string;
  results?: string;
  status?: string;
  processId?: number;
}): CanonicalEvent {
  const event: CanonicalEvent = {
    host: overrides.host ?? HOST,
    channel: DNS_CLIENT_CHANNEL,
    provider: 'Microsoft-Windows-DNS-Client',
    eventId: 3008,
    time: overrides.time ?? T0,
    format: 'evtx-json',
    data: {
      QueryName: overrides.name ?? 'rawsec.lu',
      QueryType: '1',
      QueryStatus: overrides.status ?? '0',
      QueryResults: overrides.results ?? '62.210.16.62;',
    },
  };
  if (overrides.processId !== undefined) event.processId = overrides.processId;
  return event;
}

export function sysmon3(overrides: {
  time?: number;
  host?: string;
  ip?: string;
  hostname?: string;
  guid?: string;
  pid?: string;
}): CanonicalEvent {
  return {
    host: overrides.host ?? HOST,
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time: overrides.time ?? T0,
    format: 'nxlog',
    data: {
      DestinationIp: overrides.ip ?? '151.101.248.133',
      DestinationHostname: overrides.hostname ?? '-',
      DestinationPort: '443',
      ProcessGuid: overrides.guid ?? PS_GUID,
      ProcessId: overrides.pid ?? '6708',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    },
  };
}

/**
 * The founding scenario (../shared/seed-events), as the normaliser should produce it: System Computer -> host,
 * Sysmon UtcTime / DNS-Client TimeCreated -> time, DNS-Client Execution ProcessID -> processId.
 */
export function seedScenario(): {
  edgeConnection: CanonicalEvent;
  svchostConnection: CanonicalEvent;
  slsAnswer: CanonicalEvent;
  rawsecAnswer: CanonicalEvent;
} {
  const host = 'DESKTOP-5SUA567';
  const edgeConnection: CanonicalEvent = {
    host,
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time: utc('2018-06-18 05:22:53.759'),
    format: 'evtx-json',
    data: {
      DestinationHostname: 'pf-lb-2.online.net',
      DestinationIp: '62.210.16.62',
      DestinationIsIpv6: 'false',
      DestinationPort: '80',
      DestinationPortName: 'http',
      Image: 'C:\\Windows\\SystemApps\\Microsoft.MicrosoftEdge_8wekyb3d8bbwe\\MicrosoftEdgeCP.exe',
      Initiated: 'true',
      ProcessGuid: '{B2796A13-61E0-5B27-0000-00108D544202}',
      ProcessId: '5196',
      Protocol: 'tcp',
      SourceHostname: 'DESKTOP-5SUA567.lan',
      SourceIp: '10.0.2.15',
      SourceIsIpv6: 'false',
      SourcePort: '51262',
      SourcePortName: '',
      User: 'DESKTOP-5SUA567\\Gen Eric',
      UtcTime: '2018-06-18 05:22:53.759',
    },
  };
  const svchostConnection: CanonicalEvent = {
    host,
    channel: SYSMON_CHANNEL,
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time: utc('2018-06-17 13:34:06.418'),
    format: 'evtx-json',
    data: {
      DestinationHostname: '',
      DestinationIp: '13.74.179.117',
      DestinationIsIpv6: 'false',
      DestinationPort: '443',
      DestinationPortName: 'https',
      Image: 'C:\\Windows\\System32\\svchost.exe',
      Initiated: 'true',
      ProcessGuid: '{B2796A13-A339-5B00-0000-001040000100}',
      ProcessId: '1044',
      Protocol: 'tcp',
      SourceHostname: 'DESKTOP-5SUA567.lan',
      SourceIp: '10.0.2.15',
      SourceIsIpv6: 'false',
      SourcePort: '52234',
      SourcePortName: '',
      User: 'NT AUTHORITY\\SYSTEM',
      UtcTime: '2018-06-17 13:34:06.418',
    },
  };
  const slsAnswer: CanonicalEvent = {
    host,
    channel: DNS_CLIENT_CHANNEL,
    provider: 'Microsoft-Windows-DNS-Client',
    eventId: 3008,
    time: Date.parse('2018-06-17T13:34:05.350Z'),
    processId: 1044,
    format: 'evtx-json',
    data: {
      InterfaceIndex: '0',
      NetworkIndex: '0',
      QueryName: 'sls.update.microsoft.com',
      QueryOptions: '140737488355328',
      QueryResults: 'type:  5 sls.update.microsoft.com.nsatc.net;13.74.179.117;',
      QueryStatus: '0',
      QueryType: '1',
    },
  };
  const rawsecAnswer: CanonicalEvent = {
    host,
    channel: DNS_CLIENT_CHANNEL,
    provider: 'Microsoft-Windows-DNS-Client',
    eventId: 3008,
    time: Date.parse('2018-06-18T05:22:53.512Z'),
    processId: 5196,
    format: 'evtx-json',
    data: {
      InterfaceIndex: '0',
      NetworkIndex: '0',
      QueryName: 'rawsec.lu',
      QueryOptions: '140737488355328',
      QueryResults: '62.210.16.62;',
      QueryStatus: '0',
      QueryType: '1',
    },
  };
  return { edgeConnection, svchostConnection, slsAnswer, rawsecAnswer };
}
