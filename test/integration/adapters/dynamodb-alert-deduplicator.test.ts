import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbAlertDeduplicator,
  type DynamoDbAlertDeduplicatorOptions,
} from '../../../lambda/adapters/dynamodb-alert-deduplicator.js';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import type { AlertDeduplicator, AlertNotification } from '../../../src/pipeline/ports.js';
import { MemoryAlertDeduplicator } from '../../fakes/memory-alert-deduplicator.js';
import { faultyDynamoDbClient, throughputExceeded } from '../../helpers/aws-fault-injection.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

const NOW = Date.parse('2026-11-28T07:00:00Z');
const WINDOW = 60 * 60 * 1000;
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

function alert(occurrence: string, dedupeKey = 'rule-1|ws-01|203.0.113.10'): AlertNotification {
  return {
    occurrenceId: occurrence,
    dedupeKey,
    level: 'high',
    ruleId: 'rule-1',
    ruleTitle: 'Suspicious outbound connection',
    host: 'ws-01',
    time: NOW,
    subject: 'Suspicious outbound connection on ws-01',
    message: 'body',
  };
}

let emulators: Emulators;
let tableCount = 0;

beforeAll(async () => {
  emulators = await startEmulators({ services: ['dynamodb'] });
});

afterAll(async () => {
  await emulators?.stop();
});

async function newTable(): Promise<string> {
  const name = `dedupe-${++tableCount}`;
  await emulators.createTable(name, { partitionKey: 'dedupe_key' });
  return name;
}

// The same decisions from the adapter and from the in-memory fake the pipeline's unit tests use.
describe.each([
  [
    'DynamoDbAlertDeduplicator',
    async () => {
      const tableName = await newTable();
      return () => new DynamoDbAlertDeduplicator({ client: emulators.clients.dynamodb, tableName, retry: fast });
    },
  ],
  [
    'MemoryAlertDeduplicator (fake)',
    async () => {
      const shared = new MemoryAlertDeduplicator(WINDOW);
      return () => shared;
    },
  ],
] as Array<[string, () => Promise<() => AlertDeduplicator>]>)('%s decisions', (_, setUp) => {
  // Each call gives another "invocation" over the same stored state.
  let invocation: () => AlertDeduplicator;

  beforeEach(async () => {
    invocation = await setUp();
  });

  it('notifies the first occurrence of a key and suppresses others within the window', async () => {
    expect(await invocation().claim([alert('a')], NOW)).toEqual(['notify']);
    expect(await invocation().claim([alert('b')], NOW + 1000)).toEqual(['suppress']);
    expect(await invocation().claim([alert('c', 'rule-1|ws-02|203.0.113.10')], NOW + 1000)).toEqual(['notify']);
  });

  it('notifies again when the window has passed', async () => {
    await invocation().claim([alert('a')], NOW);

    expect(await invocation().claim([alert('b')], NOW + WINDOW - 1)).toEqual(['suppress']);
    expect(await invocation().claim([alert('c')], NOW + WINDOW)).toEqual(['notify']);
  });

  it('re-notifies a retried occurrence until it is marked sent, then never again', async () => {
    const dedupe = invocation();
    expect(await dedupe.claim([alert('a')], NOW)).toEqual(['notify']);

    expect(await invocation().claim([alert('a')], NOW + 10)).toEqual(['notify']); // retry: publish may have failed
    await invocation().markSent([alert('a')]);

    expect(await invocation().claim([alert('a')], NOW + 20)).toEqual(['suppress']);
  });

  it('notifies only the first of several occurrences of one key in a call, the same on a retry', async () => {
    const batch = [alert('a'), alert('b'), alert('x', 'other-key'), alert('a'), alert('c')];

    expect(await invocation().claim(batch, NOW)).toEqual(['notify', 'suppress', 'notify', 'suppress', 'suppress']);
    expect(await invocation().claim(batch, NOW + 5)).toEqual(['notify', 'suppress', 'notify', 'suppress', 'suppress']);
  });

  it('ignores markSent from an occurrence that does not own the window', async () => {
    await invocation().claim([alert('a')], NOW);

    await invocation().markSent([alert('b')]);

    expect(await invocation().claim([alert('a')], NOW + 1)).toEqual(['notify']);
  });
});

