/** gzip (all members), inflated against the record's budget (binary-layers.ts). */

import { gunzip } from '../binary-layers.js';
import type { BinaryLayer } from './binary-layer.js';
import { unwrappedPieces } from './unwrapped-pieces.js';

export const gzipLayer: BinaryLayer = {
  name: 'gzip',
  matches: (bytes) => bytes[0] === 0x1f && bytes[1] === 0x8b,
  open: (piece, budget) => unwrappedPieces(piece, gunzip(piece.bytes, budget)),
};
