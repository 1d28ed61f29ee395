import {
  PublishBatchCommand,
  type PublishBatchCommandInput,
  type PublishBatchRequestEntry,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import { SnsAlertPublisher, sanitizeSubject } from '../../../lambda/adapters/sns-alert-publisher.js';
import { LIMITS } from '../../../src/limits.js';
import type { AlertNotification } from '../../../src/pipeline/ports.js';
import { recordingSleep } from '../../helpers/aws-fault-injection.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

function notification(i: number, overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    occurrenceId: `shardId-000000000000:4959${i}:rule-1`,
    dedupeKey: `rule-1|ws-${i}|203.0.113.${i}`,
    level: i % 2 === 0 ? 'high' : 'medium',
    ruleId: 'rule-1',
    ruleTitle: 'Suspicious outbound connection',
    host: `ws-${i}.corp.example`,
    time: Date.parse('2026-11-28T06:00:00Z') + i,
    subject: `[high] Suspicious outbound connection on ws-${i}`,
    message: `Suspicious outbound connection\n\n{"n":${i}}`,
    ...overrides,
  };
}

interface SnsEnvelope {
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

describe('SnsAlertPublisher', () => {
  let emulators: Emulators;
  let topicArn: string;
  let queueUrl: string;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['sns-sqs'] });
    topicArn = await emulators.createTopic('alerts');
    queueUrl = await emulators.createQueue('alerts-inbox', { subscribeToTopicArn: topicArn });
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('publishes 25 notifications in 3 requests, each delivered with subject and attributes', async () => {
    const publisher = new SnsAlertPublisher({ client: emulators.clients.sns, topicArn });
    const notifications = Array.from({ length: 25 }, (_, i) => notification(i));

    await publisher.publish(notifications);

    expect(publisher.requestCount).toBe(3);
    const received = await emulators.drainQueue(queueUrl, 25);
    const envelopes = received.map((m) => JSON.parse(m.Body!) as SnsEnvelope);
    expect(envelopes).toHaveLength(25);
    const byMessage = new Map(envelopes.map((e) => [e.Message, e]));
    for (const n of notifications) {
      const e = byMessage.get(n.message);
      expect(e?.Subject).toBe(n.subject);
      expect(e?.MessageAttributes).toEqual({
        level: { Type: 'String', Value: n.level },
        rule_id: { Type: 'String', Value: 'rule-1' },
        host: { Type: 'String', Value: n.host },
      });
    }
  });

  it('publishes nothing for no notifications', async () => {
    const publisher = new SnsAlertPublisher({ client: emulators.clients.sns, topicArn });

    await publisher.publish([]);

    expect(publisher.requestCount).toBe(0);
  });

  it('sanitizes a subject SNS would reject, and SNS accepts it', async () => {
    const publisher = new SnsAlertPublisher({ client: emulators.clients.sns, topicArn });
    const subject = `[high] Résumé.exe\r\nconnected to ${'x'.repeat(200)}`;

    await publisher.publish([notification(99, { subject })]);

    const [message] = await emulators.drainQueue(queueUrl, 1);
    const envelope = JSON.parse(message!.Body!) as SnsEnvelope;
    expect(envelope.Subject).toBe(sanitizeSubject(subject));
    expect(envelope.Subject).toMatch(/^\[high\] R\?sum\?\.exe connected to x+\.\.\.$/);
    expect(envelope.Subject!.length).toBeLessThan(100);
  });

  it.each([
    ['plain', 'Alert on ws-1', 'Alert on ws-1'],
    ['newlines and tabs', 'a\nb\tc\r\nd', 'a b c d'],
    ['non-ASCII', 'ünïcødé 🚨', '?n?c?d? ?'],
    ['leading spaces', '   x', 'x'],
    ['empty', '', ''],
  ])('sanitizeSubject: %s', (_, input, expected) => {
    expect(sanitizeSubject(input)).toBe(expected);
  });

