/**
 * ECS back to Windows names for the events the Winlogbeat / Elastic Agent PowerShell module processes (beats
 * x-pack/winlogbeat/module/powershell/ingest/powershell_operational.yml and powershell.yml, the Windows
 * integration's powershell_operational and powershell data streams).
 *
 * PowerShell/Operational 4104 (script block): the module MOVES ScriptBlockText -> powershell.file.script_block_text,
 * ScriptBlockId -> powershell.file.script_block_id, Path -> file.path (each only when not ''), CONVERTS
 * MessageNumber -> powershell.sequence and MessageTotal -> powershell.total (numbers) and removes both, then
 * REMOVES every '' value. All of it comes back: a field still missing after the moves was ''.
 *
 * PowerShell/Operational 4103 (module logging; EventData ContextInfo, UserData, Payload): the module splits
 * ContextInfo's `Label = value` lines into EventData (spaces taken out of the labels), moves them to ECS
 * (Host Name -> process.title, Host Version -> powershell.process.executable_version, Host ID ->
 * process.entity_id, Host Application -> process.command_line, Engine Version -> powershell.engine.version,
 * Runspace ID -> powershell.runspace_id, Pipeline ID -> powershell.pipeline_id, Command Name/Type/Path ->
 * powershell.command.name/type/path, Script Name -> file.path, Sequence Number -> event.sequence, Shell ID ->
 * powershell.id, User -> user.domain + user.name, Connected User -> source.user.*; with a connected user the
 * User goes to destination.user.*), splits Payload's lines into powershell.command.invocation_details
 * ({type, related_command, name?, value}), and removes ContextInfo, Payload and Severity.
 *
 * Windows PowerShell 400, 403, 600, 800 (classic, three unnamed values, Data1..Data3 here as Windows names none):
 * the module splits the `\tKey=value` lines of Data3 (Data2 for 800) into EventData, moves them to ECS as above
 * (HostId, HostApplication, HostName, EngineVersion, RunspaceId, PipelineId, HostVersion, CommandName/Type/Path,
 * ScriptName; NewEngineState/PreviousEngineState -> powershell.engine.new_state/previous_state,
 * NewProviderState/ProviderName -> powershell.provider.*, DetailSequence/DetailTotal -> powershell.sequence/total,
 * CommandLine -> powershell.command.value, UserId -> user.*), parses 800's Data3 lines as for 4103, and removes
 * the three values. Winlogbeat itself names unnamed values `paramN`; they are read as `DataN`.
 *
 * Rebuilt here, when the document says the module ran: first from the rendered `message` (Winlogbeat and
 * Elastic Agent keep it), which holds the removed values verbatim in the event's message template; the split
 * is checked against the ECS fields (sequence number, number of detail lines). Without a usable message, from
 * the ECS fields in the order and layout Windows writes them (CR LF line ends, `        Label = value` for
 * ContextInfo, `\tKey=value` in blank-line separated groups for the classic events). Lost then: ContextInfo's
 * Severity beyond what log.level says, a User without a domain, whitespace the module trimmed, lines a
 * particular PowerShell version leaves out (PowerShell 2.0 writes no HostApplication), and the exact text of
 * detail lines the module parsed (`; ` and `: ` are assumed after the separators).
 */

import { isObject } from '../../values.js';
import { ecsText, ecsValue } from './ecs-path.js';

export const POWERSHELL_PROVIDER = 'Microsoft-Windows-PowerShell';
export const POWERSHELL_CHANNEL = 'Microsoft-Windows-PowerShell/Operational';
export const CLASSIC_POWERSHELL_CHANNEL = 'Windows PowerShell';
export const CLASSIC_POWERSHELL_PROVIDER = 'PowerShell';

/** The classic channel's events the module processes. */
export const CLASSIC_EVENTS: ReadonlySet<number> = new Set([400, 403, 600, 800]);

