/**
 * NXLog im_msvistalog JSON (as in the OTRF recordings): System fields and EventData fields flat at the top
 * level. EventData is everything that is not NXLog's own metadata or a shipping layer's (Logstash/HELK).
 */

import type { CanonicalEvent } from '../canonical-event.js';
import { handWrittenFields } from '../schemas.js';
import { readInteger, windowsText } from '../values.js';
import { buildEvent } from './build-event.js';
import { dnsEventPatterns } from './dns-filter.js';
import type { ShipperFormatModule } from './shipper-format.js';

/**
 * Keys NXLog (and the Logstash/HELK layer of the OTRF data) add around the EventData fields. `ProcessID` is
 * the System Execution process unless HELK already moved that to `ExecutionProcessID`.
 */
export const NXLOG_METADATA: ReadonlySet<string> = new Set([
  // NXLog im_msvistalog
  'EventTime',
  'EventReceivedTime',
  'Hostname',
  'Keywords',
  'EventType',
  'SeverityValue',
  'Severity',
  'EventID',
  'SourceName',
  'ProviderGuid',
  'Version',
  'Task',
  'OpcodeValue',
  'Opcode',
  'RecordNumber',
  'ActivityID',
  'RelatedActivityID',
  'ThreadID',
  'Channel',
  'Domain',
  'AccountName',
  'UserID',
  'AccountType',
  'Category',
  'Message',
  'SourceModuleName',
  'SourceModuleType',
  'Level',
  'TimeCreated',
  'ERROR_EVT_UNRESOLVED',
  // Logstash / HELK
  '@timestamp',
  '@version',
  '@metadata',
  'host',
  'port',
  'tags',
  'type',
  'ExecutionProcessID',
  'EventTypeOrignal',
]);

/** NXLog's EventType values; a Sysmon EventType (SetValue, CreatePipe...) is an EventData field. */
const NXLOG_EVENT_TYPES: ReadonlySet<string> = new Set([
  'INFO',
  'AUDIT_SUCCESS',
  'AUDIT_FAILURE',
  'ERROR',
  'WARNING',
  'CRITICAL',
  'VERBOSE',
]);

export const nxlog: ShipperFormatModule<'nxlog'> = {
  format: 'nxlog',
  encode: encodeNxlog,
  dnsFilter: dnsEventPatterns(['EventID']),
  recognises: (document, syntax) =>
    syntax === 'json' && document.EventID !== undefined && document.Hostname !== undefined,
  normalise: (document) => {
    const helkProcess = document.ExecutionProcessID;
    // Without HELK's rename, an integer ProcessID is the System process; anything else is an EventData field.
    const systemProcess =
      helkProcess === undefined && readInteger(document.ProcessID).ok ? document.ProcessID : undefined;
    return buildEvent(
      'nxlog',
      {
        host: document.Hostname,
        channel: document.Channel,
        provider: document.SourceName,
        eventId: document.EventID,
        // Sysmon UtcTime wins when present; these can be hours off (local time written as UTC).
        times: [document.TimeCreated, document['@timestamp'], document.EventTime],
        recordId: document.RecordNumber,
        processId: helkProcess ?? systemProcess,
      },
      (context, data) => {
        // Only the hand-written Sysmon/DNS templates: they name the metadata-named EventData fields NXLog's
        // case-insensitive merge hides (manifest templates name e.g. AccountName, Channel, which NXLog also writes).
        const schema = handWrittenFields(context.provider, context.channel, context.eventId);
        for (const key in document) {
          const value = document[key];
          if (NXLOG_METADATA.has(key)) {
            // An EventData field of the same name overwrites NXLog's in the flat record: keep it when the
            // schema names it and the value is not NXLog's own.
            if (schema === undefined || typeof value !== 'string' || !schema.includes(key)) continue;
            if (key === 'EventType' && NXLOG_EVENT_TYPES.has(value)) continue;
          } else if (key === 'ProcessID' && systemProcess !== undefined) {
            continue;
          }
          const text = windowsText(value);
          if (!text.ok) return text.error;
          data[key] = text.value;
        }
        if (schema !== undefined && typeof document.Message === 'string') {
          recoverFromMessage(schema, document.Message, data);
        }
        return undefined;
      },
    );
  },
};

/**
 * NXLog field names are case-insensitive, so in some recordings Sysmon's `ProcessId` was merged into the
 * System `ProcessID` and `EventType` into NXLog's; the rendered Message still has them as `Name: value` lines.
 * Only schema fields missing from the record are looked up, so the common case costs nothing.
 */
function recoverFromMessage(schema: readonly string[], message: string, data: Record<string, string>): void {
  for (const name of schema) {
    if (data[name] !== undefined) continue;
    const label = `\n${name}: `;
    const at = message.indexOf(label);
    if (at === -1) continue;
    const start = at + label.length;
    let end = message.indexOf('\n', start);
    if (end === -1) end = message.length;
    if (end > start && message.charCodeAt(end - 1) === 13) end--;
    data[name] = message.slice(start, end);
  }
}

/**
 * Flat NXLog JSON. The process goes to HELK's `ExecutionProcessID` so an EventData `ProcessID` survives.
 * An EventData field named like NXLog metadata (e.g. `Category`) does not survive the trip: the reader drops it.
 */
export function encodeNxlog(event: CanonicalEvent): string {
  const document: Record<string, unknown> = {
    ...event.data,
    Hostname: event.host,
    Channel: event.channel,
    SourceName: event.provider,
    EventID: event.eventId,
    TimeCreated: new Date(event.time).toISOString(),
  };
  if (event.recordId !== undefined) document.RecordNumber = event.recordId;
  if (event.processId !== undefined) document.ExecutionProcessID = event.processId;
  return JSON.stringify(document);
}
