/**
 * Shared by reencode-channels.test.ts (a deterministic subset) and reencode-channels.heavy.test.ts (everything):
 * real events in their original form (the Sigma regression samples as evtx_dump JSON, the OTRF recordings as
 * NXLog / Winlogbeat lines), each decoded by hookstream, re-encoded by src/events/encode into every shipper
 * format, decoded again, and matched against the whole SigmaHQ Windows corpus. Per (format, channel): how many
 * events, how many went positional, and every event whose alerts or fields differ from the original's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileRules, type RuleSet } from '../../src/detection/index.js';
import type { CanonicalEvent, ShipperFormat } from '../../src/events/canonical-event.js';
import { ENCODERS } from '../../src/events/encode/index.js';
import { readRecord } from '../../src/events/read-record.js';
import { readOtrfObjects } from '../helpers/otrf.js';
import { sharedPath } from '../helpers/skip.js';

export const SIGMA_DIR = sharedPath('sigma');
export const REGRESSION_DIR = sharedPath('sigma', 'regression_data');
export const OTRF_RECORDINGS_DIR = sharedPath('datasets', 'otrf');
export const FORMATS = Object.keys(ENCODERS) as ShipperFormat[];
/** The formats that carry EventData as a positional list when a schema names it. */
const POSITIONAL: ReadonlySet<ShipperFormat> = new Set(['kinesis-agent', 'fluent-bit']);

function listFiles(dir: string, ending: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, ending));
    else if (entry.name.endsWith(ending)) out.push(full);
  }
  return out.sort();
}

/** Every Windows rule of the corpus (the same directories the rules command loads from ../shared/sigma). */
export function compileCorpus(): RuleSet {
  const files = ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].flatMap((dir) =>
    listFiles(path.join(SIGMA_DIR, dir), '.yml'),
  );
  return compileRules(files.map((file) => ({ file, text: readFileSync(file, 'utf8') }))).ruleSet;
}

export interface Original {
  origin: string;
  event: CanonicalEvent;
}

function decodeOne(bytes: Uint8Array, origin: string, out: Original[]): void {
  for (const outcome of readRecord(bytes)) {
    if (outcome.kind === 'event') out.push({ origin, event: outcome.event });
  }
}

/** The regression samples' events (one file may hold several evtx_dump documents). */
export function regressionOriginals(): Original[] {
  const out: Original[] = [];
  for (const file of listFiles(REGRESSION_DIR, '.json')) {
    decodeOne(readFileSync(file), path.relative(REGRESSION_DIR, file), out);
  }
  return out;
}

/**
 * The OTRF recordings' events, each line decoded by hookstream. `perKind`: keep only the first that many events
 * of each (recording, channel, event ID), in file order (the fast subset); undefined keeps all.
 */
export function otrfOriginals(perKind?: number): Original[] {
  const encoder = new TextEncoder();
  const out: Original[] = [];
  const files = readdirSync(OTRF_RECORDINGS_DIR)
    .filter((name) => name.endsWith('.zip') || name.endsWith('.tar.gz'))
    .sort();
  for (const file of files) {
    const seen = new Map<string, number>();
    const objects = readOtrfObjects(file);
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i] as Record<string, unknown>;
      if (perKind !== undefined) {
        const kind = `${String(object.Channel ?? object.log_name)}|${String(object.EventID ?? object.event_id)}`;
        const count = seen.get(kind) ?? 0;
        if (count >= perKind) continue;
        seen.set(kind, count + 1);
      }
      decodeOne(encoder.encode(JSON.stringify(object)), `${file} line ${i + 1}`, out);
    }
  }
  return out;
}

export interface Row {
  format: ShipperFormat;
  channel: string;
  events: number;
  /** Events the encoder wrote as a positional list (Kinesis Agent, Fluent Bit). */
  positional: number;
  /** Alerts of the original events in this channel (same for every format when the test passes). */
  alerts: number;
  /** Events whose alerts differ from the original's: origin, event ID, and both rule ID lists. */
  alertDiffs: string[];
  /** Events that came back with other fields (header or EventData) than the original. */
  fieldDiffs: string[];
}

function ruleIds(ruleSet: RuleSet, event: CanonicalEvent): string[] {
  return ruleSet
    .match(event)
    .map((m) => m.rule.id)
    .sort();
}

/**
 * XML reading normalises a value the way XML parsers do: CR LF is read as LF, and the parser trims leading and
 * trailing blanks (src/events/decode/xml-events.ts); docs/formats.md, "Encoders", lists this loss.
 */
function xmlValue(value: string | undefined): string | undefined {
  return value?.replace(/\r\n?/g, '\n').trim();
}

function sameFields(a: CanonicalEvent, b: CanonicalEvent, format: ShipperFormat): boolean {
  if (a.host !== b.host || a.channel !== b.channel || a.provider !== b.provider) return false;
  if (a.eventId !== b.eventId || a.time !== b.time || a.recordId !== b.recordId) return false;
  // Kinesis Agent has no process ID (docs/formats.md, "Encoders").
  if (format !== 'kinesis-agent' && a.processId !== b.processId) return false;
  const keys = Object.keys(a.data);
  if (keys.length !== Object.keys(b.data).length) return false;
  if (format === 'xml') return keys.every((key) => xmlValue(a.data[key]) === b.data[key]);
  return keys.every((key) => a.data[key] === b.data[key]);
}

function isPositional(format: ShipperFormat, text: string): boolean {
  if (!POSITIONAL.has(format)) return false;
  const document = JSON.parse(text) as Record<string, unknown>;
  return Array.isArray(format === 'kinesis-agent' ? document.EventData : document.StringInserts);
}

/** Re-encodes every original into every format; one row per (format, channel), sorted. */
export function reencodeRows(originals: readonly Original[], ruleSet: RuleSet): Row[] {
  const encoder = new TextEncoder();
  const rows = new Map<string, Row>();
  for (const { origin, event } of originals) {
    const expected = ruleIds(ruleSet, event);
    for (const format of FORMATS) {
      const key = `${format}\u0000${event.channel}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = { format, channel: event.channel, events: 0, positional: 0, alerts: 0, alertDiffs: [], fieldDiffs: [] };
        rows.set(key, row);
      }
      row.events++;
      row.alerts += expected.length;
      const text = ENCODERS[format](event);
      if (isPositional(format, text)) row.positional++;
      const decoded = readRecord(encoder.encode(text)).filter((o) => o.kind === 'event');
      const again = decoded.length === 1 && decoded[0]?.kind === 'event' ? decoded[0].event : undefined;
      if (again === undefined) {
        row.fieldDiffs.push(`${origin}: ${decoded.length} events decoded`);
        row.alertDiffs.push(`${origin}: not decoded`);
        continue;
      }
      if (!sameFields(event, again, format)) row.fieldDiffs.push(`${origin} (event ${event.eventId})`);
      const actual = ruleIds(ruleSet, again);
      if (actual.join() !== expected.join()) {
        row.alertDiffs.push(`${origin} (event ${event.eventId}): ${expected.join(' ')} -> ${actual.join(' ')}`);
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.format.localeCompare(b.format) || a.channel.localeCompare(b.channel));
}

/** The test title of a row: its figures, so that the table shows in the test output. */
export function rowTitle(row: Row): string {
  const positional = POSITIONAL.has(row.format) ? `, ${row.positional} positional` : '';
  return `${row.format} x ${row.channel}: ${row.events} events${positional}, ${row.alerts} alerts`;
}
