import type { CanonicalEvent } from '../canonical-event.js';
import { encodeWinlogbeat } from './winlogbeat.js';

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
