/**
 * Issue 14 part 2: Security events as the Winlogbeat / Elastic Agent Security module emits them fire the same
 * Security service rules as their original form (ecs-security.cases.ts): the SigmaHQ regression samples'
 * (evtx_dump JSON) and those of one small OTRF recording (its 4624 logons lose fields to ECS that rules read:
 * without the rebuild, 4624 fails here). The whole corpus over every recording: ecs-security.heavy.test.ts.
 */
import { otrfAvailable } from '../helpers/otrf.js';
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';
import { mergedById, otrfSecurityEvents, regressionSecurityEvents, securityModuleTable } from './ecs-security.cases.js';

const absent =
  missing(`${SIGMA_ROOT}/regression_data`, `${SIGMA_ROOT}/rules/windows`) ??
  (otrfAvailable() ? undefined : 'OTRF recordings absent');
const regression = absent === undefined ? regressionSecurityEvents() : new Map();
const otrf = absent === undefined ? otrfSecurityEvents(40, ['covenant_sc_query_dcerpc_smb_svcctl.zip']) : new Map();

describeUnless(absent)('ECS (Security module) events fire the rules of their original form', () => {
  it('finds the Security event IDs of the regression data, and logons and process creations in the recording', () => {
    expect([...regression.keys()]).toEqual([4648, 4701]);
    expect(otrf.has(4624) && otrf.has(4688)).toBe(true);
  });

  // The Security service's rules only, to keep npm test fast; the heavy test runs the whole corpus.
  securityModuleTable(mergedById(regression, otrf), true);
});
