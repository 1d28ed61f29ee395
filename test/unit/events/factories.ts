/** Record factories for the events tests: the OTRF powershell.exe Sysmon 3 connection in every shape. */

import kinesisAgg from 'aws-kinesis-agg';
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

/** One line of {@link mixedRecord}: its bytes and what reading it must give. */
export interface MixedLine {
  bytes: Uint8Array;
  /** `event:<SourcePort>` for a good line (flagged `+invalid` when it holds invalid UTF-8), `rejected:<reason>`. */
  expected: string;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Newline-delimited NXLog connections (SourcePort 1..good) with every kind of bad line between them: cut inside a
 * string, cut between values, binary garbage (also starting with `{`), invalid UTF-8 inside a good document,
 * invalid UTF-8 in a cut line, a host name over the limit, a text line, and one good line after the last bad one.
 */
export function mixedLines(good = 12): MixedLine[] {
  const goodLine = (port: number): MixedLine => ({
    bytes: encoder.encode(JSON.stringify(nxlogDocument({ SourcePort: String(port) }))),
    expected: `event:${port}`,
  });
  const full = JSON.stringify(nxlogDocument({ SourcePort: '999' }));
  const [before, after] = JSON.stringify(nxlogDocument({ SourcePort: 'INVALID', Image: 'C:\\@@.exe' })).split('@@');
  const at = full.indexOf('C:\\\\');
  const bad: MixedLine[] = [
    { bytes: encoder.encode(full.slice(0, at + 10)), expected: 'rejected:truncated JSON' },
    { bytes: encoder.encode('{"EventID":3,"Hostname":'), expected: 'rejected:truncated JSON' },
    {
      bytes: new Uint8Array([0x00, 0x01, 0x02, 0xfe, 0x7b, 0xff, 0x80, 0x7d]),
      expected: 'rejected:not JSON or XML+invalid',
    },
    { bytes: new Uint8Array([0x7b, 0x22, 0xff, 0x00, 0x7d, 0xc3]), expected: 'rejected:truncated JSON+invalid' },
    {
      // A good document whose Image holds the bytes C3 28 (invalid UTF-8): read, with U+FFFD, and counted.
      bytes: concatBytes([encoder.encode(before ?? ''), new Uint8Array([0xc3, 0x28]), encoder.encode(after ?? '')]),
      expected: 'event:INVALID+invalid',
    },
    {
      bytes: concatBytes([encoder.encode('{"EventID":3,"Image":"'), new Uint8Array([0xe2, 0x82, 0xff])]),
      expected: 'rejected:truncated JSON+invalid',
    },
    {
      bytes: encoder.encode(JSON.stringify(nxlogDocument({ Hostname: 'h'.repeat(300), SourcePort: '0' }))),
      expected: 'rejected:host name too long',
    },
    { bytes: encoder.encode('hello, world'), expected: 'rejected:not JSON or XML' },
  ];
  const lines: MixedLine[] = [];
  for (let port = 1; port <= good; port++) {
    lines.push(goodLine(port));
    const next = bad[port - 1];
    if (next !== undefined) lines.push(next);
  }
  return lines;
}

/** The lines joined by `\n` (`\r\n` with crlf), ending with one. */
export function joinLines(lines: readonly MixedLine[], crlf = false): Uint8Array {
  const end = encoder.encode(crlf ? '\r\n' : '\n');
  return concatBytes(lines.flatMap((line) => [line.bytes, end]));
}

/** What reading gave, in the {@link MixedLine.expected} notation. */
export function mixedOutcomes(
  outcomes: ReadonlyArray<{ kind: string; reason?: string; event?: CanonicalEvent; invalidUtf8?: true }>,
): string[] {
  return outcomes.map((o) => {
    const what = o.kind === 'event' ? `event:${o.event?.data.SourcePort}` : `${o.kind}:${o.reason}`;
    return o.invalidUtf8 ? `${what}+invalid` : what;
  });
}

/** A KPL aggregate of these user records (aws-kinesis-agg, as the KPL writes them). */
export function aggregate(users: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let result: Uint8Array | undefined;
    kinesisAgg.aggregate(
      users.map((data) => ({ partitionKey: 'WORKSTATION5', data: Buffer.from(data) })),
      (encoded: { data: Buffer }, done: () => void) => {
        result = new Uint8Array(encoded.data);
        done();
      },
      () => (result === undefined ? reject(new Error('nothing aggregated')) : resolve(result)),
      reject,
    );
  });
}
