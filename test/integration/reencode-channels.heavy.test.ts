/**
 * Issue 14 acceptance over every event of every OTRF recording (about 39,000; minutes): re-encoded into every
 * shipper format, each gives exactly the alerts of its original form, channel by channel. The fast subset and
 * the regression samples: reencode-channels.test.ts. Run by `npm run test:full`.
 */
import { describeUnless, missing } from '../helpers/skip.js';
import {
  compileCorpus,
  OTRF_RECORDINGS_DIR,
  otrfOriginals,
  reencodeRows,
  rowTitle,
  SIGMA_DIR,
} from './reencode-channels.cases.js';

const absent = missing(OTRF_RECORDINGS_DIR, SIGMA_DIR);
const rows = absent === undefined ? reencodeRows(otrfOriginals(), compileCorpus()) : [];

describeUnless(absent)('re-encoding every OTRF event keeps the alerts, for every channel', () => {
  it('reads the recordings', () => {
    expect(rows.filter((row) => row.format === 'nxlog').reduce((sum, row) => sum + row.events, 0)).toBeGreaterThan(
      30000,
    );
  });

  it.each(rows.map((row) => [rowTitle(row), row] as const))('%s', (_title, row) => {
    expect({ alerts: row.alertDiffs.slice(0, 20), fields: row.fieldDiffs.slice(0, 20) }).toEqual({
      alerts: [],
      fields: [],
    });
  });
});
