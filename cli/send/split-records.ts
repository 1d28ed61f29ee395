/**
 * Input files -> Kinesis records, one per event or document, each with where it came from and its host.
 *
 * Without a format, a JSON-lines file gives one record per line and any other file (one JSON or XML document,
 * gzip, zstd, KPL...) is sent as its own bytes, one record: the pipeline decodes records by content, as it does a
 * shipper's. With a format, every event read from the file is re-encoded as that shipper's document, one record
 * each; documents that do not read as events cannot be re-encoded and are skipped with the reader's reason.
 */
import { type CanonicalEvent, encodeEvent, hostKey, readRecord, type ShipperFormat } from '../../src/events/index.js';
import type { InputRecord } from '../io/input-files.js';

/** One record to put, before it has a partition key. */
export interface SendRecord {
  /** File (and line or document number) it came from, for messages. */
  source: string;
  data: Uint8Array;
  /** Lower-case host of its (first) event; undefined when the bytes do not read as an event. */
  host?: string;
}

/** A document read from the inputs that will not be sent, and why. */
export interface SkippedDocument {
  source: string;
  reason: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Lines of a JSON-lines text (two or more lines, each a JSON object); undefined for anything else. */
function jsonLines(data: Uint8Array): { line: number; text: string }[] | undefined {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return undefined; // binary: gzip, zstd, KPL
  }
  const lines: { line: number; text: string }[] = [];
  const all = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < all.length; i++) {
    const trimmed = (all[i] as string).trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
    try {
      JSON.parse(trimmed);
    } catch {
      return undefined; // a pretty-printed document spans lines
    }
    lines.push({ line: i + 1, text: trimmed });
  }
  return lines.length >= 2 ? lines : undefined;
}

function firstEvent(data: Uint8Array): CanonicalEvent | undefined {
  for (const outcome of readRecord(data)) if (outcome.kind === 'event') return outcome.event;
  return undefined;
}

function hostOf(data: Uint8Array): string | undefined {
  const event = firstEvent(data);
  return event === undefined ? undefined : hostKey(event.host);
}

/** The records one input gives, and the documents skipped (only with a format). */
export function splitRecords(
  input: InputRecord,
  format?: ShipperFormat,
): { records: SendRecord[]; skipped: SkippedDocument[] } {
  if (format === undefined) {
    const lines = jsonLines(input.data);
    if (lines === undefined)
      return { records: [{ source: input.source, data: input.data, host: hostOf(input.data) }], skipped: [] };
    return {
      records: lines.map(({ line, text }) => {
        const data = encoder.encode(text);
        return { source: `${input.source}:${line}`, data, host: hostOf(data) };
      }),
      skipped: [],
    };
  }
  const records: SendRecord[] = [];
  const skipped: SkippedDocument[] = [];
  readRecord(input.data).forEach((outcome, i) => {
    const source = `${input.source}#${i + 1}`;
    if (outcome.kind === 'event') {
      records.push({
        source,
        data: encoder.encode(encodeEvent(outcome.event, format)),
        host: hostKey(outcome.event.host),
      });
    } else {
      skipped.push({ source, reason: outcome.reason });
    }
  });
  return { records, skipped };
}
