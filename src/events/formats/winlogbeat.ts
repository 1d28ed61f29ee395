/**
 * Winlogbeat: 7.x+/ECS `winlog.*` with `@timestamp`, and the 6.x top-level form (`event_id`, `log_name`,
 * `computer_name`, `source_name`, `record_number`, `process_id`, `event_data`) found in OTRF recordings.
 * Events its Sysmon module processed (ECS fields, some EventData removed) are mapped back by ecs/.
 */

import type { CanonicalEvent, ShipperFormat } from '../canonical-event.js';
import { isObject } from '../values.js';
import { buildEvent, type Normalised } from './build-event.js';
import { dnsEventPatterns } from './dns-filter.js';
import { restoreEcsFields } from './ecs/index.js';
import { classicParamsAsData, isClassicPowerShell } from './ecs/powershell.js';
import { readEventData, readUserData } from './event-data.js';
import type { ShipperFormatModule } from './shipper-format.js';

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
      else if (isClassicPowerShell(context.provider, context.channel)) classicParamsAsData(data);
      return undefined;
    },
  );
}

/**
 * The event ID of Winlogbeat 7+ and Elastic Agent documents (`winlog.event_id`: a number in 7.x, a string in 8;
 * `event.code` holds the same and is not needed).
 */
export const WINLOG_DNS_FILTER = dnsEventPatterns(['winlog', 'event_id']);

export const winlogbeat: ShipperFormatModule<'winlogbeat'> = {
  format: 'winlogbeat',
  encode: encodeWinlogbeat,
  // 7.x+ and the 6.x top-level form.
  dnsFilter: [...WINLOG_DNS_FILTER, ...dnsEventPatterns(['event_id'])],
  recognises: (document, syntax) =>
    syntax === 'json' &&
    (isObject(document.winlog) || (document.event_id !== undefined && document.log_name !== undefined)),
  normalise: (document) => normaliseWinlog('winlogbeat', document),
};

/** Winlogbeat 7+/ECS: `winlog.*` and `@timestamp`. */
export function encodeWinlogbeat(event: CanonicalEvent): string {
  const winlog: Record<string, unknown> = {
    computer_name: event.host,
    channel: event.channel,
    provider_name: event.provider,
    event_id: String(event.eventId),
    event_data: event.data,
  };
  if (event.recordId !== undefined) winlog.record_id = event.recordId;
  if (event.processId !== undefined) winlog.process = { pid: event.processId };
  return JSON.stringify({
    '@timestamp': new Date(event.time).toISOString(),
    event: { code: String(event.eventId), provider: event.provider },
    winlog,
  });
}
