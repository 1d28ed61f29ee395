/**
 * Issue 14 part 2: Security events of the SigmaHQ regression samples, as the Winlogbeat / Elastic Agent Security
 * module emits them, fire the same rules as their evtx_dump form (ecs-security.cases.ts; the OTRF recordings are
 * in ecs-security.heavy.test.ts).
 */
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';
import { regressionSecurityEvents, securityModuleTable } from './ecs-security.cases.js';

const absent = missing(`${SIGMA_ROOT}/regression_data`, `${SIGMA_ROOT}/rules/windows`);
const events = absent === undefined ? regressionSecurityEvents() : new Map();

describeUnless(absent)('ECS (Security module) regression events fire the rules of their evtx_dump form', () => {
  it('finds the Security event IDs of the regression data', () => {
    expect([...events.keys()]).toEqual([4648, 4701]);
  });

  securityModuleTable(events);
});
