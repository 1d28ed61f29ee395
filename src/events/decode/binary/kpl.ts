/** A KPL aggregate (aws-kinesis-agg): each user record, checksum verified, is read as a record of its own. */

import { deaggregate } from '../binary-layers.js';
import type { BinaryLayer } from './binary-layer.js';
import { unwrappedPieces } from './unwrapped-pieces.js';

export const kplLayer: BinaryLayer = {
  name: 'kpl',
  matches: (bytes) => bytes[0] === 0xf3 && bytes[1] === 0x89 && bytes[2] === 0x9a && bytes[3] === 0xc2,
  open: (piece) => unwrappedPieces(piece, deaggregate(piece.bytes)),
};
