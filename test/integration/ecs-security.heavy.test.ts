/**
 * Issue 14 part 2 on real traffic: the Security events of the OTRF recordings (NXLog and Winlogbeat 6 lines, the
 * first 40 of each event ID per recording), as the Winlogbeat / Elastic Agent Security module emits them, fire
 * the same rules as read from the recording (ecs-security.cases.ts). Heavy: about 30 s here.
 */
import { otrfAvailable } from '../helpers/otrf.js';
import { SIGMA_ROOT } from '../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../helpers/skip.js';
import { otrfSecurityEvents, securityModuleTable } from './ecs-security.cases.js';

const absent = missing(`${SIGMA_ROOT}/rules/windows`) ?? (otrfAvailable() ? undefined : 'OTRF recordings absent');
const events = absent === undefined ? otrfSecurityEvents(40) : new Map();

describeUnless(absent)('ECS (Security module) OTRF events fire the rules of their recorded form', () => {
  it('finds the logon, process creation and privilege events the module rewrites', () => {
    for (const id of [4624, 4634, 4672, 4688]) expect(events.has(id)).toBe(true);
  });

  securityModuleTable(events);
});
