/**
 * Records for the Lambda tests: OTRF recordings line by line (one Kinesis record per line, ordered by event time
 * as a host ships them), and the identities used to compare outputs.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DNS_CLIENT_CHANNEL } from '../../src/events/canonical-event.js';
import { otrfToCanonical, readOtrfObjects } from './otrf.js';
import { SHARED_DIR } from './skip.js';

const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** ../shared/seed-events beside the project checkout. */
export const SEED_DIR = join(SHARED_DIR, 'seed-events');

/**
 * Recordings as records: each line re-serialised as compact JSON (the bytes go to both the pipeline and the replay
 * it is compared with), all recordings merged in event-time order (stable; lines without a time first), as hosts
 * shipping live would put them on the stream: an answer never arrives long after a later connection.
 */
export function otrfRecords(...fileNames: string[]): Uint8Array[] {
  return otrfRecordsThinned(1, ...fileNames);
}

/** What the consumers race over: connections (Sysmon 3) and DNS answers (Sysmon 22, DNS-Client 3008). */
const RACED_EVENT_IDS = new Set([3, 22, 3008]);

/**
 * {@link otrfRecords}, thinned for the short (npm test) versions of the emulator runs: every connection and DNS
 * answer, and the first of every `keepOneIn` other lines (per recording, in file order), so that every connection
 * replay names is still there while the emulators carry a fraction of the records. Deterministic.
 */
export function otrfRecordsThinned(keepOneIn: number, ...fileNames: string[]): Uint8Array[] {
  const lines = fileNames.flatMap((fileName) => {
    let others = 0;
    return readOtrfObjects(fileName).flatMap((object) => {
      const event = otrfToCanonical(object);
      if (!(event !== undefined && RACED_EVENT_IDS.has(event.eventId)) && others++ % keepOneIn !== 0) return [];
      return [{ time: event?.time ?? Number.NEGATIVE_INFINITY, data: Buffer.from(JSON.stringify(object)) }];
    });
  });
  return lines
    .map((line, index) => ({ ...line, index }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map((line) => line.data);
}

/** The founding scenario's four records, as files. */
export function seedRecords(): Uint8Array[] {
  return [
    '01-sysmon3-ptr-name.json',
    '02-sysmon3-empty-name.json',
    '03-dnsclient-3008-sls.json',
    '04-dnsclient-3008-rawsec.json',
  ].map((name) => new Uint8Array(readFileSync(join(SEED_DIR, name))));
}

/** A connection's identity in an output line: host | ProcessGuid | UtcTime | DestinationIp | SourcePort. */
export function connectionIdOfRow(row: Record<string, unknown>): string {
  return [row.host, row.ProcessGuid, row.UtcTime, row.DestinationIp, row.SourcePort]
    .map((part) => String(part ?? '').toLowerCase())
    .join('|');
}

/**
 * Any event's identity in an output line (several events can share it: compare multisets), from the fields as sent:
 * a DNS-Client 3008's `ProcessGuid` is left out, since the process-tracking hook writes it (from the PID) only when
 * it knows the process, which depends on batch boundaries and shards.
 */
export function eventIdOfRow(row: Record<string, unknown>): string {
  const guid = row.channel === DNS_CLIENT_CHANNEL ? '' : row.ProcessGuid;
  return [row.host, row.channel, row.event_id, row.time, row.record_id, guid, row.UtcTime, row.SourcePort]
    .map((part) => String(part ?? ''))
    .join('|');
}

/** Counts of each value. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/**
 * The recorded powershell.exe connection (events/nxlog) moved to a documentation address no answer names: a
 * connection that stays unresolved, so the enrich function holds it until the DNS consumer has caught up.
 */
export function unresolvedConnectionRecord(destinationIp = '198.51.100.7', sourcePort = '50001'): Uint8Array {
  const line = JSON.parse(readFileSync(join(PROJECT_DIR, 'events/nxlog/sysmon3-powershell.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  return Buffer.from(JSON.stringify({ ...line, DestinationIp: destinationIp, SourcePort: sourcePort }));
}
