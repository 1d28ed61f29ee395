/**
 * ECS back to PowerShell/Operational EventData names, for script block events (4104) the Winlogbeat / Elastic
 * Agent PowerShell module processed (beats x-pack/winlogbeat/module/powershell/ingest/powershell_operational.yml,
 * the Windows integration's powershell_operational data stream).
 *
 * For 4104 the module MOVES ScriptBlockText -> powershell.file.script_block_text, ScriptBlockId ->
 * powershell.file.script_block_id, Path -> file.path (each only when not ''), CONVERTS MessageNumber ->
 * powershell.sequence and MessageTotal -> powershell.total (numbers) and removes both, then REMOVES every ''
 * value. All of it comes back: a template field still missing after the moves was '' (a value that was not
 * leaves an ECS copy). 4103's ContextInfo and Payload, which the module parses into many fields, are not rebuilt.
 */

import { ecsText } from './ecs-path.js';

export const POWERSHELL_PROVIDER = 'Microsoft-Windows-PowerShell';
export const POWERSHELL_CHANNEL = 'Microsoft-Windows-PowerShell/Operational';

/** 4104 EventData name -> the ECS path the module moves it to. */
export const SCRIPT_BLOCK_MOVES: ReadonlyMap<string, string> = new Map([
  ['MessageNumber', 'powershell.sequence'],
  ['MessageTotal', 'powershell.total'],
  ['ScriptBlockText', 'powershell.file.script_block_text'],
  ['ScriptBlockId', 'powershell.file.script_block_id'],
  ['Path', 'file.path'],
]);

/** Whether a document is a PowerShell/Operational event (by provider, or channel when no provider is sent). */
export function isPowerShellOperational(provider: string, channel: string): boolean {
  return channel === POWERSHELL_CHANNEL && (provider === POWERSHELL_PROVIDER || provider === '');
}

/** Whether the document went through the module (its pipeline's module name or data stream). */
function processedByModule(document: Record<string, unknown>): boolean {
  return (
    ecsText(document, 'event.module') === 'powershell' ||
    ecsText(document, 'data_stream.dataset') === 'windows.powershell_operational'
  );
}

/**
 * Fill the 4104 fields `data` (winlog.event_data as read) lacks from the module's ECS fields; when the module
 * ran, a field neither holds was '' and is rebuilt so.
 */
export function rebuildPowerShell(document: Record<string, unknown>, eventId: number, data: Record<string, string>) {
  if (eventId !== 4104) return;
  const ran = processedByModule(document);
  for (const [name, path] of SCRIPT_BLOCK_MOVES) {
    if (data[name] !== undefined) continue;
    const value = ecsText(document, path);
    if (value !== undefined) data[name] = value;
    else if (ran) data[name] = '';
  }
}
