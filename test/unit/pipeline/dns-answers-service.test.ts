/**
 * The dns-answers use case over in-memory ports: answers into the store, the watermark past every record whose
 * answers are all written, the progress before a partial write failure kept, a refused key counted and never the
 * batch's failure.
 */
import { resolutionKey, resolutionSchema } from '../../../src/dns/resolution-state.js';
import { createHooks } from '../../../src/hooks/index.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import {
  DNS_ANSWERS_CONSUMER,
  DnsAnswersService,
  NOTHING_PICKED,
  type RecordPosition,
} from '../../../src/pipeline/dns-answers-service.js';
import { MemoryWatermarkStore } from '../../../src/pipeline/memory-watermark-store.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import {
  PartialWriteError,
  type RefusedKey,
  type StateItem,
  type StateSchema,
  type StateStore,
} from '../../../src/state/state-store.js';

/** The two DNS hooks (this file is about them; other registered hooks are tested with their own). */
const hooks = createHooks({}, ['dns-answers', 'netconn-hostname']);

const SHARD = 'shardId-000000000000';
const T0 = Date.UTC(2020, 9, 22, 5, 54, 21, 520);

function answer(ip: string, name: string): Uint8Array {
  const event = {
    Event: {
      System: {
        Provider: { Name: 'Microsoft-Windows-Sysmon' },
        EventID: 22,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'WORKSTATION5',
      },
      EventData: {
        UtcTime: new Date(T0).toISOString().replace('T', ' ').slice(0, 23),
        ProcessGuid: '{39e4a257-1e6c-5f91-c712-000000000700}',
        ProcessId: '6708',
        QueryName: name,
        QueryStatus: '0',
        QueryResults: `::ffff:${ip};`,
      },
    },
  };
  return new TextEncoder().encode(JSON.stringify(event));
}

function batch(...ips: string[]): { records: InputRecord[]; positions: RecordPosition[] } {
  const records = ips.map((ip, i) => ({
    origin: `${SHARD}/${i + 1}`,
    data: answer(ip, `host${i}.example.com`),
    arrival: 1_000 + i,
    sequence: String(i + 1),
  }));
  const positions = records.map((r, i) => ({ shardId: SHARD, arrival: r.arrival, sequenceNumber: String(i + 1) }));
  return { records, positions };
}

/** A store that fails (retryably) or refuses (for good) the keys of chosen addresses, and writes the others. */
class SelectiveStore extends MemoryStateStore {
  readonly #failing: ReadonlySet<string>;
  readonly #refusing: ReadonlySet<string>;

  constructor(failing: readonly string[], refusing: readonly string[] = []) {
    super();
    this.#failing = new Set(failing.map((ip) => resolutionKey('workstation5', ip)));
    this.#refusing = new Set(refusing.map((ip) => resolutionKey('workstation5', ip)));
  }

  override async put<Value>(
    schema: StateSchema<Value>,
    items: readonly StateItem<Value>[],
  ): Promise<{ refused: RefusedKey[] }> {
    const failed = items.filter((item) => this.#failing.has(item.key)).map((item) => item.key);
    const refused = items
      .filter((item) => this.#refusing.has(item.key))
      .map((item) => ({ key: item.key, reason: 'ValidationException: item too large' }));
    await super.put(
      schema,
      items.filter((item) => !this.#failing.has(item.key) && !this.#refusing.has(item.key)),
    );
    if (failed.length > 0) throw new PartialWriteError(failed, new Error('throttled'));
    return { refused };
  }
}

function service(store: StateStore, watermarks: MemoryWatermarkStore): DnsAnswersService {
  return new DnsAnswersService({ hooks, store, watermarks });
}

describe('DnsAnswersService', () => {
  it('writes every answer and moves the watermark to the last record', async () => {
    const store = new MemoryStateStore();
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const result = await service(store, watermarks).processRecords(records, positions);
    expect(result.failedFrom).toBeUndefined();
    expect(result.summary).toMatchObject({ written: 2, dnsAnswers: 2, filtered: 0 });
    expect(result.summary.hooks).toEqual({
      'dns-answers': { answerEvents: 2, answers: 2, ipsDropped: 0, cnamesDropped: 0 },
    });
    const keys = [resolutionKey('workstation5', '10.0.0.1'), resolutionKey('workstation5', '10.0.0.2')];
    expect([...(await store.get(resolutionSchema(), keys)).keys()]).toEqual(keys);
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)).toEqual({
      arrivalMs: 1_001,
      sequenceNumber: '2',
    });
  });

  it('keeps the progress before the first record whose key failed, and reports the rest for a retry', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4');
    const result = await service(new SelectiveStore(['10.0.0.3']), watermarks).processRecords(records, positions);
    expect(result.failedFrom).toBe(2);
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)?.sequenceNumber).toBe('2');
  });

  it('throws when the very first record failed: nothing to keep', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const failing = service(new SelectiveStore(['10.0.0.1']), watermarks);
    await expect(failing.processRecords(records, positions)).rejects.toBeInstanceOf(PartialWriteError);
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).size).toBe(0);
  });

  it('counts a key the store refuses for good as rejected and finishes the batch', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const store = new SelectiveStore([], ['10.0.0.2']);
    const result = await service(store, watermarks).processRecords(records, positions);
    expect(result.failedFrom).toBeUndefined();
    expect(result.summary.rejectedByReason).toEqual({
      'dns state item refused: ValidationException: item too large': 1,
    });
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)?.sequenceNumber).toBe('2');
    expect((await store.get(resolutionSchema(), [resolutionKey('workstation5', '10.0.0.1')])).size).toBe(1);
  });

  it('runs only the hooks that persist what they pick, and counts an event none of them took as filtered', async () => {
    const store = new MemoryStateStore();
    const { records } = batch('10.0.0.1');
    const connection = {
      origin: `${SHARD}/9`,
      arrival: 2_000,
      data: new TextEncoder().encode(
        JSON.stringify({
          Event: {
            System: {
              Provider: { Name: 'Microsoft-Windows-Sysmon' },
              EventID: 3,
              Channel: 'Microsoft-Windows-Sysmon/Operational',
              Computer: 'WORKSTATION5',
            },
            EventData: { UtcTime: '2020-10-22 05:54:21.600', DestinationIp: '10.0.0.1', DestinationHostname: '-' },
          },
        }),
      ),
    };
    const result = await service(store, new MemoryWatermarkStore()).processRecords([...records, connection], []);
    expect(result.summary).toMatchObject({ written: 1, filtered: 1, filteredByReason: { [NOTHING_PICKED]: 1 } });
    // netconn-hostname (a poke hook that persists nothing) did not run here.
    expect(Object.keys(result.summary.hooks)).toEqual(['dns-answers']);
  });
});
