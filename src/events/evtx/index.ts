/** The native EVTX reader: bytes of a .evtx file -> evtx_dump-shaped documents or rejections, one per record. */
export {
  addEvtxChecksums,
  type EvtxChecksums,
  type EvtxOutcome,
  type EvtxReadOptions,
  isEvtx,
  noEvtxChecksums,
  readEvtx,
} from './read-evtx.js';
