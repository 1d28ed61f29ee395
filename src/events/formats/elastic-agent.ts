/**
 * Elastic Agent (the Windows and System integrations): the same `winlog.*` document as Winlogbeat 8, written by
 * the agent's Filebeat (`agent.type` "filebeat", or "elastic-agent") into a data stream (`data_stream.*`).
 * Its ingest pipelines rename EventData to ECS like Winlogbeat's modules; the same mapping (ecs/) undoes it.
 */

import { isObject } from '../values.js';
import type { FormatReader } from './format-reader.js';
import { normaliseWinlog } from './winlogbeat.js';

const AGENT_TYPES: ReadonlySet<unknown> = new Set(['filebeat', 'elastic-agent']);

export const elasticAgent: FormatReader = {
  format: 'elastic-agent',
  recognises: (document, syntax) =>
    syntax === 'json' &&
    isObject(document.winlog) &&
    (isObject(document.data_stream) || (isObject(document.agent) && AGENT_TYPES.has(document.agent.type))),
  normalise: (document) => normaliseWinlog('elastic-agent', document),
};
