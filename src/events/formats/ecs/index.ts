/**
 * ECS back to Windows EventData names, shared by the Winlogbeat and Elastic Agent readers. One file per module
 * (sysmon.ts, security.ts, powershell.ts). winlog.event_data, as read, always wins; a field the module removed is
 * rebuilt from its ECS field where that is possible. For Sysmon, what is still missing is read from the rendered `message`
 * (`Name: value` lines, as Windows renders the event), which Winlogbeat and Elastic Agent keep by default; a
 * Security message labels its values by display names, not EventData names, so it is not used.
 */

import { isSysmon, SYSMON_FIELDS } from '../../schemas.js';
import type { HeaderContext } from '../build-event.js';
import {
  isClassicPowerShell,
  isPowerShellOperational,
  rebuildClassicPowerShell,
  rebuildPowerShell,
} from './powershell.js';
import { isSecurityEvent, rebuildSecurity } from './security.js';
import { rebuildSysmon } from './sysmon.js';

/** Fill what the event's module took out of EventData, from the document's ECS fields and its message. */
export function restoreEcsFields(
  document: Record<string, unknown>,
  context: HeaderContext,
  data: Record<string, string>,
): void {
  if (isSecurityEvent(context.provider, context.channel)) {
    rebuildSecurity(document, context, data);
    return;
  }
  if (isPowerShellOperational(context.provider, context.channel)) {
    rebuildPowerShell(document, context.eventId, data);
    return;
  }
  if (isClassicPowerShell(context.provider, context.channel)) {
    rebuildClassicPowerShell(document, context.eventId, data);
    return;
  }
  if (!isSysmon(context.provider, context.channel)) return;
  const fields = SYSMON_FIELDS.get(context.eventId);
  if (fields === undefined) return;
  rebuildSysmon(document, context.eventId, fields, data);
  if (typeof document.message === 'string') fromMessage(fields, document.message, data);
}

/**
 * Missing fields from the rendered message's `Name: value` lines (the first line is the event's title). A
 * value spanning lines keeps only its first line; an empty value is read as ''.
 */
function fromMessage(fields: readonly string[], message: string, data: Record<string, string>): void {
  for (const name of fields) {
    if (data[name] !== undefined) continue;
    const label = `\n${name}:`;
    const at = message.indexOf(label);
    if (at === -1) continue;
    let start = at + label.length;
    let end = message.indexOf('\n', start);
    if (end === -1) end = message.length;
    if (end > start && message.charCodeAt(end - 1) === 13) end--;
    if (start < end && message.charCodeAt(start) === 32) start++;
    data[name] = message.slice(start, end);
  }
}
