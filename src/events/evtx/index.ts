/** The native EVTX reader: bytes of a .evtx file -> evtx_dump-shaped documents or rejections, one per record. */
export { type EvtxOutcome, type EvtxReadOptions, isEvtx, readEvtx } from './read-evtx.js';
