/**
 * Issue 14 acceptance, fast version: the 202 Sigma regression samples and a deterministic subset of the OTRF
 * recordings (the first 5 events of each recording, channel and event ID) re-encoded into every shipper format
 * give exactly the alerts of their original form, channel by channel; positional Kinesis Agent and Fluent Bit
 * included. The whole of OTRF: reencode-channels.heavy.test.ts. The work runs at collection time so that each
 * row's figures are in its title.
 */
import { ENCODERS } from '../../src/events/encode/index.js';
import { describeUnless, missing } from '../helpers/skip.js';
import {
  compileCorpus,
  OTRF_RECORDINGS_DIR,
  otrfOriginals,
  REGRESSION_DIR,
  reencodeRows,
  regressionOriginals,
  rowTitle,
  SIGMA_DIR,
} from './reencode-channels.cases.js';

const absent = missing(REGRESSION_DIR, OTRF_RECORDINGS_DIR, SIGMA_DIR);
const rules = absent === undefined ? compileCorpus() : undefined;
const regression = rules !== undefined ? reencodeRows(regressionOriginals(), rules) : [];
const otrf = rules !== undefined ? reencodeRows(otrfOriginals(5), rules) : [];

describeUnless(absent)('re-encoding keeps the alerts, for every channel', () => {
  it('covers every format, and channels beyond Sysmon', () => {
    const channels = new Set([...regression, ...otrf].map((row) => row.channel));
    expect([...channels]).toEqual(
      expect.arrayContaining([
        'Microsoft-Windows-Sysmon/Operational',
        'Security',
        'System',
        'Microsoft-Windows-PowerShell/Operational',
        'Windows PowerShell',
        'Microsoft-Windows-TaskScheduler/Operational',
        'Microsoft-Windows-Windows Defender/Operational',
        'Microsoft-Windows-WMI-Activity/Operational',
      ]),
    );
    // Every registered encoder, so a new format cannot be left out of the comparison.
    expect(new Set(regression.map((row) => row.format))).toEqual(new Set(Object.keys(ENCODERS)));
  });

  it('alerts at all (the comparison is not between empty lists)', () => {
    expect(regression.reduce((sum, row) => sum + row.alerts, 0)).toBeGreaterThan(200);
  });

  describe('Sigma regression samples', () => {
    it.each(regression.map((row) => [rowTitle(row), row] as const))('%s', (_title, row) => {
      expect({ alerts: row.alertDiffs, fields: row.fieldDiffs }).toEqual({ alerts: [], fields: [] });
    });
  });

  describe('OTRF recordings (first 5 of each recording, channel and event ID)', () => {
    it.each(otrf.map((row) => [rowTitle(row), row] as const))('%s', (_title, row) => {
      expect({ alerts: row.alertDiffs, fields: row.fieldDiffs }).toEqual({ alerts: [], fields: [] });
    });
  });
});