/** 4104 EventData name -> the ECS path the module moves it to. */
export const SCRIPT_BLOCK_MOVES: ReadonlyMap<string, string> = new Map([
  ['MessageNumber', 'powershell.sequence'],
  ['MessageTotal', 'powershell.total'],
  ['ScriptBlockText', 'powershell.file.script_block_text'],
  ['ScriptBlockId', 'powershell.file.script_block_id'],
  ['Path', 'file.path'],
]);

/** Where a field of the split text goes: an ECS path, or a `domain\name` pair (`user` / `source.user` ...). */
type Source = { path: string } | { user: 'user' | 'source' | 'destination' | 'connected' };

const HOST: ReadonlyArray<[string, Source]> = [
  ['HostName', { path: 'process.title' }],
  ['HostVersion', { path: 'powershell.process.executable_version' }],
  ['HostId', { path: 'process.entity_id' }],
  ['HostApplication', { path: 'process.command_line' }],
  ['EngineVersion', { path: 'powershell.engine.version' }],
  ['RunspaceId', { path: 'powershell.runspace_id' }],
  ['PipelineId', { path: 'powershell.pipeline_id' }],
];
const COMMAND: ReadonlyArray<[string, Source]> = [
  ['CommandName', { path: 'powershell.command.name' }],
  ['CommandType', { path: 'powershell.command.type' }],
  ['ScriptName', { path: 'file.path' }],
  ['CommandPath', { path: 'powershell.command.path' }],
  ['CommandLine', { path: 'powershell.command.value' }],
];
const SEQUENCE: ReadonlyArray<[string, Source]> = [['SequenceNumber', { path: 'event.sequence' }]];

/** The `\tKey=value` groups of a classic event's details value, in Windows' order (groups: blank lines). */
export const CLASSIC_DETAILS: ReadonlyMap<number, ReadonlyArray<ReadonlyArray<[string, Source]>>> = new Map([
  [
    400,
    [
      [
        ['NewEngineState', { path: 'powershell.engine.new_state' }],
        ['PreviousEngineState', { path: 'powershell.engine.previous_state' }],
      ],
      SEQUENCE,
      [...HOST, ...COMMAND],
    ],
  ],
  [
    600,
    [
      [
        ['ProviderName', { path: 'powershell.provider.name' }],
        ['NewProviderState', { path: 'powershell.provider.new_state' }],
      ],
      SEQUENCE,
      [...HOST, ...COMMAND],
    ],
  ],
  [
    800,
    [
      [
        ['DetailSequence', { path: 'powershell.sequence' }],
        ['DetailTotal', { path: 'powershell.total' }],
      ],
      SEQUENCE,
      [['UserId', { user: 'user' }], ...HOST, ['ScriptName', { path: 'file.path' }], COMMAND[4] as [string, Source]],
    ],
  ],
]);

/** 4103 ContextInfo labels in Windows' order, and where the module puts each. */
export const CONTEXT_INFO: ReadonlyArray<[string, Source | undefined]> = [
  ['Severity', undefined],
  ['Host Name', { path: 'process.title' }],
  ['Host Version', { path: 'powershell.process.executable_version' }],
  ['Host ID', { path: 'process.entity_id' }],
  ['Host Application', { path: 'process.command_line' }],
  ['Engine Version', { path: 'powershell.engine.version' }],
  ['Runspace ID', { path: 'powershell.runspace_id' }],
  ['Pipeline ID', { path: 'powershell.pipeline_id' }],
  ['Command Name', { path: 'powershell.command.name' }],
  ['Command Type', { path: 'powershell.command.type' }],
  ['Script Name', { path: 'file.path' }],
  ['Command Path', { path: 'powershell.command.path' }],
  ['Sequence Number', { path: 'event.sequence' }],
  ['User', { user: 'destination' }],
  ['Connected User', { user: 'connected' }],
  ['Shell ID', { path: 'powershell.id' }],
];

/** log.level (the event's level, which 4103's Severity repeats) -> the Severity ContextInfo writes. */
const SEVERITY: ReadonlyMap<string, string> = new Map([
  ['information', 'Informational'],
  ['informational', 'Informational'],
  ['warning', 'Warning'],
  ['error', 'Error'],
  ['critical', 'Critical'],
  ['verbose', 'Verbose'],
]);

