/**
 * Process tracking through the Lambda path, test:full: every OTRF recording with partition key = host (the
 * acceptance figure on the whole corpus), and the short subset with random partition keys, which shows what another
 * key costs (docs/enrichment.md, "Across Lambda invocations"): context goes missing, none is wrong except Ancestors
 * and parent fields cut short at a child whose parent's Sysmon 1 was on another shard. The run:
 * process-tracking-race.cases.ts.
 */
import { type LambdaHarness, startLambdaHarness } from '../../helpers/lambda-harness.js';
import { seedFrom } from '../../helpers/lambda-prng.js';
import { OTRF_DIR, otrfFiles } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import { raceProcessTracking, SUBSET } from './process-tracking-race.cases.js';

describeUnless(missing(OTRF_DIR))(
  'process tracking through the Lambda functions, every recording and other keys',
  () => {
    let harness: LambdaHarness;

    beforeEach(async () => {
      harness = await startLambdaHarness({ shards: 4 });
    });

    afterEach(async () => {
      await harness?.stop();
    });

    it('partition key host, every recording: >= 99.5% right, nothing wrong', async () => {
      const { pipeline, replay, events } = await raceProcessTracking(
        harness,
        otrfFiles(),
        'host',
        seedFrom('HOOKSTREAM_RACE_SEED'),
      );
      expect(events.pipeline).toBe(events.replay);
      expect(pipeline.tracked).toBe(replay.tracked);
      expect(pipeline.tracked).toBeGreaterThan(9000);
      expect(pipeline.right / pipeline.tracked).toBeGreaterThanOrEqual(0.995);
      expect(pipeline.wrong.slice(0, 10)).toEqual([]);
    }, 1_800_000);

    it("random partition keys: context missing, never another process's", async () => {
      const { pipeline, replay } = await raceProcessTracking(
        harness,
        SUBSET,
        'random',
        seedFrom('HOOKSTREAM_RACE_SEED'),
      );
      expect(pipeline.tracked).toBe(replay.tracked);
      // What a child whose parent's Sysmon 1 was not yet known may carry: Ancestors cut to its nearest part (the
      // ParentImage alone). Anything else would be another process's or host's context.
      const other = pipeline.wrong.filter(
        ({ field, value, truth }) => !(field.endsWith('Ancestors') && truth?.endsWith(`|${value}`)),
      );
      const missingShare = 1 - pipeline.right / pipeline.tracked;
      console.log(
        `random partition keys: ${pipeline.tracked - pipeline.right} of ${pipeline.tracked} tracked sides without the right ParentImage + Ancestors (${(100 * missingShare).toFixed(1)}%), ${pipeline.wrong.length - other.length} short Ancestors, ${other.length} other wrong fields`,
      );
      expect(other.slice(0, 10)).toEqual([]);
    }, 600_000);
  },
);
