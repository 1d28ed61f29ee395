import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbWatermarkStore } from '../../../lambda/adapters/dynamodb-watermark-store.js';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import { MemoryWatermarkStore } from '../../../src/pipeline/memory-watermark-store.js';
import type { WatermarkStore } from '../../../src/pipeline/watermark.js';
import { faultyDynamoDbClient, throughputExceeded } from '../../helpers/aws-fault-injection.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
let emulators: Emulators;
let tableCount = 0;

beforeAll(async () => {
  emulators = await startEmulators({ services: ['dynamodb'] });
});

afterAll(async () => {
  await emulators?.stop();
});

async function newTable(): Promise<string> {
  const name = `watermarks-${++tableCount}`;
  await emulators.createTable(name, { partitionKey: 'consumer', sortKey: 'shard' });
  return name;
}

describe.each([
  [
    'DynamoDbWatermarkStore',
    async () =>
      new DynamoDbWatermarkStore({ client: emulators.clients.dynamodb, tableName: await newTable(), retry: fast }),
  ],
  ['MemoryWatermarkStore', async () => new MemoryWatermarkStore()],
] as Array<[string, () => Promise<WatermarkStore>]>)('%s', (_, create) => {
  let store: WatermarkStore;

  beforeEach(async () => {
    store = await create();
  });

  it('reads back each shard of a consumer, and nothing of other consumers', async () => {
    await store.advance('enrich', 'shardId-000000000000', 1000);
    await store.advance('enrich', 'shardId-000000000001', 2000);
    await store.advance('dns-answers', 'shardId-000000000000', 5000);

    expect(await store.read('enrich')).toEqual(
      new Map([
        ['shardId-000000000000', 1000],
        ['shardId-000000000001', 2000],
      ]),
    );
    expect(await store.read('nobody')).toEqual(new Map());
  });

  it('never moves backwards', async () => {
    await store.advance('enrich', 'shardId-000000000000', 2000);

    await store.advance('enrich', 'shardId-000000000000', 1000);
    await store.advance('enrich', 'shardId-000000000000', 2000);

    expect((await store.read('enrich')).get('shardId-000000000000')).toBe(2000);
  });

  it('orders equal arrival times by sequence number, compared numerically, and returns it unpadded', async () => {
    const shard = 'shardId-000000000000';
    await store.advance('enrich', shard, 3000, '49590338271490256608559692538361571095921575989136588898');

    await store.advance('enrich', shard, 3000, '9959033827149025660855969253836157109592157598913658889'); // shorter: smaller
    await store.advance('enrich', shard, 2999, '99590338271490256608559692538361571095921575989136588898'); // earlier
    expect((await store.readPositions('enrich')).get(shard)).toEqual({
      arrivalMs: 3000,
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    });

    await store.advance('enrich', shard, 3000, '49590338271490256608559692538361571095921575989136588899');
    expect((await store.readPositions('enrich')).get(shard)?.sequenceNumber).toBe(
      '49590338271490256608559692538361571095921575989136588899',
    );
    expect(await store.read('enrich')).toEqual(new Map([[shard, 3000]]));
  });

  it('drops the sequence number when a later arrival comes without one', async () => {
    await store.advance('enrich', 's', 1000, '100');

    await store.advance('enrich', 's', 2000);

    expect((await store.readPositions('enrich')).get('s')).toEqual({ arrivalMs: 2000 });
  });

  it('rejects a malformed sequence number', async () => {
    await expect(store.advance('enrich', 's', 1, '12x')).rejects.toThrow(RangeError);
  });

  it('keeps the highest of concurrent advances', async () => {
    const arrivals = Array.from({ length: 20 }, (_, i) => 1000 + ((i * 7) % 20));

    await Promise.all(arrivals.map((a) => store.advance('enrich', 'shardId-000000000000', a)));

    expect((await store.read('enrich')).get('shardId-000000000000')).toBe(Math.max(...arrivals));
  });
});

describe('DynamoDbWatermarkStore', () => {
  it('pages through a consumer with more shards than one Query page', async () => {
    const operations: string[] = [];
    const store = new DynamoDbWatermarkStore({
      client: emulators.clients.dynamodb,
      tableName: await newTable(),
      pageSize: 2,
      onRequest: (op) => operations.push(op),
    });
    const shards = Array.from({ length: 5 }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
    await Promise.all(shards.map((s, i) => store.advance('enrich', s, 100 + i)));

    const read = await store.read('enrich');

    expect(read).toEqual(new Map(shards.map((s, i) => [s, 100 + i])));
    expect(operations.filter((op) => op === 'Query').length).toBeGreaterThanOrEqual(3);
  });

  it('throws RetryableDependencyError when throttling outlasts the retries', async () => {
    const { client, stub } = faultyDynamoDbClient(emulators.clients.dynamodb);
    stub.on(UpdateItemCommand).rejects(throughputExceeded());
    const store = new DynamoDbWatermarkStore({
      client,
      tableName: await newTable(),
      retry: { ...fast, maxAttempts: 2 },
    });

    await expect(store.advance('enrich', 's', 1)).rejects.toBeInstanceOf(RetryableDependencyError);
  });
});
