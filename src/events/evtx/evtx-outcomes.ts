/**
 * The EVTX layer of the decoding chain: each record of a .evtx file normalised exactly as its evtx_dump JSON
 * would be (the same document, through the same evtx-json format), one outcome per record.
 */

import { normaliseDocument } from '../formats/index.js';
import type { RecordOutcome } from '../read-record.js';
import { readEvtx } from './read-evtx.js';

/**
 * Appends one outcome per record of the EVTX file `bytes` to `out`: an event, or a rejection with its reason and
 * the record's bytes (a damaged span of the file, when no record could be told apart in it). At most
 * `maxRecords` records are decoded; the rest of the file is one rejection. A log without records is one
 * `filtered` outcome, so an empty file is never silently nothing.
 */
export function readEvtxOutcomes(bytes: Uint8Array, out: RecordOutcome[], maxRecords: number): void {
  const records = readEvtx(bytes, { maxRecords });
  if (records.length === 0) {
    out.push({ kind: 'filtered', reason: 'EVTX file without records' });
    return;
  }
  for (const record of records) {
    if (!record.ok) {
      out.push({ kind: 'rejected', reason: record.reason, raw: record.raw });
      continue;
    }
    const result = normaliseDocument(record.document, 'json');
    if (!result.ok) out.push({ kind: 'rejected', reason: result.error, raw: record.raw });
    else if (result.truncatedFields === undefined) out.push({ kind: 'event', event: result.value });
    else out.push({ kind: 'event', event: result.value, truncatedFields: result.truncatedFields });
  }
}
