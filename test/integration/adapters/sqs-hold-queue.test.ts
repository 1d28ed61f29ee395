import {
  CreateQueueCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import { SqsHoldQueue, type SqsHoldQueueOptions } from '../../../lambda/adapters/sqs-hold-queue.js';
import { SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { LIMITS } from '../../../src/limits.js';
import { decodeHeld, encodeHoldMessages } from '../../../src/pipeline/held-codec.js';
import type { HeldConnection } from '../../../src/pipeline/ports.js';
import { recordingSleep } from '../../helpers/aws-fault-injection.js';
import { EMULATOR_CREDENTIALS, type Emulators, startEmulators } from '../../helpers/emulators.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const T0 = Date.parse('2026-11-28T06:00:00Z');
/** What SQS refuses as a whole: a SendMessageBatch whose bodies exceed 256 KiB in all (src/limits.ts). */
const SQS_BATCH_BYTES = 256 * 1024;

function held(i: number, data: Record<string, string> = {}): HeldConnection {
  return {
    id: `shardId-000000000001:4959${i}:0`,
    sequence: `4959${i}`,
    event: {
      host: 'ws-01.corp.example',
      channel: SYSMON_CHANNEL,
      provider: 'Microsoft-Windows-Sysmon',
      eventId: 3,
      time: T0 + i,
      format: 'evtx-json',
      data: { DestinationIp: `203.0.113.${i}`, DestinationPort: '443', ...data },
    },
    origin: 'stream',
    arrival: T0,
    firstHeldAt: T0,
    round: 1,
  };
}

interface SentRequest {
  ids: string[];
  bytes: number;
  delays: (number | undefined)[];
}

describe('SqsHoldQueue', () => {
  let emulators: Emulators;
  let queueCount = 0;
  let queueUrl: string;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['sns-sqs'] });
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  // A fresh queue per test: each drains only its own messages.
  beforeEach(async () => {
    queueUrl = await emulators.createQueue(`hold-${++queueCount}`);
  });

  /**
   * A client of its own on the emulator, recording every SendMessageBatch it sends; `fault` may stand in for the
   * emulator (return a result) or change the request (call `next` itself).
   */
  function client(
    fault?: (
      input: SendMessageBatchCommandInput,
      next: (input: SendMessageBatchCommandInput) => Promise<SendMessageBatchCommandOutput>,
    ) => Promise<SendMessageBatchCommandOutput>,
  ): { client: SQSClient; requests: SentRequest[] } {
    const sqs = new SQSClient({
      region: 'us-east-1',
      credentials: EMULATOR_CREDENTIALS,
      endpoint: emulators.endpoints.snsSqs,
      useQueueUrlAsEndpoint: false,
    });
    const requests: SentRequest[] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const entries: SendMessageBatchRequestEntry[] = input.Entries ?? [];
        requests.push({
          ids: entries.map((e) => e.Id!),
          bytes: entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? '', 'utf8'), 0),
          delays: entries.map((e) => e.DelaySeconds),
        });
        if (fault === undefined) return next(args);
        let response: unknown;
        const output = await fault(input, async (changed) => {
          const result = await next({ ...args, input: changed });
          response = result.response;
          return result.output as SendMessageBatchCommandOutput;
        });
        return { output, response } as Awaited<ReturnType<typeof next>>;
      },
      { step: 'initialize', name: 'recordSendMessageBatch' },
    );
    return { client: sqs, requests };
  }

  function queue(sqs: SQSClient, options: Partial<SqsHoldQueueOptions> = {}): SqsHoldQueue {
    return new SqsHoldQueue({ client: sqs, queueUrl, retry: fast, ...options });
  }

  async function received(count: number): Promise<string[]> {
    const messages = await emulators.drainQueue(queueUrl, count);
    return messages.map((m) => m.Body!);
  }

  it('packs at most 10 bodies into one request', async () => {
    const { client: sqs, requests } = client();
    const bodies = Array.from({ length: 25 }, (_, i) => `{"v":2,"held":[],"n":${i}}`);

    const result = await queue(sqs).send(bodies, 0);

    expect(result).toEqual({ refused: [] });
    expect(requests.map((r) => r.ids.length)).toEqual([10, 10, 5]);
    expect((await received(25)).sort()).toEqual([...bodies].sort());
  });

  it('packs by total UTF-8 bytes too: no request over 256 KiB for bodies of ~100 KB each', async () => {
    const { client: sqs, requests } = client();
    // Three bytes per '€': a packer that counted characters would put seven bodies (700 KB) into one request.
    const bodies = Array.from({ length: 25 }, (_, i) => `${String(i).padStart(2, '0')}:${'€'.repeat(33_333)}`);
    expect(Buffer.byteLength(bodies[0]!, 'utf8')).toBe(100_002);

    const result = await queue(sqs).send(bodies, 0);

    expect(result).toEqual({ refused: [] });
    for (const request of requests) {
      expect(request.ids.length).toBeLessThanOrEqual(10);
      expect(request.bytes).toBeLessThanOrEqual(SQS_BATCH_BYTES);
      expect(request.bytes).toBeLessThanOrEqual(LIMITS.sendMessageBatchBytes);
    }
    // Two per request (three would be 300 KB): 13 requests, not 25 (one each) nor 3 (by count alone).
    expect(requests).toHaveLength(13);
    expect(requests.flatMap((r) => r.ids)).toEqual(bodies.map((_, i) => String(i)));
    expect((await received(25)).sort()).toEqual([...bodies].sort());
  });

  it('honours a smaller maxBatchBytes', async () => {
    const { client: sqs, requests } = client();
    const bodies = ['a'.repeat(400), 'b'.repeat(400), 'c'.repeat(400), 'd'.repeat(1200)];

    await queue(sqs, { maxBatchBytes: 1000 }).send(bodies, 0);

    // A body larger than the budget still goes, alone.
    expect(requests.map((r) => r.ids)).toEqual([['0', '1'], ['2'], ['3']]);
    expect(await received(4)).toHaveLength(4);
  });

  it('sends the delay in whole seconds, capped at SQS’s 900', async () => {
    const { client: sqs, requests } = client();

    await queue(sqs).send(['a'], 1500);
    await queue(sqs).send(['b'], 3_600_000);

    expect(requests.map((r) => r.delays)).toEqual([[2], [900]]);
  });

  it('sends a body encodeHoldMessages made from U+FFFF and multi-byte text, read back equal by decodeHeld', async () => {
    const { client: sqs } = client();
    // Two- and three-byte UTF-8 only: fauxqs 1.9.2 refuses every character outside the BMP (its check runs over
    // UTF-16 units, so a surrogate pair fails it) although SQS accepts #x10000-#x10FFFF.
    const items = [
      held(2, { CommandLine: 'a\uffffb\ufffec', User: 'CORP\\jürgen' }),
      held(1, { Image: 'C:\\Users\\東京\\€.exe', QueryName: 'ελλάδα.example' }),
    ];
    const { bodies, tooLarge } = encodeHoldMessages(items);
    expect(tooLarge).toEqual([]);
    expect(bodies).toHaveLength(1);

    const result = await queue(sqs).send(bodies, 0);

    expect(result).toEqual({ refused: [] });
    const [body] = await received(1);
    expect(body).toBe(bodies[0]);
    expect(decodeHeld(body!)).toEqual({ ok: true, items: [items[1], items[0]] });
  });

  it('returns the bodies SQS refuses by index with the reason, and sends the others without retrying', async () => {
    // fauxqs refuses a body with U+FFFF (InvalidMessageContents) and one over the queue's MaximumMessageSize
    // (InvalidParameterValue), each as a Failed entry with SenderFault true. Its default size is 1 MiB (AWS's
    // current one), so the queue is made with the 256 KiB that src/limits.ts assumes.
    const { QueueUrl } = await emulators.clients.sqs.send(
      new CreateQueueCommand({ QueueName: `hold-small-${queueCount}`, Attributes: { MaximumMessageSize: '262144' } }),
    );
    queueUrl = QueueUrl!;
    const { client: sqs, requests } = client();
    const ok = encodeHoldMessages([held(1, { CommandLine: '\uffff' })]).bodies;
    const bodies = [ok[0]!, '{"v":2,"held":[],"raw":"\uffff"}', '{"v":2,"held":[]}', 'x'.repeat(262_145)];

    const result = await queue(sqs).send(bodies, 0);

    expect(result.refused).toEqual([
      { index: 1, reason: expect.stringMatching(/^InvalidMessageContents Invalid characters found/) },
      { index: 3, reason: expect.stringMatching(/^InvalidParameterValue .*shorter than 262144 bytes/) },
    ]);
    expect(requests.map((r) => r.ids)).toEqual([['0', '1', '2'], ['3']]);
    expect((await received(2)).sort()).toEqual([bodies[0], bodies[2]].sort());
  });

  // Was a bug (found by this test): a body too long for any request was sent alone and SQS refused the whole
  // request (BatchRequestTooLong); the adapter threw instead of returning it as refused.
  it('returns a body refused with the whole request (BatchRequestTooLong) as refused, not thrown', async () => {
    const { client: sqs, requests } = client();
    const bodies = ['{"v":2,"held":[]}', 'x'.repeat(1_100_000)];

    const result = await queue(sqs).send(bodies, 0);

    expect(requests.map((r) => r.ids)).toEqual([['0'], ['1']]);
    expect(result.refused).toEqual([{ index: 1, reason: expect.stringMatching(/^BatchRequestTooLong/) }]);
    expect(await received(1)).toEqual([bodies[0]]);
  });

  it('retries an entry reported Failed without sender fault (throttled), and only that entry', async () => {
    let injected = false;
    const { client: sqs, requests } = client(async (input, next) => {
      if (injected) return next(input);
      injected = true;
      // Entry 1 is throttled; the others really go to the emulator.
      const output = await next({ ...input, Entries: input.Entries?.filter((e) => e.Id !== '1') });
      return {
        ...output,
        Failed: [...(output.Failed ?? []), { Id: '1', Code: 'ThrottlingException', SenderFault: false }],
      };
    });
    const { sleep, delays } = recordingSleep();
    const operations: string[] = [];
    const bodies = ['{"n":0}', '{"n":1}', '{"n":2}'];

    const result = await queue(sqs, { retry: { ...fast, sleep }, onRequest: (op) => operations.push(op) }).send(
      bodies,
      0,
    );

    expect(result).toEqual({ refused: [] });
    expect(requests.map((r) => r.ids)).toEqual([['0', '1', '2'], ['1']]);
    expect(operations).toEqual(['SendMessageBatch', 'SendMessageBatch']);
    expect(delays).toHaveLength(1);
    expect((await received(3)).sort()).toEqual(bodies);
  });

  it('throws RetryableDependencyError when an entry keeps failing without sender fault', async () => {
    const { client: sqs, requests } = client(async (input) => ({
      $metadata: {},
      Successful: [],
      Failed: (input.Entries ?? []).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    }));

    const send = queue(sqs, { retry: { ...fast, maxAttempts: 3 } }).send(['{"n":0}'], 0);

    await expect(send).rejects.toBeInstanceOf(RetryableDependencyError);
    await expect(send).rejects.toThrow(/sqs:SendMessageBatch: 1 entries still failing/);
    expect(requests).toHaveLength(3);
  });
});