  describe('faults (injected)', () => {
    function faultyClient() {
      const client = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      const stub = mockClient(client);
      const forward = (input: PublishBatchCommandInput) => emulators.clients.sns.send(new PublishBatchCommand(input));
      return { client, stub, forward };
    }

    it('retries only the entries reported Failed, then succeeds', async () => {
      const { client, stub, forward } = faultyClient();
      const requests: PublishBatchCommandInput[] = [];
      stub
        .on(PublishBatchCommand)
        .callsFakeOnce(async (input: PublishBatchCommandInput) => {
          requests.push(input);
          const entries = input.PublishBatchRequestEntries ?? [];
          // Entries 1 and 3 fail (throttled); the rest really go to the emulator.
          const ok = await forward({
            ...input,
            PublishBatchRequestEntries: entries.filter((_, i) => i !== 1 && i !== 3),
          });
          return {
            Successful: ok.Successful,
            Failed: [1, 3].map((i) => ({ Id: entries[i]!.Id, Code: 'Throttling', SenderFault: false })),
          };
        })
        .callsFake(async (input: PublishBatchCommandInput) => {
          requests.push(input);
          return forward(input);
        });
      const { sleep, delays } = recordingSleep();
      const publisher = new SnsAlertPublisher({ client, topicArn, retry: { ...fast, sleep } });
      const notifications = Array.from({ length: 5 }, (_, i) => notification(200 + i));

      await publisher.publish(notifications);

      expect(requests.map((r) => r.PublishBatchRequestEntries?.map((e) => e.Id))).toEqual([
        ['0', '1', '2', '3', '4'],
        ['1', '3'],
      ]);
      expect(delays).toHaveLength(1);
      const received = await emulators.drainQueue(queueUrl, 5);
      expect(received.map((m) => (JSON.parse(m.Body!) as SnsEnvelope).Message).sort()).toEqual(
        notifications.map((n) => n.message).sort(),
      );
    });

    it('throws RetryableDependencyError when entries keep failing', async () => {
      const { client, stub } = faultyClient();
      stub.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => ({
        Successful: [],
        Failed: (input.PublishBatchRequestEntries ?? []).map((e) => ({
          Id: e.Id,
          Code: 'InternalError',
          SenderFault: false,
        })),
      }));
      const publisher = new SnsAlertPublisher({ client, topicArn, retry: { ...fast, maxAttempts: 3 } });

      const publish = publisher.publish([notification(1)]);

      await expect(publish).rejects.toBeInstanceOf(RetryableDependencyError);
      await expect(publish).rejects.toThrow(/1 entries still failing after 3 attempts \(InternalError\)/);
      expect(publisher.requestCount).toBe(3);
    });

    it('returns an entry refused as the sender’s fault, without retrying it or throwing', async () => {
      const { client, stub } = faultyClient();
      stub.on(PublishBatchCommand).resolves({
        Successful: [],
        Failed: [{ Id: '0', Code: 'InvalidParameter', SenderFault: true, Message: 'bad attribute' }],
      });
      const publisher = new SnsAlertPublisher({ client, topicArn, retry: fast });

      const outcome = await publisher.publish([notification(1)]);

      expect(outcome.refused.map((r) => [r.notification.occurrenceId, r.reason])).toEqual([
        [notification(1).occurrenceId, 'InvalidParameter bad attribute'],
      ]);
      expect(publisher.requestCount).toBe(1);
    });

    it('publishes the other entries of a request with an entry refused as the sender’s fault', async () => {
      const { client, stub, forward } = faultyClient();
      const requests: string[][] = [];
      stub.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => {
        const entries = input.PublishBatchRequestEntries ?? [];
        requests.push(entries.map((e) => e.Id!));
        // Entry 1 is refused (as SNS refuses a bad attribute); the rest really go to the emulator.
        const ok = await forward({ ...input, PublishBatchRequestEntries: entries.filter((e) => e.Id !== '1') });
        return {
          Successful: ok.Successful,
          Failed: [{ Id: '1', Code: 'InvalidParameter', SenderFault: true, Message: 'bad attribute' }],
        };
      });
      const publisher = new SnsAlertPublisher({ client, topicArn, retry: fast });
      const notifications = [notification(301), notification(302), notification(303)];

      const result = await publisher.publish(notifications);

      expect(result.refused).toEqual([{ notification: notifications[1], reason: 'InvalidParameter bad attribute' }]);
      expect(requests).toEqual([['0', '1', '2']]);
      const received = await emulators.drainQueue(queueUrl, 2);
      expect(received.map((m) => (JSON.parse(m.Body!) as SnsEnvelope).Message).sort()).toEqual(
        [notifications[0]!.message, notifications[2]!.message].sort(),
      );
    });

