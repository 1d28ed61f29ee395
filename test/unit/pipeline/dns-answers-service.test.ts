/**
 * The dns-answers use case over in-memory ports: answers into the store, the watermark past every record whose
 * answers are all written, the progress before a partial write failure kept, a refused key counted and never the
 * batch's failure.
 */
import { MemoryResolutionStore } from '../../../src/dns/memory-resolution-store.js';
import { type DnsAnswer, PartialWriteError, type RefusedKey, resolutionKey } from '../../../src/dns/resolution.js';
import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import {
  DNS_ANSWERS_CONSUMER,
  DnsAnswersService,
  type RecordPosition,
} from '../../../src/pipeline/dns-answers-service.js';
import { MemoryWatermarkStore } from '../../../src/pipeline/memory-watermark-store.js';

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
class SelectiveStore extends MemoryResolutionStore {
  constructor(
    private readonly failing: ReadonlySet<string>,
    private readonly refusing: ReadonlySet<string> = new Set(),
  ) {
    super();
  }

  override async put(answers: readonly DnsAnswer[]): Promise<{ refused: RefusedKey[] }> {
    const failed = answers.filter((a) => this.failing.has(a.ip)).map((a) => resolutionKey(a.host, a.ip));
    const refused = answers
      .filter((a) => this.refusing.has(a.ip))
      .map((a) => ({ key: resolutionKey(a.host, a.ip), reason: 'ValidationException: item too large' }));
    await super.put(answers.filter((a) => !this.failing.has(a.ip) && !this.refusing.has(a.ip)));
    if (failed.length > 0) throw new PartialWriteError(failed, new Error('throttled'));
    return { refused };
  }
}

describe('DnsAnswersService', () => {
  it('writes every answer and moves the watermark to the last record', async () => {
    const store = new MemoryResolutionStore();
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const result = await new DnsAnswersService({ store, watermarks }).processRecords(records, positions);
    expect(result.failedFrom).toBeUndefined();
    expect(result.summary).toMatchObject({ written: 2, dnsAnswers: 2 });
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)).toEqual({
      arrivalMs: 1_001,
      sequenceNumber: '2',
    });
  });

  it('keeps the progress before the first record whose key failed, and reports the rest for a retry', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4');
    const service = new DnsAnswersService({ store: new SelectiveStore(new Set(['10.0.0.3'])), watermarks });
    const result = await service.processRecords(records, positions);
    expect(result.failedFrom).toBe(2);
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)?.sequenceNumber).toBe('2');
  });

  it('throws when the very first record failed: nothing to keep', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const service = new DnsAnswersService({ store: new SelectiveStore(new Set(['10.0.0.1'])), watermarks });
    await expect(service.processRecords(records, positions)).rejects.toBeInstanceOf(PartialWriteError);
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).size).toBe(0);
  });

  it('counts a key the store refuses for good as rejected and finishes the batch', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { records, positions } = batch('10.0.0.1', '10.0.0.2');
    const store = new SelectiveStore(new Set(), new Set(['10.0.0.2']));
    const result = await new DnsAnswersService({ store, watermarks }).processRecords(records, positions);
    expect(result.failedFrom).toBeUndefined();
    expect(result.summary.rejectedByReason).toEqual({
      'resolution item refused: ValidationException: item too large': 1,
    });
    expect((await watermarks.readPositions(DNS_ANSWERS_CONSUMER)).get(SHARD)?.sequenceNumber).toBe('2');
    expect((await store.get([{ host: 'workstation5', ip: '10.0.0.1' }])).size).toBe(1);
  });
});
