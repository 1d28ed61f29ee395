/**
 * fullCollection really collects: an object only a WeakRef points to is gone after it (the replay calls it once
 * its held runs are written out, so that the heap's limit comes down), and an object still referred to is kept.
 */
import { fullCollection } from '../../../../cli/replay/full-collection.js';

/** A WeakRef keeps its target alive until the job that made it ends: made here, looked at after a macrotask. */
function weakly(target: object): WeakRef<object> {
  return new WeakRef(target);
}

const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('fullCollection', () => {
  it('collects what nothing refers to any more, and keeps what is still referred to', async () => {
    // Prepare
    const kept = { values: Array.from({ length: 1000 }, (_, i) => `kept ${i}`) };
    const keptRef = weakly(kept);
    const droppedRef = weakly({ values: Array.from({ length: 1000 }, (_, i) => `dropped ${i}`) });
    await nextTask();
    // Act
    fullCollection();
    // Assess
    expect(droppedRef.deref()).toBeUndefined();
    expect(keptRef.deref()).toBe(kept);
  });

  it('can be called again (the collector is taken once)', async () => {
    const ref = weakly({ values: [1, 2, 3] });
    await nextTask();
    fullCollection();
    fullCollection();
    expect(ref.deref()).toBeUndefined();
  });
});
