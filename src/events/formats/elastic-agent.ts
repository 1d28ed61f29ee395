/**
 * Elastic Agent (the Windows and System integrations): the same `winlog.*` document as Winlogbeat 8, written by
 * the agent's Filebeat (`agent.type` "filebeat", or "elastic-agent") into a data stream (`data_stream.*`).
 * Its ingest pipelines rename EventData to ECS like Winlogbeat's modules; the same mapping (ecs/) undoes it.
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { isObject } from '../values.js';
import type { ShipperFormatModule } from './shipper-format.js';
import { encodeWinlogbeat, normaliseWinlog, WINLOG_DNS_FILTER } from './winlogbeat.js';

const AGENT_TYPES: ReadonlySet<unknown> = new Set(['filebeat', 'elastic-agent']);

export const elasticAgent: ShipperFormatModule<'elastic-agent'> = {
  format: 'elastic-agent',
  encode: encodeElasticAgent,
  dnsFilter: WINLOG_DNS_FILTER,
  recognises: (document, syntax) =>
    syntax === 'json' &&
    isObject(document.winlog) &&
    (isObject(document.data_stream) || (isObject(document.agent) && AGENT_TYPES.has(document.agent.type))),
  normalise: (document) => normaliseWinlog('elastic-agent', document),
};

/**
 * Elastic Agent: the Winlogbeat 8 `winlog.*` document as the agent's Filebeat writes it into a data stream
 * (`agent.type` filebeat, `data_stream.*`), EventData kept as logged (no integration pipeline applied; see
 * ecs-sysmon.ts for what the Sysmon pipeline does to it).
 */
export function encodeElasticAgent(event: CanonicalEvent): string {
  const document = JSON.parse(encodeWinlogbeat(event)) as Record<string, unknown>;
  return JSON.stringify({
    ...document,
    agent: { type: 'filebeat', name: event.host },
    data_stream: { type: 'logs', dataset: dataset(event.channel), namespace: 'default' },
    ecs: { version: '8.11.0' },
  });
}

/** The integration data stream an event of this channel lands in (Windows or System integration; else winlog). */
function dataset(channel: string): string {
  if (channel === 'Microsoft-Windows-Sysmon/Operational') return 'windows.sysmon_operational';
  if (channel === 'Security') return 'system.security';
  if (channel === 'System') return 'system.system';
  return 'winlog.winlog';
}
