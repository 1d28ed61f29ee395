/**
 * What the PowerShell module (Winlogbeat 8's powershell_operational pipeline, and the Elastic Agent Windows
 * integration's) makes of a 4104 script block event, as listed in src/events/formats/ecs/powershell.ts. Lossy on
 * purpose (it is what such a shipper sends), so it is not one of the round-trip ENCODERS; tests use it.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { POWERSHELL_CHANNEL } from '../formats/ecs/powershell.js';
import { type EcsDocument as Doc, type ModuleShipper, putPath as put, shipperText } from './ecs-module-document.js';

export interface PowerShellModuleOptions {
  /** Which shipper's document to start from. */
  shipper: ModuleShipper;
}

/** The event as the PowerShell module leaves it; events other than PowerShell/Operational 4104 unchanged. */
export function encodePowerShellModule(event: CanonicalEvent, options: PowerShellModuleOptions): string {
  const base = shipperText(event, options.shipper);
  if (event.channel !== POWERSHELL_CHANNEL || event.eventId !== 4104) return base;
  const document = JSON.parse(base) as Doc;
  const data: Record<string, string> = { ...event.data };
  put(document, 'event.module', 'powershell');
  if (options.shipper === 'elastic-agent') put(document, 'data_stream.dataset', 'windows.powershell_operational');
  for (const [name, path] of [
    ['MessageNumber', 'powershell.sequence'],
    ['MessageTotal', 'powershell.total'],
  ] as const) {
    const value = data[name];
    // convert with ignore_failure: a number when it is one; removed at cleanup either way.
    if (value !== undefined && /^\d+$/.test(value)) put(document, path, Number(value));
    delete data[name];
  }
  const rename = (name: string, path: string) => {
    const value = data[name];
    if (value === undefined || value === '') return;
    put(document, path, value);
    delete data[name];
  };
  rename('ScriptBlockId', 'powershell.file.script_block_id');
  rename('ScriptBlockText', 'powershell.file.script_block_text');
  rename('Path', 'file.path');
  for (const name of Object.keys(data)) if (data[name] === '') delete data[name];
  const winlog = document.winlog as Doc;
  if (Object.keys(data).length === 0) delete winlog.event_data;
  else winlog.event_data = data;
  return JSON.stringify(document);
}
