/**
 * Winlogbeat: 7.x+/ECS `winlog.*` with `@timestamp`, and the 6.x top-level form (`event_id`, `log_name`,
 * `computer_name`, `source_name`, `record_number`, `process_id`, `event_data`) found in OTRF recordings.
 */

import { isObject } from '../values.js';
import { buildEvent } from './build-event.js';
import { readEventData, readUserData } from './event-data.js';
import type { FormatReader } from './format-reader.js';

export const winlogbeat: FormatReader = {
  format: 'winlogbeat',
  recognises: (document, syntax) =>
    syntax === 'json' &&
    (isObject(document.winlog) || (document.event_id !== undefined && document.log_name !== undefined)),
  normalise: (document) => {
    const winlog = isObject(document.winlog) ? document.winlog : undefined;
    const source = winlog ?? document;
    const process = winlog?.process;
    return buildEvent(
      'winlogbeat',
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
        if (source.event_data !== undefined) return readEventData(source.event_data, context, data);
        return readUserData(source.user_data, data);
      },
    );
  },
};