describe('DynamoDbAlertDeduplicator', () => {
  let tableName: string;

  beforeEach(async () => {
    tableName = await newTable();
  });

  function dedupe(options: Partial<DynamoDbAlertDeduplicatorOptions> = {}): DynamoDbAlertDeduplicator {
    return new DynamoDbAlertDeduplicator({ client: emulators.clients.dynamodb, tableName, retry: fast, ...options });
  }

  async function item(key = 'rule-1|ws-01|203.0.113.10') {
    const { Item } = await emulators.clients.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { dedupe_key: { S: key } }, ConsistentRead: true }),
    );
    return Item;
  }

  it('notifies exactly once when ten invocations claim the same key at once', async () => {
    const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => dedupe().claim([alert(`occ-${i}`)], NOW)));

    expect(decisions.flat().filter((d) => d === 'notify')).toHaveLength(1);
    expect((await item())?.count?.N).toBe('9');
  });

  it('counts each suppressed occurrence once, even when the batch is retried', async () => {
    const batch = [alert('a'), alert('b'), alert('c'), alert('b')];
    await dedupe().claim(batch, NOW);

    await dedupe().claim(batch, NOW + 1);
    await dedupe().claim([alert('d')], NOW + 2);

    const stored = await item();
    expect(stored?.count?.N).toBe('3');
    expect(stored?.counted?.SS?.sort()).toEqual(['b', 'c', 'd']);
  });

  it('counts beyond maxTrackedOccurrences without remembering them (a retry counts those again)', async () => {
    const batch = ['a', 'b', 'c', 'd', 'e'].map((o) => alert(o));
    await dedupe({ maxTrackedOccurrences: 2 }).claim(batch, NOW);

    expect((await item())?.count?.N).toBe('4');
    await dedupe({ maxTrackedOccurrences: 2 }).claim(batch, NOW + 1);

    expect((await item())?.count?.N).toBe('6');
    expect((await item())?.counted?.SS).toHaveLength(2);
  });

  it('starts a fresh window (owner, count, sent) after expiry, with ttl at window end plus slack', async () => {
    await dedupe().claim([alert('a'), alert('b')], NOW);
    await dedupe().markSent([alert('a')]);

    expect(await dedupe().claim([alert('c')], NOW + WINDOW)).toEqual(['notify']);

    const stored = await item();
    expect(stored?.owner?.S).toBe('c');
    expect(stored?.sent?.BOOL).toBe(false);
    expect(stored?.count?.N).toBe('0');
    expect(stored?.counted).toBeUndefined();
    expect(stored?.window_start?.N).toBe(String(NOW + WINDOW));
    expect(stored?.ttl?.N).toBe(String((NOW + 2 * WINDOW + 60 * 60 * 1000) / 1000));
  });

  it('re-decides against the new window when the window is replaced while counting', async () => {
    // Another invocation replaces the window between our failed claim and our count: we re-decide on the new one.
    const racing = faultyDynamoDbClient(emulators.clients.dynamodb);
    let replaced = false;
    racing.stub.on(UpdateItemCommand).callsFake(async (input: ConstructorParameters<typeof UpdateItemCommand>[0]) => {
      if (!replaced && input.UpdateExpression?.startsWith('ADD')) {
        replaced = true;
        await dedupe().claim([alert('new-owner')], NOW + WINDOW + 1);
      }
      return racing.forward.update(input);
    });
    await dedupe().claim([alert('a')], NOW);

    const decisions = await dedupe({ client: racing.client }).claim([alert('b')], NOW + WINDOW - 1);

    expect(decisions).toEqual(['suppress']);
    const stored = await item();
    expect(stored?.owner?.S).toBe('new-owner');
    expect(stored?.counted?.SS).toEqual(['b']);
    expect(stored?.count?.N).toBe('1');
  });

  it('retries throttled updates, then succeeds', async () => {
    const { client, stub, forward } = faultyDynamoDbClient(emulators.clients.dynamodb);
    stub.on(UpdateItemCommand).rejectsOnce(throughputExceeded()).callsFake(forward.update);

    expect(await dedupe({ client }).claim([alert('a')], NOW)).toEqual(['notify']);
  });

  it('throws RetryableDependencyError when throttling outlasts the retries', async () => {
    const { client, stub } = faultyDynamoDbClient(emulators.clients.dynamodb);
    stub.on(UpdateItemCommand).rejects(throughputExceeded());

    await expect(
      dedupe({ client, retry: { ...fast, maxAttempts: 2 } }).claim([alert('a')], NOW),
    ).rejects.toBeInstanceOf(RetryableDependencyError);
    await expect(dedupe({ client, retry: { ...fast, maxAttempts: 2 } }).markSent([alert('a')])).rejects.toBeInstanceOf(
      RetryableDependencyError,
    );
  });

  it('documents its request count: 1 per new key, 2 per open key (dynalite: no ALL_OLD), +1 per counting update', async () => {
    const d = dedupe();
    await d.claim([alert('a')], NOW);
    expect(d.requestCount).toBe(1);

    await d.claim([alert('b'), alert('c')], NOW + 1);

    expect(d.requestCount).toBe(1 + 3); // failed claim, GetItem, one ADD for both
  });
});
