/**
 * One full garbage collection, asked for by replay where it has just let go of most of its heap (the runs held in
 * memory, written out once they pass the budget). V8 sets the old generation's next limit from the live size at
 * its last full collection: after holding 40,000 events that limit stays high, and the garbage of the rest of
 * pass 1 (XML parse trees above all) was let grow up to it before the next collection. 5x the OTRF purplesharp
 * recording as XML (130,000 events), 40,000 events held then written out: peak RSS 338, 388, 405 MB without this
 * collection, 256-285 MB with it (heap 115-129 MB before, 32 MB after).
 *
 * Node gives `gc` only to a process started with --expose-gc; the flag set at run time gives it to contexts made
 * after it, so the function is taken from a new context once, when first needed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** Runs a full collection (blocking, tens of milliseconds for replay's heap). */
export function fullCollection(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
