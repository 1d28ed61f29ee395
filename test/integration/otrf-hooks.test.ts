/**
 * The enrichment hooks over every OTRF recording in ../shared (each file one batch, sorted by event time), checked
 * against a ground truth computed independently (test/helpers/dns-ground-truth.ts).
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { createEnrichmentContext, createHooks, type HookCounters, runHooks } from '../../src/hooks/index.js';
import { type ConnectionTruth, dnsGroundTruth } from '../helpers/dns-ground-truth.js';
import { OTRF_DIR, otrfFiles, readOtrfEvents } from '../helpers/otrf.js';
import { describeUnless, missing } from '../helpers/skip.js';

interface FileResult {
  file: string;
  events: CanonicalEvent[];
  truths: ConnectionTruth[];
  counters: HookCounters;
}

const describeIfData = describeUnless(missing(OTRF_DIR));

describeIfData('hooks over the OTRF recordings', () => {
  const results: FileResult[] = [];

  beforeAll(() => {
    for (const file of otrfFiles()) {
      // Prepare
      const events = readOtrfEvents(file);
      const truths = dnsGroundTruth(events);
      // Act
      const context = createEnrichmentContext();
      runHooks(events, createHooks(), context);
      results.push({ file, events, truths, counters: context.counters });
    }
    const rows = results.map(({ file, events, truths, counters }) => {
      const withTruth = truths.filter((t) => t.names.size > 0);
      const withSame = truths.filter((t) => t.sameProcessNearest !== undefined);
      const netconn = counters['netconn-hostname'] ?? {};
      return {
        file,
        events: events.length,
        connections: truths.length,
        withGroundTruth: withTruth.length,
        enriched: truths.filter((t) => t.event.data.DestinationHostnameSource !== undefined).length,
        correct: withTruth.filter((t) => t.names.has(t.event.data.DestinationHostname ?? '')).length,
        withSameProcess: withSame.length,
        sameProcessCorrect: withSame.filter((t) => t.event.data.DestinationHostname === t.sameProcessNearest).length,
        byProcess: netconn.enrichedProcess ?? 0,
        byHost: netconn.enrichedHost ?? 0,
        missed: netconn.missed ?? 0,
        skipped: netconn.skipped ?? 0,
      };
    });
    const total = rows.reduce(
      (sum, row) => ({
        file: 'TOTAL',
        events: sum.events + row.events,
        connections: sum.connections + row.connections,
        withGroundTruth: sum.withGroundTruth + row.withGroundTruth,
        enriched: sum.enriched + row.enriched,
        correct: sum.correct + row.correct,
        withSameProcess: sum.withSameProcess + row.withSameProcess,
        sameProcessCorrect: sum.sameProcessCorrect + row.sameProcessCorrect,
        byProcess: sum.byProcess + row.byProcess,
        byHost: sum.byHost + row.byHost,
        missed: sum.missed + row.missed,
        skipped: sum.skipped + row.skipped,
      }),
      {
        file: 'TOTAL',
        events: 0,
        connections: 0,
        withGroundTruth: 0,
        enriched: 0,
        correct: 0,
        withSameProcess: 0,
        sameProcessCorrect: 0,
        byProcess: 0,
        byHost: 0,
        missed: 0,
        skipped: 0,
      },
    );
    const table = [...rows, total]
      .map((r) =>
        [
          r.file.padEnd(58),
          r.events,
          r.connections,
          r.withGroundTruth,
          r.enriched,
          r.correct,
          r.withSameProcess,
          r.sameProcessCorrect,
          r.byProcess,
          r.byHost,
          r.missed,
          r.skipped,
        ].join('\t'),
      )
      .join('\n');
    console.log(
      `${'file'.padEnd(58)}\tevents\tconns\twith-gt\tenriched\tcorrect\twith-same-proc\tsame-proc-correct\tdns-process\tdns-host\tmissed\tskipped\n${table}`,
    );
  });

  const all = () => results.flatMap((r) => r.truths);

  it('reads every recording', () => {
    expect(results.length).toBeGreaterThanOrEqual(7);
    for (const result of results) expect(result.events.length).toBeGreaterThan(0);
    expect(all().filter((t) => t.names.size > 0).length).toBeGreaterThan(20);
  });

  it('names >= 99% of the connections that have a ground truth with one of its names', () => {
    const withTruth = all().filter((t) => t.names.size > 0);
    const correct = withTruth.filter((t) => t.names.has(t.event.data.DestinationHostname ?? ''));
    expect(correct.length / withTruth.length).toBeGreaterThanOrEqual(0.99);
  });

  it('names >= 98% of the connections with a same-process answer with the nearest one', () => {
    const withSame = all().filter((t) => t.sameProcessNearest !== undefined);
    const correct = withSame.filter((t) => t.event.data.DestinationHostname === t.sameProcessNearest);
    expect(withSame.length).toBeGreaterThan(0);
    expect(correct.length / withSame.length).toBeGreaterThanOrEqual(0.98);
  });

  it('never gives a connection a name its own host did not resolve', () => {
    const wrong = all().filter(
      (t) =>
        t.event.data.DestinationHostnameSource !== undefined && !t.names.has(t.event.data.DestinationHostname ?? ''),
    );
    expect(wrong.map((t) => [t.event.host, t.event.data.DestinationIp, t.event.data.DestinationHostname])).toEqual([]);
  });

  it('never enriches a connection to a non-enrichable address', () => {
    const events = results.flatMap((r) => r.events);
    const enriched = events.filter(
      (e) =>
        e.eventId === 3 &&
        e.data.DestinationHostnameSource !== undefined &&
        /^(127\.|169\.254\.|0:0:0:0:0:0:0:1$|::1$|fe80)/.test(e.data.DestinationIp ?? ''),
    );
    expect(enriched).toEqual([]);
  });

  it('names powershell.exe -> 151.101.248.133 raw.githubusercontent.com from the answer logged 5 ms later', () => {
    const events = results.find((r) => r.file === 'psh_cmstp_execution_bypassuac.zip')?.events ?? [];
    const connection = events.find(
      (e) =>
        e.eventId === 3 && e.data.DestinationIp === '151.101.248.133' && e.data.UtcTime === '2020-10-22 05:54:21.520',
    );
    expect(connection?.data.Image).toMatch(/powershell\.exe$/i);
    expect(connection?.data).toMatchObject({
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameOriginal: '-',
      DestinationHostnameSource: 'dns-process',
      DestinationHostnameCnames: 'github.map.fastly.net',
    });
  });
});
