/**
 * Deferred compile (a rule cache's record of a full compile, compile-rules.ts): a deterministic subset of the
 * corpus (every rule using a tricky construct, every 15th other) and the unit cases, over two OTRF recordings and
 * adversarial events made from the rules' literals, gives the same problems and the same matches per event as a
 * full compile, without IOC containers and with them. The whole corpus over every recording is
 * deferred-compile.heavy.test.ts.
 */
import { OTRF_DIR } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { compareDeferred, compareLiveDeferred } from './deferred-compile-support.js';
import {
  adversarialEvents,
  CORPUS_DIRS,
  corpusSources,
  otrfEvents,
  sampleSources,
  unitCases,
} from './prefilter-differential-support.js';

const RECORDINGS = ['covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip', 'covenant_sc_query_dcerpc_smb_svcctl.zip'];

describeUnless(missing(SIGMA_ROOT, ...CORPUS_DIRS, ...RECORDINGS.map((f) => `${OTRF_DIR}/${f}`)))(
  'deferred compile differential (corpus sample, two recordings, adversarial values)',
  () => {
    it.each([
      ['', compareDeferred, true],
      // With containers the placeholder rules compile: none of the sample is rejected then.
      [
        ' with the same live IOC containers, from a record made without them (the enrich functions)',
        compareLiveDeferred,
        false,
      ],
    ] as const)('rejects, skips and matches exactly as the full compile%s', async (_case, compare, rejects) => {
      const sample = sampleSources(await corpusSources(), 15);
      const unit = unitCases();
      const events = [...unit.events, ...otrfEvents(RECORDINGS), ...adversarialEvents(sample, 2, 1)];
      const result = compare([...sample, ...unit.sources], events);
      expect(result.deferred).toBe(true);
      expect(result.fromRecord).toEqual(result.full);
      expect(result.differences).toEqual([]);
      // Not vacuous: hundreds of rules, some rejected, thousands of events, many of them matched.
      if (rejects) expect(result.full).toMatch(/"rejected":\[\{/);
      expect(result.compiled).toBeGreaterThan(300);
      expect(result.events).toBeGreaterThan(3000);
      expect(result.matchedEvents).toBeGreaterThan(1000);
    });
  },
);
