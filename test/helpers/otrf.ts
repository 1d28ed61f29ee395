/**
 * TEST HELPER ONLY (not the product's normaliser): reads the OTRF Security-Datasets recordings in ../shared and
 * converts their lines to CanonicalEvent with a deliberately minimal, independent converter, so the hooks can be
 * tested on real data before (and independently of) src/events.
 *
 * Two line forms occur: flat NXLog (EventID, Channel, Hostname, SourceName, EventData fields at top level) in the
 * zips, and Winlogbeat 6 (event_id, log_name, computer_name, event_data) in empire_mimikatz_opth.tar.gz, whose
 * gzip stream lacks its trailer (decompressed with a sync flush, tolerated).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { strFromU8, unzipSync } from 'fflate';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { SHARED_DIR } from './skip.js';

/** ../shared/datasets/otrf beside the project checkout (see SHARED_DIR). */
export const OTRF_DIR = join(SHARED_DIR, 'datasets/otrf');

/** Whether the shared recordings are present (they are not shipped with the project). */
export function otrfAvailable(): boolean {
  return existsSync(OTRF_DIR);
}

/** The recording files (*.zip, *.tar.gz), sorted by name. */
export function otrfFiles(): string[] {
  if (!otrfAvailable()) return [];
  return readdirSync(OTRF_DIR)
    .filter((name) => name.endsWith('.zip') || name.endsWith('.tar.gz'))
    .sort();
}

/** The member files of a ustar archive (512-byte headers, size in octal at 124); stops at truncation. */
function tarMembers(archive: Buffer): Uint8Array[] {
  const members: Uint8Array[] = [];
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    const start = offset + 512;
    if (type === '0' || type === '\0') members.push(archive.subarray(start, Math.min(start + size, archive.length)));
    offset = start + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** Every line of every member file of one recording, parsed as JSON objects (blank or unparsable lines skipped). */
export function readOtrfObjects(fileName: string): Record<string, unknown>[] {
  const bytes = readFileSync(join(OTRF_DIR, fileName));
  const texts: string[] = [];
  if (fileName.endsWith('.zip')) {
    for (const content of Object.values(unzipSync(new Uint8Array(bytes)))) texts.push(strFromU8(content));
  } else {
    const tar = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    for (const member of tarMembers(tar)) texts.push(Buffer.from(member).toString('utf8'));
  }
  const objects: Record<string, unknown>[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length === 0) continue;
      try {
        const value: unknown = JSON.parse(trimmed);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          objects.push(value as Record<string, unknown>);
        }
      } catch {
        // A line cut by the truncated archive: not an event.
      }
    }
  }
  return objects;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` (Sysmon UtcTime, UTC) or ISO 8601 -> epoch ms, NaN when neither. */
export function parseOtrfTime(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const sysmon = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (sysmon !== null) {
    const [, y, mo, d, h, mi, s, ms] = sysmon;
    return Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number((ms ?? '0').padEnd(3, '0')),
    );
  }
  return Date.parse(text);
}

function stringFields(source: Record<string, unknown>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (typeof value === 'string') data[key] = value;
  return data;
}

/** Minimal conversion of one OTRF line to a CanonicalEvent, or undefined when it has no channel / event ID / time. */
export function otrfToCanonical(object: Record<string, unknown>): CanonicalEvent | undefined {
  if (typeof object.log_name === 'string' && object.event_data !== undefined) {
    // Winlogbeat 6
    const data = stringFields((object.event_data as Record<string, unknown>) ?? {});
    const time = data.UtcTime !== undefined ? parseOtrfTime(data.UtcTime) : parseOtrfTime(object['@timestamp']);
    const eventId = Number(object.event_id);
    if (!Number.isFinite(time) || !Number.isInteger(eventId)) return undefined;
    const event: CanonicalEvent = {
      host: String(object.computer_name ?? ''),
      channel: object.log_name,
      provider: String(object.source_name ?? ''),
      eventId,
      time,
      format: 'winlogbeat',
      data,
    };
    if (typeof object.process_id === 'number') event.processId = object.process_id;
    return event;
  }
  if (typeof object.Channel !== 'string') return undefined;
  const data = stringFields(object);
  const time = data.UtcTime !== undefined ? parseOtrfTime(data.UtcTime) : parseOtrfTime(object.TimeCreated);
  const eventId = Number(object.EventID);
  if (!Number.isFinite(time) || !Number.isInteger(eventId)) return undefined;
  const event: CanonicalEvent = {
    host: String(object.Hostname ?? ''),
    channel: object.Channel,
    provider: String(object.SourceName ?? ''),
    eventId,
    time,
    format: 'nxlog',
    data,
  };
  // NXLog's System/Execution ProcessID; the EventData ProcessId (different case) stays in data.
  const executionPid = Number(object.ProcessID);
  if (object.ProcessID !== undefined && Number.isInteger(executionPid)) event.processId = executionPid;
  return event;
}

/** One recording as canonical events, sorted by event time (stable). */
export function readOtrfEvents(fileName: string): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  for (const object of readOtrfObjects(fileName)) {
    const event = otrfToCanonical(object);
    if (event !== undefined) events.push(event);
  }
  return events.sort((a, b) => a.time - b.time);
}
