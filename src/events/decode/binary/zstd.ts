/** zstd frames, decompressed against the record's budget (binary-layers.ts). */

import { unzstd } from '../binary-layers.js';
import type { BinaryLayer } from './binary-layer.js';
import { unwrappedPieces } from './unwrapped-pieces.js';

export const zstdLayer: BinaryLayer = {
  name: 'zstd',
  matches: (bytes) => bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd,
  open: (piece, budget) => unwrappedPieces(piece, unzstd(piece.bytes, budget)),
};
