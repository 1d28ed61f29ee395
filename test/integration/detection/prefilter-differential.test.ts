/**
 * The literal prefilter never hides a match: a deterministic subset of the corpus (every rule using a construct
 * the prefilter must reason about, and every 40th other), plus the unit cases as rules, over two OTRF
 * recordings and adversarial events made from those rules' own literals, matches exactly the same rules per
 * event with the prefilter on as with every rule evaluated. The whole corpus over every recording is
 * prefilter-differential.heavy.test.ts.
 */
import { OTRF_DIR } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  adversarialEvents,
  CORPUS_DIRS,
  compareMatches,
  corpusSources,
  otrfEvents,
  sampleSources,
  unitCases,
} from './prefilter-differential-support.js';

const RECORDINGS = ['covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip', 'covenant_sc_query_dcerpc_smb_svcctl.zip'];

describeUnless(missing(SIGMA_ROOT, ...CORPUS_DIRS, ...RECORDINGS.map((f) => `${OTRF_DIR}/${f}`)))(
  'prefilter differential (corpus sample, two recordings, adversarial values)',
  () => {
    it('matches the same rules per event with the prefilter on and off', async () => {
      const sample = sampleSources(await corpusSources(), 40);
      const unit = unitCases();
      const events = [...unit.events, ...otrfEvents(RECORDINGS), ...adversarialEvents(sample, 3, 1)];
      const result = compareMatches([...sample, ...unit.sources], events);
      expect(result.differences).toEqual([]);
      // Not vacuous: hundreds of rules, thousands of events, many of them matched.
      expect(result.compiled).toBeGreaterThan(250);
      expect(result.events).toBeGreaterThan(3000);
      expect(result.matchedEvents).toBeGreaterThan(1000);
    });
  },
);
