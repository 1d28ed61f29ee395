import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, type DynamoDbStateStoreOptions } from '../../../lambda/adapters/dynamodb-state-store.js';
import { PartialWriteError, RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import type { DnsAnswer, HostIp } from '../../../src/dns/resolution.js';
import { answerEntry, RESOLUTION_PREFIX, resolutionKey, resolutionSchema } from '../../../src/dns/resolution-state.js';
import { TABLE_KEYS } from '../../../src/pipeline/names.js';
import { storedKey } from '../../../src/state/state-store.js';
import { faultyDynamoDbClient, recordingSleep, throughputExceeded } from '../../helpers/aws-fault-injection.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';
import { answer, HOUR, T0 } from '../../helpers/state-answers.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

/** The stored key attribute of a (host, IP). */
function pk(host: string, ip: string) {
  return { pk: { S: storedKey(RESOLUTION_PREFIX, resolutionKey(host, ip)) } };
}

interface Options extends Partial<DynamoDbStateStoreOptions> {
  retentionMs?: number;
  maxNamesPerKey?: number;
}

/**
 * The DynamoDB state store under the resolution state (the schema dns-answers persists), seen as the answers the
 * hooks put and the (host, IP) keys netconn-hostname reads. Its merge itself is covered by state-store.contract.
 */
function resolutions(inner: DynamoDbStateStore, options: Options) {
  const schema = resolutionSchema({ retentionMs: options.retentionMs, maxEntriesPerKey: options.maxNamesPerKey });
  return {
    get requestCount() {
      return inner.requestCount;
    },
    put: (answers: readonly DnsAnswer[]) =>
      inner.put(
        schema,
        answers.map((a) => ({ key: resolutionKey(a.host, a.ip), value: [answerEntry(a)] })),
      ),
    get: (keys: readonly HostIp[]) =>
      inner.get(
        schema,
        keys.map((k) => resolutionKey(k.host, k.ip)),
      ),
  };
}

describe('DynamoDbStateStore (resolution state)', () => {
  let emulators: Emulators;
  let tableCount = 0;
  let tableName: string;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['dynamodb'] });
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  // A fresh table per test: no test sees another's items.
  beforeEach(async () => {
    tableName = `resolutions-${++tableCount}`;
    await emulators.createTable(tableName, TABLE_KEYS.state);
  });

  function store(options: Options = {}) {
    const { retentionMs: _retention, maxNamesPerKey: _max, ...rest } = options;
    const inner = new DynamoDbStateStore({
      client: emulators.clients.dynamodb,
      tableName,
      clock: () => T0 + HOUR,
      retry: fast,
      ...rest,
    });
    return resolutions(inner, options);
  }

  it('returns what was put, keyed by resolutionKey, and omits unknown keys', async () => {
    const s = store();
    await s.put([
      answer({ name: 'a.example', cnames: ['edge.cdn.example'] }),
      answer({ ip: '198.51.100.7', name: 'b.example', processGuid: undefined, source: 'dns-client-3008' }),
    ]);

    const got = await s.get([
      { host: 'ws-01.corp.example', ip: '203.0.113.10' },
      { host: 'ws-01.corp.example', ip: '198.51.100.7' },
      { host: 'ws-01.corp.example', ip: '192.0.2.1' },
    ]);

    expect(got.size).toBe(2);
    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))).toEqual([
      {
        name: 'a.example',
        cnames: ['edge.cdn.example'],
        time: T0,
        firstTime: T0,
        processGuid: '{aaaaaaaa-0000-0000-0000-000000000001}',
        processId: 4242,
        source: 'sysmon-22',
      },
    ]);
    expect(got.get(resolutionKey('ws-01.corp.example', '198.51.100.7'))).toEqual([
      { name: 'b.example', cnames: [], time: T0, firstTime: T0, processId: 4242, source: 'dns-client-3008' },
    ]);
  });

  it('keeps at most maxEntriesPerKey entries, newest first', async () => {
    const s = store({ maxNamesPerKey: 3 });
    await s.put([1, 2, 3, 4, 5].map((i) => answer({ name: `n${i}.example`, time: T0 + i })));
    await s.put([answer({ name: 'old.example', time: T0 - 1 })]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual([
      'n5.example',
      'n4.example',
      'n3.example',
    ]);
  });

  it('never lets an older answer overwrite a newer one for the same name and process', async () => {
    const s = store();
    await s.put([answer({ time: T0 + 2000, cnames: ['new.cdn.example'] })]);
    await s.put([answer({ time: T0 + 1000, cnames: ['old.cdn.example'] })]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))).toEqual([
      expect.objectContaining({ time: T0 + 2000, cnames: ['new.cdn.example'] }),
    ]);
  });

  it('keeps the oldest time seen as firstTime, whatever order the answers come in', async () => {
    const s = store();
    await s.put([answer({ time: T0 + 5 })]);
    await s.put([answer({ time: T0 + 1 }), answer({ time: T0 + 3 })]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))).toEqual([
      expect.objectContaining({ time: T0 + 5, firstTime: T0 + 1 }),
    ]);
  });

  it('breaks an exact time tie by CNAME chain, so arrival order does not matter', async () => {
    const a = answer({ cnames: ['b.cdn.example'] });
    const b = answer({ cnames: ['a.cdn.example'] });
    const first = store();
    await first.put([a]);
    await first.put([b]);
    const firstResult = await first.get([{ host: a.host, ip: a.ip }]);
    tableName = `${tableName}-reversed`;
    await emulators.createTable(tableName, TABLE_KEYS.state);
    const second = store();
    await second.put([b]);
    await second.put([a]);

    const secondResult = await second.get([{ host: a.host, ip: a.ip }]);

    expect(firstResult).toEqual(secondResult);
    expect([...firstResult.values()][0]?.[0]?.cnames).toEqual(['a.cdn.example']);
  });

  it('keeps one entry per (name, process) and separate entries for other processes', async () => {
    const s = store();
    await s.put([
      answer({ time: T0 + 1 }),
      answer({ time: T0 + 5 }),
      answer({ time: T0 + 3, processGuid: '{bbbbbbbb-0000-0000-0000-000000000002}' }),
    ]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => [r.processGuid, r.time])).toEqual([
      ['{aaaaaaaa-0000-0000-0000-000000000001}', T0 + 5],
      ['{bbbbbbbb-0000-0000-0000-000000000002}', T0 + 3],
    ]);
  });

  it('collapses duplicate keys in one put into one write per key', async () => {
    const s = store();
    const duplicates = [answer({ name: 'x.example' }), answer({ name: 'y.example' }), answer({ name: 'x.example' })];

    await s.put(duplicates);

    expect(s.requestCount).toBe(2); // one BatchGetItem, one PutItem
    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);
    expect(
      got
        .get(resolutionKey('ws-01.corp.example', '203.0.113.10'))
        ?.map((r) => r.name)
        .sort(),
    ).toEqual(['x.example', 'y.example']);
  });

  it('handles more than 100 keys in one put and one get (and duplicate keys in get)', async () => {
    const s = store();
    const answers = Array.from({ length: 250 }, (_, i) =>
      answer({ ip: `10.0.${i >> 8}.${i & 255}`, name: `h${i}.example` }),
    );

    await s.put(answers);
    const afterPut = s.requestCount;
    const keys = answers.map((a) => ({ host: a.host, ip: a.ip }));
    const got = await s.get([...keys, ...keys.slice(0, 10)]);

    expect(afterPut).toBe(3 + 250); // ceil(250 / 100) BatchGetItem + one PutItem per key
    expect(s.requestCount - afterPut).toBe(3);
    expect(got.size).toBe(250);
    expect(got.get(resolutionKey('ws-01.corp.example', '10.0.0.249'))?.[0]?.name).toBe('h249.example');
  });

  it('does not write again when a retried batch brings nothing new', async () => {
    const s = store();
    const batch = [answer({ name: 'a.example' }), answer({ ip: '198.51.100.1', name: 'b.example' })];
    await s.put(batch);
    const afterFirst = s.requestCount;

    await s.put(batch);

    expect(s.requestCount - afterFirst).toBe(1); // the BatchGetItem only
  });

  it('ignores items whose ttl has passed, even though DynamoDB has not deleted them yet', async () => {
    const now = T0 + HOUR;
    await emulators.clients.dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...pk('ws-01.corp.example', '192.0.2.99'),
          value: {
            S: JSON.stringify([{ name: 'stale.example', cnames: [], time: T0 - 48 * HOUR, source: 'sysmon-22' }]),
          },
          ttl: { N: String(Math.floor((now - 1000) / 1000)) },
          version: { N: '1' },
        },
      }),
    );

    const got = await store().get([{ host: 'ws-01.corp.example', ip: '192.0.2.99' }]);

    expect(got.size).toBe(0);
  });

  it('replaces an expired item on put rather than merging into it', async () => {
    const s = store({ clock: () => T0 + 30 * HOUR });
    await store({ clock: () => T0 }).put([answer({ name: 'stale.example', time: T0 })]);

    await s.put([answer({ name: 'fresh.example', time: T0 + 29 * HOUR })]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);
    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual(['fresh.example']);
  });

  it('keeps an entry far older than the newest one: retention is per lookup, as in the memory store', async () => {
    // Two recordings 48 days apart sent one after the other: the older one's held connections still need theirs.
    const s = store({ retentionMs: 10 * HOUR, clock: () => T0 + 20 * HOUR });
    await s.put([answer({ name: 'old.example', time: T0 }), answer({ name: 'new.example', time: T0 + 11 * HOUR })]);

    const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

    expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual([
      'new.example',
      'old.example',
    ]);
  });

  it('computes ttl from the newest answer event time plus retention, in epoch seconds', async () => {
    await store().put([answer({ time: T0 + 1500 })]);

    const { Responses } = await emulators.clients.dynamodb.send(
      new BatchGetItemCommand({
        RequestItems: { [tableName]: { Keys: [pk('ws-01.corp.example', '203.0.113.10')] } },
      }),
    );

    const item = Responses?.[tableName]?.[0];
    expect(item?.ttl?.N).toBe(String(Math.ceil((T0 + 1500 + 24 * HOUR) / 1000)));
    // The value as the schema encodes it, under one key attribute: no `host` / `ip` attributes any more.
    expect(JSON.parse(item?.value?.S ?? 'null')).toEqual([
      expect.objectContaining({ name: 'example.com', time: T0 + 1500, firstTime: T0 + 1500 }),
    ]);
    expect(Object.keys(item ?? {}).sort()).toEqual(['pk', 'ttl', 'value', 'version']);
  });

  describe('concurrent writers', () => {
    it('loses no name when another writer commits between our read and our write', async () => {
      // A second client whose first PutItem waits for the other store to finish a whole put: a forced race.
      const racingClient = new DynamoDBClient({
        region: 'us-east-1',
        endpoint: emulators.endpoints.dynamodb,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const other = store();
      let raced = false;
      racingClient.middlewareStack.add(
        (next) => async (args) => {
          if (!raced && (args.input as { Item?: unknown }).Item !== undefined) {
            raced = true;
            await other.put([answer({ name: 'from-b.example', time: T0 + 2 })]);
          }
          return next(args);
        },
        { step: 'initialize' },
      );
      const operations: string[] = [];
      const s = store({ client: racingClient, onRequest: (op) => operations.push(op) });

      await s.put([answer({ name: 'from-a.example', time: T0 + 1 })]);

      expect(raced).toBe(true);
      expect(operations).toEqual(['BatchGetItem', 'PutItem', 'GetItem', 'PutItem']); // lost the race once, re-merged
      const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);
      expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual([
        'from-b.example',
        'from-a.example',
      ]);
      racingClient.destroy();
    });

    it('keeps every name when ten stores write the same keys at once', async () => {
      const writers = Array.from({ length: 10 }, () => store({ maxConflictAttempts: 12 }));
      const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];

      await Promise.all(
        writers.map((w, i) => w.put(ips.map((ip) => answer({ ip, name: `w${i}.example`, time: T0 + i })))),
      );

      const got = await store().get(ips.map((ip) => ({ host: 'ws-01.corp.example', ip })));
      for (const ip of ips) {
        expect(
          got
            .get(resolutionKey('ws-01.corp.example', ip))
            ?.map((r) => r.name)
            .sort(),
        ).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}.example`).sort());
      }
    });
  });

  describe('keys DynamoDB refuses', () => {
    // dynalite counts a string key's length in UTF-16 units, DynamoDB in UTF-8 bytes: an ASCII host is both.
    const longHost = `${'h'.repeat(2049)}.corp.example`;

    // Was a bug (found by this test): one key over the limit made DynamoDB refuse put()'s whole BatchGetItem; such
    // keys are now refused before any request.
    it('returns a host key over 2,048 bytes in refused and writes the other keys of the same put', async () => {
      const s = store();
      const refusedKey = resolutionKey(longHost, '203.0.113.10');

      const result = await s.put([
        answer({ name: 'before.example' }),
        answer({ host: longHost, name: 'refused.example' }),
        answer({ ip: '198.51.100.7', name: 'after.example' }),
      ]);

      expect(result.refused).toEqual([{ key: refusedKey, reason: 'key over the DynamoDB key size limit' }]);
      const got = await s.get([
        { host: 'ws-01.corp.example', ip: '203.0.113.10' },
        { host: 'ws-01.corp.example', ip: '198.51.100.7' },
      ]);
      expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual([
        'before.example',
      ]);
      expect(got.get(resolutionKey('ws-01.corp.example', '198.51.100.7'))?.map((r) => r.name)).toEqual([
        'after.example',
      ]);
    });

    it('refuses a key whose PutItem DynamoDB refuses for good (ValidationException), and writes the others', async () => {
      // An item refused at its write (e.g. over 400 KB): the limits make it unreachable, this is the last defence.
      const { client, stub, forward } = faultyDynamoDbClient(emulators.clients.dynamodb);
      stub.on(BatchGetItemCommand).callsFake(forward.batchGet);
      stub.on(PutItemCommand).callsFake(async (input: ConstructorParameters<typeof PutItemCommand>[0]) => {
        if (input.Item?.pk?.S === pk('ws-01.corp.example', '203.0.113.11').pk.S) {
          throw new DynamoDBServiceException({
            name: 'ValidationException',
            $fault: 'client',
            message: 'Item size has exceeded the maximum allowed size',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return forward.put(input);
      });
      const s = store({ client });

      const result = await s.put([
        answer({ name: 'kept.example' }),
        answer({ ip: '203.0.113.11', name: 'refused.example' }),
      ]);

      expect(result.refused).toEqual([
        {
          key: resolutionKey('ws-01.corp.example', '203.0.113.11'),
          reason: 'ValidationException: Item size has exceeded the maximum allowed size',
        },
      ]);
      const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);
      expect(got.get(resolutionKey('ws-01.corp.example', '203.0.113.10'))?.map((r) => r.name)).toEqual([
        'kept.example',
      ]);
    });
  });

  describe('faults (injected)', () => {
    it('retries throttled BatchGetItem and PutItem, then succeeds', async () => {
      const { client, stub, forward } = faultyDynamoDbClient(emulators.clients.dynamodb);
      stub.on(BatchGetItemCommand).rejectsOnce(throughputExceeded()).callsFake(forward.batchGet);
      stub
        .on(PutItemCommand)
        .rejectsOnce(throughputExceeded())
        .rejectsOnce(throughputExceeded())
        .callsFake(forward.put);
      const { sleep, delays } = recordingSleep();
      const s = store({ client, retry: { ...fast, sleep } });

      await s.put([answer()]);
      const got = await s.get([{ host: 'ws-01.corp.example', ip: '203.0.113.10' }]);

      expect(got.size).toBe(1);
      expect(delays).toHaveLength(3);
      expect(s.requestCount).toBe(2 + 3 + 1);
    });

    it('retries UnprocessedKeys until every key is read', async () => {
      const s = store();
      const answers = Array.from({ length: 5 }, (_, i) => answer({ ip: `10.9.9.${i}` }));
      await s.put(answers);
      const { client, stub, forward } = faultyDynamoDbClient(emulators.clients.dynamodb);
      let calls = 0;
      // Each response leaves every key but the first unprocessed, as a throttled table does.
      stub.on(BatchGetItemCommand).callsFake(async (input: ConstructorParameters<typeof BatchGetItemCommand>[0]) => {
        calls++;
        const keys = input.RequestItems?.[tableName]?.Keys ?? [];
        const response: BatchGetItemCommandOutput = await forward.batchGet({
          RequestItems: { [tableName]: { ...input.RequestItems?.[tableName], Keys: keys.slice(0, 1) } },
        });
        return { ...response, UnprocessedKeys: keys.length > 1 ? { [tableName]: { Keys: keys.slice(1) } } : {} };
      });

      const got = await store({ client }).get(answers.map((a) => ({ host: a.host, ip: a.ip })));

      expect(got.size).toBe(5);
      expect(calls).toBe(5);
    });

    it('throws PartialWriteError naming only the key whose PutItem kept failing; the other keys are written', async () => {
      const { client, stub, forward } = faultyDynamoDbClient(emulators.clients.dynamodb);
      const failingIp = '198.51.100.2';
      stub.on(PutItemCommand).callsFake(async (input: ConstructorParameters<typeof PutItemCommand>[0]) => {
        if (input.Item?.pk?.S === pk('ws-01.corp.example', failingIp).pk.S) throw throughputExceeded();
        return forward.put(input);
      });
      const ips = ['198.51.100.1', failingIp, '198.51.100.3'];
      const s = store({ client, retry: { ...fast, maxAttempts: 2 } });

      const put = s.put(ips.map((ip) => answer({ ip, name: `n-${ip}.example` })));

      await expect(put).rejects.toBeInstanceOf(PartialWriteError);
      const error = (await put.catch((e: unknown) => e)) as PartialWriteError;
      expect(error.failedKeys).toEqual([resolutionKey('ws-01.corp.example', failingIp)]);
      expect(error.cause).toBeInstanceOf(RetryableDependencyError);
      const got = await store().get(ips.map((ip) => ({ host: 'ws-01.corp.example', ip })));
      expect([...got.keys()].sort()).toEqual(
        [resolutionKey('ws-01.corp.example', ips[0]!), resolutionKey('ws-01.corp.example', ips[2]!)].sort(),
      );
    });

    it('throws RetryableDependencyError when throttling outlasts the retries', async () => {
      const { client, stub } = faultyDynamoDbClient(emulators.clients.dynamodb);
      stub.on(BatchGetItemCommand).rejects(throughputExceeded());
      const s = store({ client, retry: { ...fast, maxAttempts: 3 } });

      await expect(s.get([{ host: 'h', ip: '192.0.2.1' }])).rejects.toBeInstanceOf(RetryableDependencyError);
      await expect(s.put([answer()])).rejects.toThrow(/dynamodb:BatchGetItem: still failing after 3 attempts/);
      expect(s.requestCount).toBe(6);
    });

    it('throws RetryableDependencyError when keys stay unprocessed', async () => {
      const { client, stub } = faultyDynamoDbClient(emulators.clients.dynamodb);
      stub.on(BatchGetItemCommand).callsFake(async (input: ConstructorParameters<typeof BatchGetItemCommand>[0]) => ({
        Responses: {},
        UnprocessedKeys: input.RequestItems,
      }));

      await expect(
        store({ client, retry: { ...fast, maxAttempts: 2 } }).get([{ host: 'h', ip: '192.0.2.1' }]),
      ).rejects.toThrow(RetryableDependencyError);
    });

    it('does not retry client errors', async () => {
      const s = store({ tableName: 'no-such-table' });

      await expect(s.get([{ host: 'h', ip: '192.0.2.1' }])).rejects.toThrow(/ResourceNotFound|non-existent|not found/i);
      expect(s.requestCount).toBe(1);
    });
  });
});
