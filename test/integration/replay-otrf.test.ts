/**
 * The whole replay path (file reading, the real decoders and normalisers, hooks) over every OTRF recording at once,
 * checked against the ground truth computed independently from the raw lines (test/helpers/dns-ground-truth.ts).
 */
import { readInputs } from '../../cli/io/input-files.js';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { type ConnectionTruth, dnsGroundTruth } from '../helpers/dns-ground-truth.js';
import { OTRF_DIR, otrfFiles, readOtrfEvents } from '../helpers/otrf.js';
import { describeUnless, missing } from '../helpers/skip.js';

const describeIfData = describeUnless(missing(OTRF_DIR));

function connectionId(event: CanonicalEvent): string {
  const d = event.data;
  return [event.host.toLowerCase(), d.ProcessGuid?.toLowerCase(), d.UtcTime, d.DestinationIp, d.SourcePort].join('|');
}

describeIfData('replay of every OTRF recording in one batch', () => {
  let truths: ConnectionTruth[];
  let enriched: Map<string, CanonicalEvent>;

  beforeAll(async () => {
    // Prepare: the truth per file, from the raw lines, without the project's normaliser or hooks.
    truths = otrfFiles().flatMap((file) => dnsGroundTruth(readOtrfEvents(file)));
    const records: InputRecord[] = [];
    for await (const input of readInputs([OTRF_DIR]))
      records.push({ origin: input.source, data: input.data, arrival: 0 });
    // Act
    const batch = await processBatch(records, {
      hooks: planHooks(createHooks()),
      context: createEnrichmentContext(),
    });
    enriched = new Map(batch.events.map(({ event }) => [connectionId(event), event]));
  });

  it('names the connections the way the host resolved them, and never with another host’s name', () => {
    const withTruth = truths.filter((truth) => truth.names.size > 0);
    const withSame = truths.filter((truth) => truth.sameProcessNearest !== undefined);
    const named = (truth: ConnectionTruth) => enriched.get(connectionId(truth.event))?.data;
    const correct = withTruth.filter((truth) => truth.names.has(named(truth)?.DestinationHostname ?? ''));
    const sameCorrect = withSame.filter((truth) => named(truth)?.DestinationHostname === truth.sameProcessNearest);
    const foreign = truths.filter((truth) => {
      const data = named(truth);
      return data?.DestinationHostnameSource !== undefined && !truth.names.has(data.DestinationHostname ?? '');
    });
    console.log(
      `replay-otrf: ${truths.length} connections looked up, ${withTruth.length} with an answer from their host: ` +
        `${correct.length} named with one of them (${((100 * correct.length) / withTruth.length).toFixed(1)}%), ` +
        `${sameCorrect.length}/${withSame.length} with the same process's nearest; ${foreign.length} foreign names`,
    );
    expect(truths.every((truth) => enriched.has(connectionId(truth.event)))).toBe(true);
    expect(withTruth.length).toBeGreaterThan(100);
    expect(correct.length / withTruth.length).toBeGreaterThanOrEqual(0.99);
    expect(sameCorrect.length / withSame.length).toBeGreaterThanOrEqual(0.98);
    expect(foreign).toEqual([]);
  });

  it('puts raw.githubusercontent.com into powershell.exe’s connection to 151.101.248.133', () => {
    const connection = [...enriched.values()].find(
      (event) => event.data.DestinationIp === '151.101.248.133' && event.data.UtcTime === '2020-10-22 05:54:21.520',
    );
    expect(connection?.data).toMatchObject({
      DestinationHostname: 'raw.githubusercontent.com',
      DestinationHostnameOriginal: '-',
      DestinationHostnameSource: 'dns-process',
      DestinationHostnameCnames: 'github.map.fastly.net',
    });
  });
});
