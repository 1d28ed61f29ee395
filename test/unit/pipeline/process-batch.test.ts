import { createEnrichmentContext, createHooks, planHooks } from '../../../src/hooks/index.js';
import { LIMITS } from '../../../src/limits.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { nxlogDocument, record } from '../events/factories.js';

/** A Sysmon 22 answer as NXLog writes it, with these QueryResults. */
function dnsAnswer(results: string): Uint8Array {
  return record(
    nxlogDocument({
      EventID: 22,
      QueryName: 'many.example',
      QueryStatus: '0',
      QueryResults: results,
      UtcTime: '2020-10-22 05:54:21.000',
    }),
  );
}

describe('processBatch trimmed counts', () => {
  it.each<[string, number, number]>([
    ['an answer within the caps', 0, 0],
    ['an answer over both caps', 7, 3],
  ])('counts the addresses and CNAME steps the caps dropped into the summary: %s', async (_name, ips, cnames) => {
    // Prepare
    const steps = Array.from({ length: LIMITS.cnamesPerAnswer + cnames }, (_v, i) => `type:  5 s${i}.example`);
    const addresses = Array.from({ length: LIMITS.ipsPerAnswer + ips }, (_v, i) => `10.2.0.${i}`);
    const records = [{ origin: 'test', data: dnsAnswer(`${[...steps, ...addresses].join(';')};`), arrival: 0 }];
    // Act
    const { summary } = await processBatch(records, {
      hooks: planHooks(createHooks()),
      context: createEnrichmentContext(),
    });
    // Assess
    expect(summary.dnsAnswers).toBe(LIMITS.ipsPerAnswer);
    expect(summary.trimmed).toMatchObject({ answerIps: ips, answerCnames: cnames });
    expect(summary.written).toBe(1);
  });
});
