/**
 * Winlogbeat: 7.x+/ECS `winlog.*` with `@timestamp`, and the 6.x top-level form (`event_id`, `log_name`,
 * `computer_name`, `source_name`, `record_number`, `process_id`, `event_data`) found in OTRF recordings.
 * Events its Sysmon module processed (ECS fields, some EventData removed) are mapped back by ecs/.
 */

import type { ShipperFormat } from '../canonical-event.js';
import { isObject } from '../values.js';
import { buildEvent, type Normalised } from './build-event.js';
import { restoreEcsFields } from './ecs/index.js';
import { readEventData, readUserData } from './event-data.js';
import type { FormatReader } from './format-reader.js';

/** The `winlog.*` document of Winlogbeat and Elastic Agent (and Winlogbeat 6's top-level form). */
export function normaliseWinlog(format: ShipperFormat, document: Record<string, unknown>): Normalised {
  const winlog = isObject(document.winlog) ? document.winlog : undefined;
  const source = winlog ?? document;
  const process = winlog?.process;
  return buildEvent(
    format,
    {
      host: winlog ? winlog.computer_name : document.computer_name,
      channel: winlog ? winlog.channel : document.log_name,
      provider: winlog ? winlog.provider_name : document.source_name,
      eventId: winlog ? winlog.event_id : document.event_id,
      times: [document['@timestamp']],
      recordId: winlog ? winlog.record_id : document.record_number,
      processId: winlog ? (isObject(process) ? process.pid : undefined) : document.process_id,
    },
    (context, data) => {
      if (source.event_data !== undefined) {
        const error = readEventData(source.event_data, context, data);
        if (error !== undefined) return error;
      } else {
        const error = readUserData(source.user_data, data);
        if (error !== undefined) return error;
      }
      if (winlog !== undefined) restoreEcsFields(document, context, data);
      return undefined;
    },
  );
}

export const winlogbeat: FormatReader = {
  format: 'winlogbeat',
  recognises: (document, syntax) =>
    syntax === 'json' &&
    (isObject(document.winlog) || (document.event_id !== undefined && document.log_name !== undefined)),
  normalise: (document) => normaliseWinlog('winlogbeat', document),
};
