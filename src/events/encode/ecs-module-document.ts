/**
 * What the ECS module emulators (ecs-sysmon, ecs-security, ecs-powershell) share: the shipper document they start
 * from, and writing a dotted ECS path into it, as the ingest pipelines' `set` processors do.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { encodeElasticAgent } from '../formats/elastic-agent.js';
import { encodeWinlogbeat } from '../formats/winlogbeat.js';

/** A parsed shipper document. */
export type EcsDocument = Record<string, unknown>;

/** Which shipper's document a module emulator starts from. */
export type ModuleShipper = 'winlogbeat' | 'elastic-agent';

/** The event as the shipper itself sends it, before any module (the text a module leaves unchanged). */
export function shipperText(event: CanonicalEvent, shipper: ModuleShipper): string {
  return shipper === 'winlogbeat' ? encodeWinlogbeat(event) : encodeElasticAgent(event);
}

/** Sets `value` at a dotted `path` (`process.parent.pid`), creating objects on the way and replacing non-objects. */
export function putPath(document: EcsDocument, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = document;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) at = next as EcsDocument;
    else {
      const created: EcsDocument = {};
      at[part] = created;
      at = created;
    }
  }
  at[parts[parts.length - 1] as string] = value;
}
