import {
  type CostInputs,
  checkInputs,
  estimateCost,
  HOURS_PER_MONTH,
  holdEstimate,
  invocationsPerSecond,
  requiredShards,
  US_EAST_1,
  WORKLOAD,
  type Workload,
} from '../../../src/cost/index.js';

const SECONDS = HOURS_PER_MONTH * 3600;
const GIB = 1024 ** 3;

function line(inputs: CostInputs, component: string): number {
  const found = estimateCost(inputs).lines.find((l) => l.component === component);
  if (found === undefined) throw new Error(`no line ${component}`);
  return found.perMonth;
}

const base: CostInputs = { eventsPerSecond: 1000, eventBytes: 1000, stream: 'on-demand', aggregation: 1 };

describe('Kinesis, by hand', () => {
  it('on-demand data in rounds each record up to 1 KiB', () => {
    // 1,000 records/s x 2,628,000 s x 1 KiB = 2,506.26 GiB x $0.08
    expect(line(base, 'Kinesis on-demand, data in')).toBeCloseTo(((1000 * SECONDS * 1024) / GIB) * 0.08, 6);
    expect(line(base, 'Kinesis on-demand, data in')).toBeCloseTo(200.5, 1);
    // 1,025-byte events bill 2 KiB each: twice the data-in
    expect(line({ ...base, eventBytes: 1025 }, 'Kinesis on-demand, data in')).toBeCloseTo(401.0, 1);
  });

  it('on-demand data out is the bytes read by both consumers', () => {
    expect(line(base, 'Kinesis on-demand, data out')).toBeCloseTo(((2 * 1000 * SECONDS * 1000) / GIB) * 0.04, 6);
    expect(line(base, 'Kinesis on-demand, stream')).toBeCloseTo(730 * 0.04, 6);
  });

  it('provisioned: shard-hours and 25 KiB PUT payload units', () => {
    const provisioned: CostInputs = { ...base, stream: 'provisioned' };
    expect(line(provisioned, 'Kinesis provisioned, shards')).toBeCloseTo(1 * 730 * 0.015, 6);
    expect(line(provisioned, 'Kinesis provisioned, PUT payload units')).toBeCloseTo(
      ((1000 * SECONDS) / 1e6) * 0.014,
      6,
    );
    // 26,000-byte records are 2 units each
    const big: CostInputs = { ...provisioned, eventsPerSecond: 10, eventBytes: 26_000 };
    expect(line(big, 'Kinesis provisioned, PUT payload units')).toBeCloseTo(((2 * 10 * SECONDS) / 1e6) * 0.014, 6);
  });

  it('aggregation packs K events with K-1 newlines into one record', () => {
    const estimate = estimateCost({ ...base, eventBytes: 100, aggregation: 2 });
    expect(estimate.recordBytes).toBe(201);
    expect(estimate.recordsPerSecond).toBe(500);
  });
});

describe('shard count from the per-shard limits', () => {
  it.each([
    // records/s, record bytes, shards: 1 MiB/s in, 1,000 records/s in, 2 MiB/s out shared by 2 consumers
    [1000, 1000, 1],
    [1001, 1000, 2],
    [500, 2200, 2],
    [1, 1, 1],
    [20_234.4, 2860, 56],
    [2_529.3, 22_887, 56],
  ])('%d records/s of %d bytes need %d shards', (records, bytes, shards) => {
    expect(requiredShards(records, bytes, 2)).toBe(shards);
  });

  it('prices the required shards unless told, and warns when told too few', () => {
    const load: CostInputs = { ...base, stream: 'provisioned', eventsPerSecond: 5000 };
    expect(estimateCost(load).shards).toBe(5);
    const few = estimateCost({ ...load, shards: 2 });
    expect(few.shards).toBe(2);
    expect(few.warnings.join()).toMatch(/needs 5/);
    expect(estimateCost({ ...load, shards: 8 }).warnings).toEqual([]);
  });
});

