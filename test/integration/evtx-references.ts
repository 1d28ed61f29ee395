/**
 * Test helper: the native EVTX reader against two independent readers of the same files, python-evtx (Debian
 * python3-evtx: record XML, read back through the project's XML path) and libevtx's evtxexport (record strings).
 * Used by evtx-python.test.ts (a subset) and evtx-python.heavy.test.ts (every regression file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { parseXmlEvents } from '../../src/events/decode/xml-events.js';
import { normaliseDocument } from '../../src/events/formats/index.js';
import { readRecord } from '../../src/events/read-record.js';

export const PYTHON = '/usr/bin/python3';
const EVTX_DUMP = '/usr/bin/evtx_dump.py';

/** Whether python-evtx is installed (its script, and its module importable by the system Python). */
export function pythonEvtxPresent(): boolean {
  return existsSync(EVTX_DUMP) && spawnSync(PYTHON, ['-c', 'import Evtx.Evtx'], { stdio: 'ignore' }).status === 0;
}

/** Whether libevtx-utils' evtxexport runs. */
export function evtxexportPresent(): boolean {
  return spawnSync('evtxexport', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** The events the native reader gives for a file. */
export function nativeEvents(file: string): CanonicalEvent[] {
  return readRecord(new Uint8Array(readFileSync(file)), { documents: Number.POSITIVE_INFINITY }).flatMap((o) =>
    o.kind === 'event' ? [o.event] : [],
  );
}

/**
 * The renderings where the readers differ by design, not by reading: GUIDs (evtx_dump: upper case without
 * braces; python-evtx: lower case in braces; evtxexport: upper case in braces), hex integers (evtx_dump: no
 * leading zeros), numeric character references python-evtx writes and the XML path does not decode, CR LF (XML
 * parsing folds it to LF), and trailing blanks (evtx_dump drops them).
 */
export function comparable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let text = value.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))).replace(/\r\n/g, '\n');
  text = text.trimEnd();
  if (/^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(text)) {
    text = text.replace(/[{}]/g, '').toUpperCase();
  }
  if (/^0x[0-9a-f]+$/i.test(text)) text = `0x${BigInt(text).toString(16)}`;
  return text;
}

function comparableEvent(event: CanonicalEvent): Record<string, unknown> {
  const { format: _format, data, ...header } = event;
  return { ...header, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, comparable(v)])) };
}

const DUMP_SCRIPT = `
import sys, json
import Evtx.Evtx as evtx
for path in sys.argv[1:]:
    with evtx.Evtx(path) as log:
        print(json.dumps({"file": path, "records": [r.xml() for r in log.records()]}))
`;

/**
 * python-evtx's records of each file (one Python process for all), read back through the XML path; a string
 * for a record the XML path rejects.
 */
export function pythonEvents(files: readonly string[]): Map<string, Array<Record<string, unknown> | string>> {
  const run = spawnSync(PYTHON, ['-c', DUMP_SCRIPT, ...files], { encoding: 'utf8', maxBuffer: 1024 ** 3 });
  if (run.status !== 0) throw new Error(`python-evtx failed: ${run.stderr}`);
  const out = new Map<string, Array<Record<string, unknown> | string>>();
  for (const line of run.stdout.trim().split('\n')) {
    const { file, records } = JSON.parse(line) as { file: string; records: string[] };
    out.set(
      file,
      records.map((xml) => {
        const parsed = parseXmlEvents(xml);
        if (!parsed.ok) return parsed.error;
        const event = normaliseDocument({ Event: parsed.value[0] }, 'xml');
        return event.ok ? comparableEvent(event.value) : event.error;
      }),
    );
  }
  return out;
}

/** The native reader's events of a file in the same comparable form. */
export function comparableNative(file: string): Array<Record<string, unknown>> {
  return nativeEvents(file).map(comparableEvent);
}

export interface ExportedRecord {
  eventId: number;
  computer: string;
  strings: string[];
}

/** evtxexport's records of a file: event identifier, computer name and the record's strings, in order. */
export function evtxexportRecords(file: string): ExportedRecord[] {
  const run = spawnSync('evtxexport', [file], { encoding: 'utf8', maxBuffer: 1024 ** 3 });
  if (run.status !== 0) throw new Error(`evtxexport failed: ${run.stderr}`);
  return run.stdout
    .split(/^Event number\t+: \d+\n/m)
    .slice(1)
    .map((text) => {
      const field = (name: string) => new RegExp(`^${name}\\t+: (.*)$`, 'm').exec(text)?.[1] ?? '';
      // A string runs to the next "String: n" line or the end of the record (it may span lines).
      const strings = text
        .split(/^String: \d+\t+: /m)
        .slice(1)
        .map((value) => value.replace(/\n+$/, ''));
      return {
        eventId: Number(/\((\d+)\)$/.exec(field('Event identifier'))?.[1]),
        computer: field('Computer name'),
        strings,
      };
    });
}
