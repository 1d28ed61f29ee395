/** deferred-compile.test.ts on the whole corpus (three folders) over every OTRF recording. */
import { OTRF_DIR } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { compareDeferred, compareLiveDeferred } from './deferred-compile-support.js';
import { adversarialEvents, CORPUS_DIRS, corpusSources, otrfEvents } from './prefilter-differential-support.js';

describeUnless(missing(SIGMA_ROOT, OTRF_DIR, ...CORPUS_DIRS))('deferred compile differential (whole corpus)', () => {
  it.each([
    ['', compareDeferred],
    [' with the same live IOC containers, from a record made without them', compareLiveDeferred],
  ])(
    'rejects, skips and matches exactly as the full compile%s',
    async (_case, compare) => {
      const sources = await corpusSources();
      const result = compare(sources, [...otrfEvents(), ...adversarialEvents(sources, 2, 2)]);
      expect(result.deferred).toBe(true);
      expect(result.fromRecord).toEqual(result.full);
      expect(result.differences).toEqual([]);
      expect(result.compiled).toBeGreaterThan(2500);
      expect(result.matchedEvents).toBeGreaterThan(1000);
    },
    600_000,
  );
});
