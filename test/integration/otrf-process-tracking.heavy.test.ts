/**
 * Process tracking on every OTRF recording (npm run test:full): the figures of docs/enrichment.md, "Process
 * tracking". What is checked and printed: otrf-process-tracking.cases.ts.
 */
import { processTrackingSuite } from './otrf-process-tracking.cases.js';

processTrackingSuite({
  title: 'process tracking over every OTRF recording',
  mirrorFile: 'covenant_psremoting_grunt.zip',
  dnsClientAnswers: true,
  minTrackedFiles: 5,
});
