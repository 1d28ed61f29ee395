/**
 * How the EVTX reader stops on damaged bytes: a parse deep inside one record throws this, and the record loop
 * (read-evtx.ts) turns it into that record's rejection reason. It never leaves the module.
 */
export class EvtxDamage extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EvtxDamage';
  }
}

/** Stops the current record with `reason` (a short stable string, see docs/formats.md, "EVTX"). */
export function damaged(reason: string): never {
  throw new EvtxDamage(reason);
}
