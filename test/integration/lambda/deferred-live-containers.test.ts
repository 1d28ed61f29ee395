/**
 * The enrich functions' deferred compile with live IOC containers, on the corpus: a deterministic sample of the
 * SigmaHQ corpus and the unit cases, compiled in full with a container set and again with that set and the record
 * of a compile without containers (as synth records it; every infra-deployed function has a containers bucket),
 * over two OTRF recordings and adversarial events, gives the same problems and matches per event.
 * The whole corpus is the .heavy file.
 */
import { OTRF_DIR } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  adversarialEvents,
  CORPUS_DIRS,
  corpusSources,
  otrfEvents,
  sampleSources,
  unitCases,
} from '../detection/prefilter-differential-support.js';
import { compareLiveDeferred } from './deferred-live-containers-support.js';

const RECORDINGS = ['covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip', 'covenant_sc_query_dcerpc_smb_svcctl.zip'];

describeUnless(missing(SIGMA_ROOT, ...CORPUS_DIRS, ...RECORDINGS.map((f) => `${OTRF_DIR}/${f}`)))(
  'deferred compile with live IOC containers (corpus sample, two recordings, adversarial values)',
  () => {
    it('rejects, skips and matches exactly as the full compile with the same containers', async () => {
      const sample = sampleSources(await corpusSources(), 15);
      const unit = unitCases();
      const events = [...unit.events, ...otrfEvents(RECORDINGS), ...adversarialEvents(sample, 2, 1)];
      const result = compareLiveDeferred([...sample, ...unit.sources], events);
      expect(result.deferred).toBe(true);
      expect(result.fromRecord).toEqual(result.full);
      expect(result.differences).toEqual([]);
      expect(result.compiled).toBeGreaterThan(300);
      expect(result.events).toBeGreaterThan(3000);
      expect(result.matchedEvents).toBeGreaterThan(1000);
    });
  },
);
