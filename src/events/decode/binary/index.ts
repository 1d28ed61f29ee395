/**
 * The binary layer registry, recognised by magic bytes in this order (the magics do not overlap). Bytes no layer
 * matches are text. How to add one: docs/formats.md.
 */

import type { BinaryLayer } from './binary-layer.js';
import { evtxLayer } from './evtx.js';
import { gzipLayer } from './gzip.js';
import { kplLayer } from './kpl.js';
import { zstdLayer } from './zstd.js';

export type { BinaryLayer } from './binary-layer.js';

export const BINARY_LAYERS: readonly BinaryLayer[] = [gzipLayer, zstdLayer, kplLayer, evtxLayer];

/** The binary layer the bytes start with, if any. */
export function findBinaryLayer(bytes: Uint8Array): BinaryLayer | undefined {
  for (const layer of BINARY_LAYERS) if (layer.matches(bytes)) return layer;
  return undefined;
}
