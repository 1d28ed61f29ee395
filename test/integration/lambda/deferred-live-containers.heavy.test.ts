/** deferred-live-containers.test.ts on the whole corpus (three folders) over every OTRF recording. */
import { OTRF_DIR } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  adversarialEvents,
  CORPUS_DIRS,
  corpusSources,
  otrfEvents,
} from '../detection/prefilter-differential-support.js';
import { compareLiveDeferred } from './deferred-live-containers-support.js';

describeUnless(missing(SIGMA_ROOT, OTRF_DIR, ...CORPUS_DIRS))(
  'deferred compile with live IOC containers (whole corpus)',
  () => {
    it('rejects, skips and matches exactly as the full compile with the same containers', async () => {
      const sources = await corpusSources();
      const result = compareLiveDeferred(sources, [...otrfEvents(), ...adversarialEvents(sources, 2, 2)]);
      expect(result.deferred).toBe(true);
      expect(result.fromRecord).toEqual(result.full);
      expect(result.differences).toEqual([]);
      expect(result.compiled).toBeGreaterThan(2500);
      expect(result.matchedEvents).toBeGreaterThan(1000);
    }, 600_000);
  },
);
