/**
 * An EVTX file: a document source. Each record (src/events/evtx) is the same document evtx_dump writes as JSON,
 * given on as a JSON document (so the evtx-json format reads it); a damaged record is rejected with its reason
 * and bytes. At most the record's document cap is decoded; a log without records is one `filtered` outcome, so
 * an empty file is never silently nothing. Its checksums are counted into the record's budget (read-record.ts gives
 * them on with the record's first outcome).
 */

import { isEvtx, noEvtxChecksums, readEvtx } from '../../evtx/index.js';
import { filtered, type Piece, rejected } from '../chain-piece.js';
import type { BinaryLayer } from './binary-layer.js';

export const evtxLayer: BinaryLayer = {
  name: 'evtx',
  matches: (bytes) => bytes[0] === 0x45 && isEvtx(bytes),
  open: (piece, budget) => {
    budget.evtx ??= noEvtxChecksums();
    const records = readEvtx(piece.bytes, { maxRecords: budget.documents, checksums: budget.evtx });
    if (records.length === 0) return [filtered('EVTX file without records')];
    return records.map(
      (record): Piece =>
        record.ok
          ? { stage: 'document', value: record.document, syntax: 'json', depth: piece.depth + 1, raw: record.raw }
          : rejected(record.reason, record.raw),
    );
  },
};
