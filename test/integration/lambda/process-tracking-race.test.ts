/**
 * Process tracking through the Lambda path (issue 11 acceptance), partition key = host: covenant_sc_query (629
 * records of 3 hosts) on 4 shards under a random schedule; >= 99.5% of the sides whose process has an
 * earlier Sysmon 1 carry the right ParentImage and Ancestors, and no context field is wrong. Every recording, and a
 * random partition key: process-tracking-race.heavy.test.ts. The run: process-tracking-race.cases.ts.
 */
import { type LambdaHarness, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { seedFrom } from '../../helpers/lambda-prng.js';
import { OTRF_DIR } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { raceProcessTracking, SHORT } from './process-tracking-race.cases.js';

describeUnless(missing(OTRF_DIR))('process tracking through the Lambda functions, partition key = host', () => {
  let harness: LambdaHarness;

  beforeAll(async () => {
    harness = await startLambdaHarness({ shards: 4 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('gives >= 99.5% of the events of tracked processes their ParentImage and Ancestors, and nothing wrong', async () => {
    const { pipeline, replay, events } = await raceProcessTracking(
      harness,
      SHORT,
      'host',
      seedFrom('HOOKSTREAM_RACE_SEED'),
    );
    expect(events.pipeline).toBe(events.replay);
    expect(pipeline.tracked).toBe(replay.tracked);
    expect(pipeline.tracked).toBeGreaterThan(50);
    expect(pipeline.right / pipeline.tracked).toBeGreaterThanOrEqual(0.995);
    expect(pipeline.wrong.slice(0, 10)).toEqual([]);
    expect(replay.right).toBe(replay.tracked);
  }, 600_000);
});