/** The classic event ID whose details layout an event uses (403 is laid out as 400). */
function classicLayout(eventId: number): number {
  return eventId === 403 ? 400 : eventId;
}

/** Whether a document is a PowerShell/Operational event (by provider, or channel when no provider is sent). */
export function isPowerShellOperational(provider: string, channel: string): boolean {
  return channel === POWERSHELL_CHANNEL && (provider === POWERSHELL_PROVIDER || provider === '');
}

/** Whether a document is a classic Windows PowerShell event. */
export function isClassicPowerShell(provider: string, channel: string): boolean {
  return channel === CLASSIC_POWERSHELL_CHANNEL && (provider === CLASSIC_POWERSHELL_PROVIDER || provider === '');
}

/** Whether the document went through the module (its pipeline's module name or data stream). */
function processedByModule(document: Record<string, unknown>): boolean {
  const module = ecsText(document, 'event.module');
  const dataset = ecsText(document, 'data_stream.dataset');
  return module === 'powershell' || dataset === 'windows.powershell_operational' || dataset === 'windows.powershell';
}

/** `domain\name` from an ECS user object, or undefined when the module set none. */
function userText(document: Record<string, unknown>, prefix: string): string | undefined {
  const domain = ecsText(document, `${prefix}.domain`);
  const name = ecsText(document, `${prefix}.name`);
  return domain !== undefined && name !== undefined ? `${domain}\\${name}` : undefined;
}

function sourceText(document: Record<string, unknown>, source: Source): string | undefined {
  if ('path' in source) return ecsText(document, source.path);
  const connected = ecsValue(document, 'source.user') !== undefined;
  switch (source.user) {
    case 'connected':
      return userText(document, 'source.user');
    case 'destination':
      // With a connected user the module moved the User to destination.user and put the connected one in user.
      return connected ? userText(document, 'destination.user') : userText(document, 'user');
    default:
      return userText(document, source.user);
  }
}

/** The invocation detail objects the module parsed, as Windows' lines (without line ends). */
function detailLines(document: Record<string, unknown>): string[] | undefined {
  const details = ecsValue(document, 'powershell.command.invocation_details');
  if (!Array.isArray(details)) return undefined;
  const lines: string[] = [];
  for (const detail of details) {
    if (!isObject(detail)) return undefined;
    const value = typeof detail.value === 'string' ? detail.value : '';
    const type = detail.type;
    const command = detail.related_command;
    // A line the module could not parse is kept whole, with the CR of a CR LF line end.
    if (typeof type !== 'string' || typeof command !== 'string') lines.push(value.replace(/\r$/, ''));
    else if (typeof detail.name === 'string') lines.push(`${type}(${command}): name=${detail.name}; value=${value}`);
    else lines.push(`${type}(${command}): ${value}`);
  }
  return lines;
}

function lineEnd(document: Record<string, unknown>): string {
  const message = document.message;
  return typeof message === 'string' && !message.includes('\r\n') && message.includes('\n') ? '\n' : '\r\n';
}

/** The `Key=value` (or `Label = value`) map of a split text, for checking a candidate split. */
function pairsOf(text: string, separator: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(separator.trim());
    if (at === -1) continue;
    pairs.set(line.slice(0, at).replace(/\s/g, ''), line.slice(at + 1).trim());
  }
  return pairs;
}

/** Whether a candidate details text agrees with the ECS sequence number (the module's copy of it). */
function sequenceAgrees(document: Record<string, unknown>, text: string, separator: string): boolean {
  const sequence = ecsText(document, 'event.sequence');
  if (sequence === undefined) return true;
  return pairsOf(text, separator).get('SequenceNumber') === sequence;
}

function detailsAgree(document: Record<string, unknown>, text: string): boolean {
  const lines = detailLines(document);
  if (lines === undefined) return true;
  return text.replace(/(\r?\n)+$/, '').split('\n').length === lines.length;
}

/** Every index of `marker` in `text` at or after `from`. */
function indexesOf(text: string, marker: string, from: number): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(marker, from); at !== -1; at = text.indexOf(marker, at + 1)) found.push(at);
  return found;
}