describe('batches', () => {
  it('full batches at high load, one per shard per window at low load, never more than records', () => {
    expect(invocationsPerSecond(10_000, 1000, 5, 4)).toBe(10);
    expect(invocationsPerSecond(100, 1000, 5, 4)).toBeCloseTo(0.8, 9);
    expect(invocationsPerSecond(0.5, 1000, 1, 4)).toBe(0.5);
  });
});

describe('monotonicity', () => {
  const loads = [1, 10, 100, 1000, 10_000, 100_000];
  it.each(['on-demand', 'provisioned'] as const)('%s: every line and the total grow with the load', (stream) => {
    const estimates = loads.map((eventsPerSecond) => estimateCost({ ...base, stream, eventsPerSecond }));
    for (let i = 1; i < estimates.length; i++) {
      const [before, after] = [estimates[i - 1], estimates[i]];
      expect(after?.perMonth).toBeGreaterThan(before?.perMonth ?? Number.POSITIVE_INFINITY);
      after?.lines.forEach((l, j) => {
        expect(l.perMonth).toBeGreaterThanOrEqual(before?.lines[j]?.perMonth ?? Number.POSITIVE_INFINITY);
      });
    }
  });

  it('provisioned at 5 TB/day costs less per TB than on-demand, and aggregation lowers it further', () => {
    const eventsPerSecond = 5e12 / 86_400 / 2860;
    const load: CostInputs = { eventsPerSecond, eventBytes: 2860, stream: 'on-demand', aggregation: 1 };
    const onDemand = estimateCost(load).perTb;
    const provisioned = estimateCost({ ...load, stream: 'provisioned' }).perTb;
    const aggregated = estimateCost({ ...load, stream: 'provisioned', aggregation: 8 }).perTb;
    expect(provisioned).toBeLessThan(onDemand);
    expect(aggregated).toBeLessThan(provisioned);
  });

  it('the per-TB figure is the total over decimal TB a month', () => {
    const estimate = estimateCost(base);
    expect(estimate.tbPerMonth).toBeCloseTo((1000 * 1000 * SECONDS) / 1e12, 9);
    expect(estimate.perTb * estimate.tbPerMonth).toBeCloseTo(estimate.perMonth, 6);
  });
});

describe('inputs', () => {
  it.each([
    [{ eventsPerSecond: 0 }, /events per second/],
    [{ eventsPerSecond: Number.NaN }, /events per second/],
    [{ eventBytes: 0 }, /event bytes/],
    [{ aggregation: 1.5 }, /aggregation/],
    [{ aggregation: 0 }, /aggregation/],
    [{ aggregation: 2000 }, /1 MiB/],
    [{ shards: 3 }, /provisioned stream only/],
    [{ stream: 'provisioned' as const, shards: 0 }, /shards/],
    [{ connectionShare: 2 }, /connection share/],
  ])('refuses %j', (change, message) => {
    expect(checkInputs({ ...base, ...change })).toMatch(message);
    expect(() => estimateCost({ ...base, ...change })).toThrow(message);
  });

  it('accepts the defaults', () => {
    expect(checkInputs(base)).toBeUndefined();
  });

  it('prices come from the table given', () => {
    const doubled = { ...US_EAST_1, kinesisOnDemandStreamHour: 0.08 };
    const estimate = estimateCost(base, undefined, doubled);
    expect(estimate.lines.find((l) => l.component === 'Kinesis on-demand, stream')?.perMonth).toBeCloseTo(58.4, 6);
  });
});

