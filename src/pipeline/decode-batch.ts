import type { CanonicalEvent } from '../events/canonical-event.js';
import { addEvtxChecksums } from '../events/evtx/index.js';
import { type RecordLimits, type RecordOutcome, readRecord } from '../events/read-record.js';
import { bump, type Summary } from './summary.js';

/** One input record and where it came from (shard/sequence in Lambda, the file in replay). */
export interface InputRecord {
  origin: string;
  data: Uint8Array;
  /** When the record reached the stream (Kinesis ApproximateArrivalTimestamp), epoch ms; replay uses its start time. */
  arrival: number;
  /** Its Kinesis sequence number (Lambda): what the exactly-once bookkeeping orders and commits by. */
  sequence?: string;
}

/** An event and the record it came from. */
export interface SourcedEvent {
  event: CanonicalEvent;
  origin: string;
  arrival: number;
  /**
   * Stable identity of this event whatever the batch boundaries: `<origin>#<n>`, n the document's position in its
   * record. Alert occurrence ids and held connections are keyed by it.
   */
  id: string;
  /** The record's sequence number, when it has one. */
  sequence?: string;
}

/** A record (or one document of it) that could not become an event. Never retried: written to `rejected/`. */
export interface RejectedItem {
  origin: string;
  arrival: number;
  reason: string;
  raw: Uint8Array;
}

export interface DecodedBatch {
  /** Sorted by event time; records keep their input order among equal times. */
  events: SourcedEvent[];
  rejected: RejectedItem[];
}

/**
 * Decodes and normalises every record and sorts the events by event time. Counts every document into `summary`
 * as read and as an event, a rejection or a filtered item, and what the input limits trimmed (documents with
 * invalid UTF-8, EventData values cut) into `summary.trimmed`, and the EVTX chunks' checksums into `summary.evtx`;
 * never throws.
 */
export function decodeBatch(records: readonly InputRecord[], summary: Summary, limits?: RecordLimits): DecodedBatch {
  const events: SourcedEvent[] = [];
  const rejected: RejectedItem[] = [];
  for (const record of records) {
    let position = 0;
    for (const outcome of readRecord(record.data, limits)) {
      countOutcome(summary, outcome);
      const id = `${record.origin}#${position++}`;
      if (outcome.kind === 'event') {
        const sourced: SourcedEvent = { event: outcome.event, origin: record.origin, arrival: record.arrival, id };
        if (record.sequence !== undefined) sourced.sequence = record.sequence;
        events.push(sourced);
      } else if (outcome.kind === 'rejected') {
        rejected.push({ origin: record.origin, arrival: record.arrival, reason: outcome.reason, raw: outcome.raw });
      }
    }
  }
  // Array.prototype.sort is stable, so equal times keep the input order.
  events.sort((a, b) => a.event.time - b.event.time);
  return { events, rejected };
}

/**
 * Counts one document into `summary`: as read, what the input limits trimmed, and as an event (by format and by
 * channel + event ID), a rejection or a filtered item (by reason). decodeBatch and the streaming replay count alike.
 */
export function countOutcome(summary: Summary, outcome: RecordOutcome): void {
  summary.read++;
  if (outcome.invalidUtf8) summary.trimmed.invalidUtf8++;
  if (outcome.evtx !== undefined) addEvtxChecksums(summary.evtx, outcome.evtx);
  if (outcome.kind === 'event') {
    const event = outcome.event;
    if (outcome.truncatedFields !== undefined) summary.trimmed.truncatedFields += outcome.truncatedFields;
    if (outcome.unnamedFields !== undefined) summary.unnamedEvents++;
    bump(summary.byFormat, event.format);
    bump(summary.byEvent, `${event.channel} ${event.eventId}`);
  } else if (outcome.kind === 'rejected') {
    summary.rejected++;
    bump(summary.rejectedByReason, outcome.reason);
  } else {
    summary.filtered++;
    bump(summary.filteredByReason, outcome.reason);
  }
}

/** A rejected item as one line of `rejected/`: the reason, where it came from, and the original bytes. */
export function toRejectedLine(item: RejectedItem): Record<string, string> {
  const raw = Buffer.from(item.raw.buffer, item.raw.byteOffset, item.raw.byteLength);
  return {
    reason: item.reason,
    origin: item.origin,
    arrival: new Date(item.arrival).toISOString(),
    raw_base64: raw.toString('base64'),
  };
}
