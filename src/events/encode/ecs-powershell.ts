/**
 * What the PowerShell module (Winlogbeat 8's powershell_operational and powershell pipelines, and the Elastic
 * Agent Windows integration's) makes of PowerShell/Operational 4103 and 4104 and classic Windows PowerShell 400,
 * 403, 600 and 800, as listed in src/events/formats/ecs/powershell.ts. Lossy on purpose (it is what such a shipper
 * sends), so it is not one of the round-trip ENCODERS; tests use it.
 *
 * Where the pipeline is sensitive to line ends (its `kv` splits on LF and trims spaces, tabs and LF), the
 * emulation splits on CR LF or LF and trims CR too: Winlogbeat renders events as XML, which leaves LF only, so
 * the real module never sees a CR there.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import {
  CLASSIC_DETAILS,
  CLASSIC_EVENTS,
  CLASSIC_POWERSHELL_CHANNEL,
  CONTEXT_INFO,
  POWERSHELL_CHANNEL,
} from '../formats/ecs/powershell.js';
import { type EcsDocument as Doc, type ModuleShipper, putPath as put, shipperText } from './ecs-module-document.js';

export interface PowerShellModuleOptions {
  /** Which shipper's document to start from. */
  shipper: ModuleShipper;
  /** Leave out the rendered `message` (kept by default, as Winlogbeat does); 4103 and classic events only. */
  withoutMessage?: boolean;
}

/** ContextInfo labels -> the ECS path the module moves them to (the users are handled apart). */
const CONTEXT_PATHS: ReadonlyMap<string, string> = new Map(
  CONTEXT_INFO.flatMap(([label, source]) =>
    source !== undefined && 'path' in source ? [[label.replace(/\s/g, ''), source.path] as const] : [],
  ),
);

/** Classic keys -> ECS path (UserId apart). */
const CLASSIC_PATHS: ReadonlyMap<string, string> = new Map(
  [...CLASSIC_DETAILS.values()].flatMap((groups) =>
    groups.flatMap((group) =>
      group.flatMap(([key, source]) => ('path' in source ? [[key, source.path] as const] : [])),
    ),
  ),
);

/** Numbers the pipeline converts (`convert` to long, ignore_failure). */
const NUMBERS: ReadonlySet<string> = new Set(['event.sequence', 'powershell.sequence', 'powershell.total']);

/** The event as the PowerShell module leaves it; other events unchanged. */
export function encodePowerShellModule(event: CanonicalEvent, options: PowerShellModuleOptions): string {
  const base = shipperText(event, options.shipper);
  const operational = event.channel === POWERSHELL_CHANNEL && (event.eventId === 4104 || event.eventId === 4103);
  const classic = event.channel === CLASSIC_POWERSHELL_CHANNEL && CLASSIC_EVENTS.has(event.eventId);
  if (!operational && !classic) return base;
  const document = JSON.parse(base) as Doc;
  const data: Record<string, string> = { ...event.data };
  put(document, 'event.module', 'powershell');
  if (options.shipper === 'elastic-agent') {
    put(document, 'data_stream.dataset', classic ? 'windows.powershell' : 'windows.powershell_operational');
  }
  if (event.eventId === 4104) scriptBlock(document, data);
  else {
    if (!options.withoutMessage) document.message = renderMessage(event);
    if (classic) classicEvent(document, event.eventId, data);
    else moduleLogging(document, data);
  }
  for (const name of Object.keys(data)) if (data[name] === '') delete data[name];
  const winlog = document.winlog as Doc;
  if (Object.keys(data).length === 0) delete winlog.event_data;
  else winlog.event_data = data;
  return JSON.stringify(document);
}

function moveTo(document: Doc, data: Record<string, string>, name: string, path: string): void {
  const value = data[name];
  if (value === undefined) return;
  if (NUMBERS.has(path)) {
    if (/^\d+$/.test(value)) put(document, path, Number(value));
    return;
  }
  if (value === '') return;
  put(document, path, value);
  delete data[name];
}

function scriptBlock(document: Doc, data: Record<string, string>): void {
  for (const [name, path] of [
    ['MessageNumber', 'powershell.sequence'],
    ['MessageTotal', 'powershell.total'],
  ] as const) {
    moveTo(document, data, name, path);
    delete data[name];
  }
  moveTo(document, data, 'ScriptBlockId', 'powershell.file.script_block_id');
  moveTo(document, data, 'ScriptBlockText', 'powershell.file.script_block_text');
  moveTo(document, data, 'Path', 'file.path');
}

/** `kv`: lines of `key<separator>value`, keys and values trimmed; the pairs land in EventData. */
function splitPairs(text: string | undefined, separator: string, data: Record<string, string>): void {
  if (text === undefined) return;
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(separator);
    if (at === -1) continue;
    const key = line.slice(0, at).trim().replace(/\s/g, '');
    if (key.length > 0) data[key] = line.slice(at + 1).trim();
  }
}