describe('hold queue and S3 PUTs, by hand', () => {
  const quiet: Workload = { ...WORKLOAD, alertsPerEvent: 0, hourSplitsPerUnit: 0 };

  it('a unit without alerts writes 2 objects (manifest + events), one with an alert 3', () => {
    const hold = holdEstimate(2000, 0.075, quiet);
    expect(hold.putsPerEnrichBatch).toBe(2);
    expect(hold.putsPerHoldMessage).toBe(2);
    const alerting = holdEstimate(2000, 0.075, { ...quiet, alertsPerEvent: 1 });
    expect(alerting.putsPerEnrichBatch).toBe(3);
    expect(alerting.putsPerHoldMessage).toBe(3);
    // 1 alert in 10,000 events: 1,850 final events -> 1 - 0.9999^1850 = 0.169 of batches write an alerts object
    const some = holdEstimate(2000, 0.075, { ...quiet, alertsPerEvent: 1e-4 });
    expect(some.putsPerEnrichBatch).toBeCloseTo(2 + (1 - 0.9999 ** 1850), 9);
    expect(some.putsPerHoldMessage).toBeCloseTo(2 + (1 - 0.9999 ** 150), 9);
  });

  it('one message per batch while the compressed holds fit; more when they do not', () => {
    // 150 held x 1,100 bytes x 0.1 = 16.5 KB: one message of one 64 KiB chunk
    const typical = holdEstimate(2000, 0.075, quiet);
    expect(typical.heldPerEnrichBatch).toBeCloseTo(150, 9);
    expect(typical.holdingBatchShare).toBeCloseTo(1, 9);
    expect(typical.messagesPerEnrichBatch).toBeCloseTo(1, 9);
    expect(typical.bytesPerMessage).toBeCloseTo(150 * 1100 * 0.1 + 15, 6);
    expect(typical.chunksPerMessage).toBe(1);
    // Every event a connection: 2,000 x 1,100 x 0.1 = 220 KB -> 2 messages of 110 KB, 2 chunks each
    const scan = holdEstimate(2000, 1, quiet);
    expect(scan.messagesPerEnrichBatch).toBe(2);
    expect(scan.chunksPerMessage).toBe(2);
    // Compressing 100-fold, the 4 MiB JSON allowance binds first: 2.2 MB of JSON per message
    const tight = holdEstimate(8000, 1, { ...quiet, holdEncodedPerJsonByte: 0.01 });
    expect(tight.messagesPerEnrichBatch).toBe(Math.ceil((8000 * 1100) / (4 * 1024 * 1024)));
  });

  it('small batches: only those holding a connection send a message', () => {
    const hold = holdEstimate(6, 0.075, quiet);
    expect(hold.holdingBatchShare).toBeCloseTo(1 - 0.925 ** 6, 9);
    expect(hold.messagesPerEnrichBatch).toBeCloseTo(1 - 0.925 ** 6, 9);
    expect(holdEstimate(6, 0, quiet).messagesPerEnrichBatch).toBe(0);
  });

  it('the S3 and SQS lines are those per-unit figures times the units', () => {
    const load: CostInputs = { eventsPerSecond: 10_000, eventBytes: 2860, stream: 'provisioned', aggregation: 8 };
    const estimate = estimateCost(load);
    const shards = estimate.shards;
    const batch = Math.min(1000, Math.floor((6 * 1024 * 1024) / estimate.recordBytes));
    const batches = invocationsPerSecond(1250, batch, 5, shards) * SECONDS;
    const { hold } = estimate;
    expect(hold.eventsPerEnrichBatch).toBeCloseTo((10_000 * SECONDS) / batches, 6);
    const messages = batches * hold.messagesPerEnrichBatch;
    const puts = batches * hold.putsPerEnrichBatch + messages * hold.putsPerHoldMessage;
    expect(line(load, 'S3 PUT')).toBeCloseTo((puts / 1000) * 0.005, 6);
    expect(line(load, 'SQS hold queue')).toBeCloseTo(((messages * hold.chunksPerMessage * 3) / 1e6) * 0.4, 6);
    // No connections: no hold messages, no SQS cost
    expect(line({ ...load, connectionShare: 0 }, 'SQS hold queue')).toBe(0);
  });
});