/**
 * Split a message by its template: literal pieces between slots, `pieces.length - 1` slots. Every way the markers
 * can fall is tried in order, the first whose slots pass `accept` wins.
 */
function splitMessage(
  message: string,
  pieces: readonly string[],
  accept: (slots: string[]) => boolean,
): string[] | undefined {
  const head = pieces[0] as string;
  if (!message.startsWith(head)) return undefined;
  const tail = pieces[pieces.length - 1] as string;
  if (!message.endsWith(tail) || message.length < head.length + tail.length) return undefined;
  const end = message.length - tail.length;
  const walk = (from: number, index: number, slots: string[]): string[] | undefined => {
    if (index === pieces.length - 1) {
      if (from > end) return undefined;
      const all = [...slots, message.slice(from, end)];
      return accept(all) ? all : undefined;
    }
    const marker = pieces[index] as string;
    for (const at of indexesOf(message, marker, from)) {
      if (at + marker.length > end) break;
      const found = walk(at + marker.length, index + 1, [...slots, message.slice(from, at)]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(head.length, 1, []);
}

/** The pieces of each event's message template around its values (`nl`: the message's line end). */
function templatePieces(eventId: number, nl: string): string[] | undefined {
  switch (eventId) {
    case 400:
    case 403:
      // "Engine state is changed from %2 to %1. ... Details: %3": the slots come out in the order %2, %1, %3.
      return ['Engine state is changed from ', ' to ', `. ${nl}${nl}Details: ${nl}`, ''];
    case 600:
      return ['Provider "', '" is ', `. ${nl}${nl}Details: ${nl}`, ''];
    case 800:
      return [
        'Pipeline execution details for command line: ',
        `. ${nl}${nl}Context Information: ${nl}`,
        ` ${nl}${nl}Details: ${nl}`,
        '',
      ];
    case 4103:
      return ['', `${nl}${nl}Context:${nl}`, `${nl}${nl}User Data:${nl}`, nl];
    default:
      return undefined;
  }
}

/** The removed values from the message: template slot order mapped to EventData names. */
function fromMessage(document: Record<string, unknown>, eventId: number): Record<string, string> | undefined {
  const message = document.message;
  if (typeof message !== 'string') return undefined;
  const nl = lineEnd(document);
  const pieces = templatePieces(eventId, nl);
  if (pieces === undefined) return undefined;
  if (eventId === 4103) {
    const slots = splitMessage(
      message,
      pieces,
      ([payload, context]) =>
        detailsAgree(document, payload as string) && sequenceAgrees(document, context as string, '='),
    );
    if (slots === undefined) return undefined;
    return { Payload: slots[0] as string, ContextInfo: slots[1] as string, UserData: slots[2] as string };
  }
  const slots = splitMessage(message, pieces, (found) =>
    eventId === 800
      ? sequenceAgrees(document, found[1] as string, '=') && detailsAgree(document, found[2] as string)
      : sequenceAgrees(document, found[2] as string, '='),
  );
  if (slots === undefined) return undefined;
  // 400/403 name the new state first in EventData and second in the message; 600 and 800 keep the order.
  if (eventId === 400 || eventId === 403)
    return { Data1: slots[1] as string, Data2: slots[0] as string, Data3: slots[2] as string };
  return { Data1: slots[0] as string, Data2: slots[1] as string, Data3: slots[2] as string };
}

/** A classic event's details value from the ECS fields, in Windows' layout. */
function classicDetails(document: Record<string, unknown>, eventId: number, nl: string): string | undefined {
  const groups = CLASSIC_DETAILS.get(classicLayout(eventId));
  if (groups === undefined) return undefined;
  return groups
    .map((group) => group.map(([key, source]) => `\t${key}=${sourceText(document, source) ?? ''}`).join(nl))
    .join(`${nl}${nl}`);
}

/** The removed values from the ECS fields. */
function fromEcs(document: Record<string, unknown>, eventId: number): Record<string, string> {
  const nl = lineEnd(document);
  const details = detailLines(document);
  const payload = details === undefined ? '' : details.map((line) => `${line}${nl}`).join('');
  if (eventId === 4103) {
    const level = ecsText(document, 'log.level');
    const lines = CONTEXT_INFO.map(([label, source]) => {
      const value =
        source === undefined
          ? level === undefined
            ? ''
            : (SEVERITY.get(level.toLowerCase()) ?? level)
          : (sourceText(document, source) ?? '');
      return `        ${label} = ${value}${nl}`;
    });
    return { ContextInfo: lines.join(''), Payload: payload };
  }
  const text = classicDetails(document, eventId, nl) ?? '';
  const path = (name: string) => ecsText(document, name) ?? '';
  switch (eventId) {
    case 600:
      return { Data1: path('powershell.provider.name'), Data2: path('powershell.provider.new_state'), Data3: text };
    case 800:
      return { Data1: path('powershell.command.value'), Data2: text, Data3: payload };
    default:
      return {
        Data1: path('powershell.engine.new_state'),
        Data2: path('powershell.engine.previous_state'),
        Data3: text,
      };
  }
}

/** The EventData names the module's split adds (4103: ContextInfo's labels without spaces; classic: the keys). */
function splitNames(eventId: number): Set<string> {
  const names = new Set<string>(['Severity', 'User', 'ConnectedUser', 'SequenceNumber', 'ShellID', 'HostID']);
  for (const [label] of CONTEXT_INFO) names.add(label.replace(/\s/g, ''));
  for (const groups of CLASSIC_DETAILS.values()) for (const group of groups) for (const [key] of group) names.add(key);
  if (eventId === 4103) for (const name of ['RunspaceID', 'PipelineID']) names.add(name);
  return names;
}
const SPLIT_NAMES_4103 = splitNames(4103);
const SPLIT_NAMES_CLASSIC = splitNames(400);

/**
 * Fill the fields `data` (winlog.event_data as read) lacks from the module's ECS fields and message; when the
 * module ran, a field neither holds was '' and is rebuilt so.
 */
export function rebuildPowerShell(document: Record<string, unknown>, eventId: number, data: Record<string, string>) {
  const ran = processedByModule(document);
  if (eventId === 4104) {
    for (const [name, path] of SCRIPT_BLOCK_MOVES) {
      if (data[name] !== undefined) continue;
      const value = ecsText(document, path);
      if (value !== undefined) data[name] = value;
      else if (ran) data[name] = '';
    }
    return;
  }
  if (eventId !== 4103 || !ran) return;
  rebuildSplit(document, eventId, data, SPLIT_NAMES_4103, ['ContextInfo', 'UserData', 'Payload']);
}

/** Classic Windows PowerShell: Winlogbeat's `paramN` are `DataN`; what the module took out is rebuilt. */
export function rebuildClassicPowerShell(
  document: Record<string, unknown>,
  eventId: number,
  data: Record<string, string>,
): void {
  classicParamsAsData(data);
  if (!CLASSIC_EVENTS.has(eventId) || !processedByModule(document)) return;
  rebuildSplit(document, eventId, data, SPLIT_NAMES_CLASSIC, ['Data1', 'Data2', 'Data3']);
}

/** Winlogbeat (6.x too) names a classic event's unnamed values `param1..3`; the other forms `Data1..3`. */
export function classicParamsAsData(data: Record<string, string>): void {
  for (let n = 1; n <= 3; n++) {
    const value = data[`param${n}`];
    if (value === undefined) continue;
    if (data[`Data${n}`] === undefined) data[`Data${n}`] = value;
    delete data[`param${n}`];
  }
}

function rebuildSplit(
  document: Record<string, unknown>,
  eventId: number,
  data: Record<string, string>,
  added: ReadonlySet<string>,
  fields: readonly string[],
): void {
  for (const name of Object.keys(data)) if (added.has(name)) delete data[name];
  if (fields.every((name) => data[name] !== undefined)) return;
  const rebuilt = fromMessage(document, eventId) ?? fromEcs(document, eventId);
  for (const name of fields) if (data[name] === undefined) data[name] = rebuilt[name] ?? '';
}