/** `domain\name` split into `<prefix>.domain` and `<prefix>.name` (only when there is exactly one backslash). */
function putUser(document: Doc, prefix: string, value: string | undefined): boolean {
  const parts = value?.split('\\');
  if (parts?.length !== 2 || parts[0] === '' || parts[1] === '') return false;
  put(document, `${prefix}.domain`, parts[0]);
  put(document, `${prefix}.name`, parts[1]);
  return true;
}

/** The invocation detail lines as the pipeline's script parses them. */
function invocationDetails(document: Doc, text: string | undefined): void {
  if (text === undefined || text === '') return;
  const details = text
    .split('\n')
    .filter((_line, i, lines) => !(i === lines.length - 1 && _line === ''))
    .map((raw) => {
      const line = raw.replace(/\r$/, '');
      const detail = /^(.+)\((.+)\):\s*(.+)?$/.exec(line);
      if (detail === null) return { value: raw };
      const [, type, command, rest] = detail;
      if (type !== 'ParameterBinding') return { type, related_command: command, value: rest };
      const binding = /name=(.+);\s*value=(.+)$/.exec(rest ?? '');
      if (binding === null) return { value: rest };
      return { type, related_command: command, name: binding[1], value: binding[2] };
    });
  put(document, 'powershell.command.invocation_details', details);
}

const LEVELS: ReadonlyMap<string, string> = new Map([
  ['Informational', 'information'],
  ['Warning', 'warning'],
  ['Error', 'error'],
  ['Critical', 'critical'],
  ['Verbose', 'verbose'],
]);

function moduleLogging(document: Doc, data: Record<string, string>): void {
  const fields: Record<string, string> = {};
  splitPairs(data.ContextInfo, '=', fields);
  // winlog.level, which the module copies to log.level: the event's level, which Severity repeats.
  const level = fields.Severity !== undefined ? LEVELS.get(fields.Severity) : undefined;
  if (level !== undefined) put(document, 'log.level', level);
  for (const [key, path] of CONTEXT_PATHS) moveTo(document, fields, key, path);
  const connected = putUser(document, 'source.user', fields.ConnectedUser);
  putUser(document, connected ? 'destination.user' : 'user', fields.User);
  if (connected) putUser(document, 'user', fields.ConnectedUser);
  invocationDetails(document, data.Payload);
  for (const name of ['ContextInfo', 'Payload']) delete data[name];
  // What no rename took (an empty value) stays in EventData and is removed as empty.
  for (const key of Object.keys(fields)) {
    if (['Severity', 'User', 'ConnectedUser', 'SequenceNumber'].includes(key)) continue;
    if (CONTEXT_PATHS.has(key) && fields[key] !== '') continue;
    data[key] = fields[key] as string;
  }
}

function classicEvent(document: Doc, eventId: number, data: Record<string, string>): void {
  const fields: Record<string, string> = {};
  splitPairs(eventId === 800 ? data.Data2 : data.Data3, '=', fields);
  for (const [key, path] of CLASSIC_PATHS) moveTo(document, fields, key, path);
  putUser(document, 'user', fields.UserId);
  if (eventId === 800) invocationDetails(document, data.Data3);
  for (const name of ['Data1', 'Data2', 'Data3']) delete data[name];
  for (const key of Object.keys(fields)) {
    if (['UserId', 'SequenceNumber', 'DetailTotal', 'DetailSequence'].includes(key)) continue;
    if (CLASSIC_PATHS.has(key) && fields[key] !== '') continue;
    data[key] = fields[key] as string;
  }
}

/** The event's message as Windows renders it (the templates ecs/powershell.ts reads back). */
export function renderMessage(event: CanonicalEvent): string {
  const d = event.data;
  const nl = Object.values(d).some((value) => value.includes('\r\n')) ? '\r\n' : '\n';
  switch (event.eventId) {
    case 400:
    case 403:
      return `Engine state is changed from ${d.Data2 ?? ''} to ${d.Data1 ?? ''}. ${nl}${nl}Details: ${nl}${d.Data3 ?? ''}`;
    case 600:
      return `Provider "${d.Data1 ?? ''}" is ${d.Data2 ?? ''}. ${nl}${nl}Details: ${nl}${d.Data3 ?? ''}`;
    case 800:
      return `Pipeline execution details for command line: ${d.Data1 ?? ''}. ${nl}${nl}Context Information: ${nl}${d.Data2 ?? ''} ${nl}${nl}Details: ${nl}${d.Data3 ?? ''}`;
    default:
      return `${d.Payload ?? ''}${nl}${nl}Context:${nl}${d.ContextInfo ?? ''}${nl}${nl}User Data:${nl}${d.UserData ?? ''}${nl}`;
  }
}
