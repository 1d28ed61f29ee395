/**
 * Process tracking on two OTRF recordings (npm test; every recording: otrf-process-tracking.heavy.test.ts).
 * What is checked and printed: otrf-process-tracking.cases.ts.
 */
import { processTrackingSuite } from './otrf-process-tracking.cases.js';

processTrackingSuite({
  title: 'process tracking over two OTRF recordings (psh_cmstp, covenant_sc_query)',
  files: ['covenant_sc_query_dcerpc_smb_svcctl.zip', 'psh_cmstp_execution_bypassuac.zip'],
  mirrorFile: 'covenant_sc_query_dcerpc_smb_svcctl.zip',
  dnsClientAnswers: false,
  minTrackedFiles: 2,
});
