/**
 * The acceptance of issue 12 item 1 on the whole corpus: every OTRF recording replayed with every SigmaHQ rule
 * (rules/) and the project's rules; the report's first table holds every critical and high alert, as read from the
 * rendered page in headless Chromium. Skipped, with the reason in the title, without ../shared or chromium.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalTables } from '../../../cli/query/local-tables.js';
import { runReplay } from '../../../cli/replay/run-replay.js';
import { renderReport } from '../../../cli/report/render-report.js';
import { loadReportData } from '../../../cli/report/report-data.js';
import { describeUnless, itUnless, missing, sharedPath } from '../../helpers/skip.js';
import { chromiumMissing, firstTableAlerts, renderInChromium, severeAlerts } from './report-chromium.js';

const OTRF = sharedPath('datasets/otrf');
const SIGMA = sharedPath('sigma/rules');

describeUnless(missing(OTRF, SIGMA))('hookstream report of every OTRF recording with the SigmaHQ rules', () => {
  let out: string;
  let file: string;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-report-heavy-'));
    await runReplay({
      inputs: [OTRF],
      out,
      rules: [SIGMA, 'rules'],
      skipInvalidRules: true,
      enrich: true,
      enrichment: {},
      dedupeFields: ['host', 'destination'],
    });
    const connection = await openLocalTables(out);
    try {
      file = path.join(out, 'report.html');
      await writeFile(file, renderReport(await loadReportData(connection, out), { out, generatedAt: new Date() }));
    } finally {
      connection.closeSync();
    }
  }, 600_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('has every critical and high alert in the first table of the page', async () => {
    const expected = await severeAlerts(out);
    expect(expected.some((a) => a.endsWith('|critical'))).toBe(true);
    expect(firstTableAlerts(await readFile(file, 'utf8'))).toEqual({
      first: 'severe-alerts',
      alerts: expected,
      criticalFirst: true,
    });
  });

  itUnless(chromiumMissing)('and so does the page rendered in headless Chromium', async () => {
    const expected = await severeAlerts(out);
    const { dom } = await renderInChromium(file);
    expect(firstTableAlerts(dom)).toEqual({ first: 'severe-alerts', alerts: expected, criticalFirst: true });
  });
});
