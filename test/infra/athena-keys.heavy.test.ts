/**
 * The keys the pipeline writes, against how the Glue tables read them (docs/deploy.md, "What is checked without
 * AWS"): the regression samples and the OTRF recordings replayed, every output line read back. The OpenX SerDe
 * matches keys case-insensitively, so a line with two keys that differ only in case is refused by the Rcongiu
 * SerDe (and one value is lost in Trino's reader), and a key that is no column's spelling but lower-cases to a
 * column name would be read into that column by Athena and not by the DuckDB view.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runReplay } from '../../cli/replay/run-replay.js';
import { ALERT_EVENT_FIELDS, EVENTS_TABLE } from '../../src/query/schema.js';
import { describeUnless, missing, sharedPath } from '../helpers/skip.js';

const REGRESSION = sharedPath('sigma', 'regression_data');
const OTRF = sharedPath('datasets', 'otrf');

/** Problems of one JSON object's keys against the columns that read it. */
function keyProblems(
  object: Record<string, unknown>,
  columns: readonly { name: string; jsonKeys: readonly string[] }[],
): string[] {
  const problems: string[] = [];
  const spellings = new Set(columns.flatMap((c) => c.jsonKeys));
  const names = new Set(columns.map((c) => c.name));
  const seen = new Map<string, string>();
  for (const key of Object.keys(object)) {
    const lower = key.toLowerCase();
    const other = seen.get(lower);
    if (other !== undefined) problems.push(`keys ${other} and ${key}`);
    seen.set(lower, key);
    if (!spellings.has(key) && names.has(lower)) problems.push(`key ${key} is read into ${lower} by Athena only`);
  }
  return problems;
}

describeUnless(missing(REGRESSION, OTRF))('replayed output keys and the Glue tables', () => {
  it('no line has keys differing only in case, and none fills a column in Athena only', async () => {
    // Prepare
    const out = await mkdtemp(path.join(tmpdir(), 'hookstream-athena-keys-'));
    try {
      // Act
      const result = await runReplay({
        inputs: [REGRESSION, OTRF],
        out,
        rules: ['rules'],
        enrich: true,
        enrichment: {},
        dedupeFields: ['host', 'destination'],
      });
      // Assert
      const problems = new Map<string, number>();
      let events = 0;
      let alerts = 0;
      for (const file of await readdir(out, { recursive: true })) {
        if (!file.endsWith('.json.gz')) continue;
        const area = file.split(path.sep)[0];
        const text = gunzipSync(await readFile(path.join(out, file))).toString('utf8');
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const object = JSON.parse(line) as Record<string, unknown>;
          const found =
            area === 'alerts'
              ? keyProblems((object.event ?? {}) as Record<string, unknown>, ALERT_EVENT_FIELDS)
              : keyProblems(object, EVENTS_TABLE.columns);
          if (area === 'alerts') alerts++;
          else events++;
          for (const problem of found) problems.set(problem, (problems.get(problem) ?? 0) + 1);
        }
      }
      expect(events).toBe(result.summary.written);
      expect(events).toBeGreaterThan(30_000);
      expect(alerts).toBeGreaterThan(0);
      expect([...problems]).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 900_000);
});

describe('the key check finds what it looks for', () => {
  const columns = [{ name: 'processid', jsonKeys: ['ProcessId', 'ProcessID'] }];

  it('finds two keys differing only in case, and a key read into a column by Athena only', () => {
    expect(keyProblems({ ProcessId: '1', ProcessID: '1' }, columns)).toEqual(['keys ProcessId and ProcessID']);
    expect(keyProblems({ PROCESSID: '1' }, columns)).toEqual(['key PROCESSID is read into processid by Athena only']);
    expect(keyProblems({ ProcessID: '1', Other: 'x' }, columns)).toEqual([]);
  });
});
