/**
 * `hookstream replay` on the project's own events/: the founding scenario, every shipper fixture enriched, the
 * rejected records kept with their reasons, and the counts adding up.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { runReplay } from '../../../cli/replay/run-replay.js';
import { replayProjectEvents } from '../../helpers/replay-events.js';

async function readLines(root: string, area: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(path.join(root, area), { recursive: true }))
    .filter((file) => file.endsWith('.json.gz'))
    .sort();
  const lines: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(path.join(root, area, file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
  }
  return lines;
}

describe('hookstream replay events/', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runReplay>>;

  beforeAll(async () => {
    ({ out, result } = await replayProjectEvents('hookstream-replay-'));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('names the founding scenario’s connections from the host’s DNS-Client answers', async () => {
    const events = await readLines(out, 'events');
    const edge = events.find((event) => event.DestinationIp === '62.210.16.62');
    const svchost = events.find((event) => event.DestinationIp === '13.74.179.117');
    expect(edge).toMatchObject({
      host: 'DESKTOP-5SUA567',
      DestinationHostname: 'rawsec.lu',
      DestinationHostnameOriginal: 'pf-lb-2.online.net',
      DestinationHostnameSource: 'dns-process',
    });
    expect(svchost).toMatchObject({
      DestinationHostname: 'sls.update.microsoft.com',
      DestinationHostnameOriginal: '',
      DestinationHostnameCnames: 'sls.update.microsoft.com.nsatc.net',
    });
  });

  it('enriches the connection in every shipper format and writes the canonical columns first', async () => {
    const events = await readLines(out, 'events');
    const fixtures = events.filter((event) => event.DestinationIp === '151.101.248.133');
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    for (const event of fixtures) {
      expect(event.DestinationHostname).toBe('raw.githubusercontent.com');
      expect(Object.keys(event).slice(0, 7)).toEqual([
        'host',
        'channel',
        'provider',
        'event_id',
        'time',
        'record_id',
        'format',
      ]);
      expect(event.time).toBe('2020-10-22T05:54:21.520Z');
    }
    expect(new Set(fixtures.map((event) => event.format)).size).toBeGreaterThanOrEqual(6);
  });

  it('keeps every rejected record with its reason and original bytes, and the counts add up', async () => {
    const { summary } = result;
    const rejected = await readLines(out, 'rejected');
    expect(rejected).toHaveLength(summary.rejected);
    expect(summary.rejected).toBeGreaterThanOrEqual(10);
    for (const line of rejected) {
      expect(typeof line.reason).toBe('string');
      expect(typeof line.raw_base64).toBe('string');
    }
    expect(rejected.map((line) => line.reason)).toContain('truncated gzip');
    expect(summary.read).toBe(summary.written + summary.rejected + summary.filtered);
    expect((await readLines(out, 'events')).length).toBe(summary.written);
  });

  it('knows that every rejected record came from events/invalid/, the deliberately broken samples', () => {
    expect(result.rejectedFromInvalid).toBe(result.summary.rejected);
  });

  it('loads every project rule, reports no evaluation error', () => {
    expect(result.rules).toMatchObject({ leftOut: { level: 0, status: 0, tags: 0 }, invalidSkipped: [] });
    expect(result.rules?.selected).toBeGreaterThan(0);
    expect(result.summary.evaluationErrors).toBe(0);
  });

  it('writes an alert for a project rule that needs the enriched name', async () => {
    const alerts = await readLines(out, 'alerts');
    expect(result.rules?.invalidSkipped).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0);
    const alert = alerts[0] as { event: Record<string, unknown>; rule_id: string; level: string };
    expect(alert.event.DestinationHostname).toBe('raw.githubusercontent.com');
    expect(result.summary.alerts.total).toBe(alerts.length);
  });
});
