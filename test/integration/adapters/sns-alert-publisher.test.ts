import { PublishBatchCommand, type PublishBatchCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import { SnsAlertPublisher, sanitizeSubject } from '../../../lambda/adapters/sns-alert-publisher.js';
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
  });
});