    it('names a refused entry of a later chunk by its notification, not by its position in the chunk', async () => {
      const { client, stub, forward } = faultyClient();
      stub.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => {
        const entries = input.PublishBatchRequestEntries ?? [];
        // The second chunk (notifications 10 and 11) has its entry '1' refused.
        const refuse = entries.length === 2 ? ['1'] : [];
        const ok = await forward({
          ...input,
          PublishBatchRequestEntries: entries.filter((e) => !refuse.includes(e.Id!)),
        });
        return {
          Successful: ok.Successful,
          Failed: refuse.map((Id) => ({ Id, Code: 'InvalidParameter', SenderFault: true })),
        };
      });
      const publisher = new SnsAlertPublisher({ client, topicArn, retry: fast });
      const notifications = Array.from({ length: 12 }, (_, i) => notification(400 + i));

      const result = await publisher.publish(notifications);

      expect(result.refused).toEqual([{ notification: notifications[11], reason: 'InvalidParameter' }]);
      expect(publisher.requestCount).toBe(2);
      expect(await emulators.drainQueue(queueUrl, 11)).toHaveLength(11);
    });
  });

  /** A client of its own on the emulator, recording the entries of every PublishBatch it sends. */
  function recordingClient(): { client: SNSClient; requests: PublishBatchRequestEntry[][] } {
    const sns = new SNSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      endpoint: emulators.endpoints.snsSqs,
    });
    const requests: PublishBatchRequestEntry[][] = [];
    sns.middlewareStack.add(
      (next) => async (args) => {
        requests.push((args.input as PublishBatchCommandInput).PublishBatchRequestEntries ?? []);
        return next(args);
      },
      { step: 'initialize', name: 'recordPublishBatch' },
    );
    return { client: sns, requests };
  }

  it('returns a message the emulator refuses (over 256 KiB) in refused, sent once, and publishes the others', async () => {
    // fauxqs reports a PublishBatch entry over 256 KiB as Failed, InvalidParameter "Message too long", SenderFault.
    const { client, requests } = recordingClient();
    const publisher = new SnsAlertPublisher({ client, topicArn, retry: fast });
    const tooLong = 'x'.repeat(256 * 1024 + 1);
    const notifications = [notification(501), notification(502, { message: tooLong })];

    const result = await publisher.publish(notifications);

    expect(result.refused).toEqual([
      { notification: notifications[1], reason: expect.stringMatching(/^InvalidParameter Message too long/) },
    ]);
    expect(requests.flat().filter((e) => e.Message === tooLong)).toHaveLength(1);
    const received = await emulators.drainQueue(queueUrl, 1);
    expect(received.map((m) => (JSON.parse(m.Body!) as SnsEnvelope).Message)).toEqual([notifications[0]!.message]);
    client.destroy();
  });

  it('keeps each PublishBatch within 256 KiB in all (UTF-8 bytes of messages, subjects and attributes)', async () => {
    // fauxqs does not check a batch's total (SNS refuses one over 256 KiB as a whole): measured on the way out.
    const { client, requests } = recordingClient();
    const publisher = new SnsAlertPublisher({ client, topicArn, retry: fast });
    // Two bytes per 'é': ~200,000 bytes each, so a packer that counted characters would put two in one request.
    const notifications = Array.from({ length: 3 }, (_, i) =>
      notification(600 + i, { message: `${i}:${'é'.repeat(LIMITS.notificationBytes / 2 - 10)}` }),
    );

    const result = await publisher.publish(notifications);

    expect(result.refused).toEqual([]);
    expect(requests).toHaveLength(3);
    for (const entries of requests) {
      const bytes = entries.reduce(
        (sum, e) =>
          sum +
          Buffer.byteLength(e.Message ?? '', 'utf8') +
          Buffer.byteLength(e.Subject ?? '', 'utf8') +
          Object.entries(e.MessageAttributes ?? {}).reduce(
            (n, [name, a]) => n + Buffer.byteLength(name + (a.DataType ?? '') + (a.StringValue ?? ''), 'utf8'),
            0,
          ),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    const received = await emulators.drainQueue(queueUrl, 3);
    expect(received.map((m) => (JSON.parse(m.Body!) as SnsEnvelope).Message).sort()).toEqual(
      notifications.map((n) => n.message).sort(),
    );
    client.destroy();
  });
});
