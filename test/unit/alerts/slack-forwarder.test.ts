/**
 * The Slack forwarder's edges (lambda/slack-forwarder): SNS envelope, webhook post, cached secret, one record.
 * Kept here with the message tests because the forwarder is the alert path's only consumer of them.
 */

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { MissingConfigurationError } from '../../../lambda/config.js';
import { forwardRecord } from '../../../lambda/slack-forwarder/forward-record.js';
import { postToSlack, SlackDeliveryError } from '../../../lambda/slack-forwarder/slack-webhook.js';
import { notificationFromSqsBody } from '../../../lambda/slack-forwarder/sns-envelope.js';
import { WebhookUrl, webhookUrlFromSecret } from '../../../lambda/slack-forwarder/webhook-url.js';

const URL_TEXT = 'https://hooks.slack.invalid/services/T000/B000/XXXX';

function fakeFetch(status: number, body = ''): { fetch: typeof fetch; calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status });
  }) as unknown as typeof fetch;
  return { fetch: fetchImpl, calls };
}

describe('notificationFromSqsBody', () => {
  it('reads subject, message and string attributes from the SNS envelope', () => {
    const body = JSON.stringify({
      Type: 'Notification',
      Subject: '[high] x',
      Message: 'text',
      MessageAttributes: { level: { Type: 'String', Value: 'high' }, n: { Type: 'Number' } },
    });
    expect(notificationFromSqsBody(body)).toEqual({
      subject: '[high] x',
      message: 'text',
      attributes: { level: 'high' },
    });
  });

  it.each([['not json'], ['{"no":"message"}'], ['42']])('treats %s as the message text', (body) => {
    expect(notificationFromSqsBody(body)).toEqual({ message: body });
  });
});

describe('postToSlack', () => {
  it('posts JSON and resolves on 2xx', async () => {
    const { fetch, calls } = fakeFetch(200, 'ok');
    await postToSlack(URL_TEXT, { text: 'hi' }, { fetch });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.body).toBe('{"text":"hi"}');
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it.each([
    [429, false],
    [500, false],
    [503, false],
    [400, true],
    [403, true],
    [404, true],
    [410, true],
  ])('throws on HTTP %i (permanent: %s)', async (status, permanent) => {
    const { fetch } = fakeFetch(status, 'no_service');
    await expect(postToSlack(URL_TEXT, {}, { fetch })).rejects.toMatchObject({
      name: 'SlackDeliveryError',
      status,
      permanent,
    });
  });

  it('throws a transient error when the request fails or times out', async () => {
    const failing = (async () => {
      throw new Error('The operation was aborted due to timeout');
    }) as unknown as typeof fetch;
    await expect(postToSlack(URL_TEXT, {}, { fetch: failing })).rejects.toMatchObject({
      status: undefined,
      permanent: false,
    });
  });
});

describe('webhook URL', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  beforeEach(() => secretsManager.reset());

  it.each([
    [URL_TEXT, URL_TEXT],
    [`  ${URL_TEXT}\n`, URL_TEXT],
    [JSON.stringify({ url: URL_TEXT }), URL_TEXT],
    [JSON.stringify({ webhookUrl: URL_TEXT }), URL_TEXT],
  ])('reads %j', (secret, expected) => {
    expect(webhookUrlFromSecret(secret, 'arn')).toBe(expected);
  });

  it.each([['http://insecure.invalid/x'], ['not a url'], ['{"url": 3}'], ['{broken']])('rejects %j', (secret) => {
    expect(() => webhookUrlFromSecret(secret, 'arn')).toThrow(MissingConfigurationError);
  });

  it('fetches once per TTL and again after invalidate', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: URL_TEXT });
    let now = 0;
    const url = new WebhookUrl({
      client: new SecretsManagerClient({}),
      secretArn: 'arn:secret',
      ttlMs: 1000,
      now: () => now,
    });
    await url.get();
    await url.get();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1000;
    await url.get();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    url.invalidate();
    await url.get();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'arn:secret' });
  });
});

describe('forwardRecord', () => {
  const record = (body: string) => ({ messageId: 'm1', body }) as SQSRecord;

  it('posts the Block Kit message of the notification', async () => {
    const { fetch, calls } = fakeFetch(200);
    const webhookUrl = { get: async () => URL_TEXT, invalidate: jest.fn() };
    await forwardRecord(record(JSON.stringify({ Subject: 'S', Message: 'M' })), { webhookUrl, post: { fetch } });
    expect(JSON.parse(String(calls[0]?.init.body))).toMatchObject({ text: ':grey_question: S' });
    expect(webhookUrl.invalidate).not.toHaveBeenCalled();
  });

  it('forgets the URL and throws on a permanent failure, so the record is retried then dead-lettered', async () => {
    const { fetch } = fakeFetch(404, 'no_service');
    const webhookUrl = { get: async () => URL_TEXT, invalidate: jest.fn() };
    await expect(forwardRecord(record('x'), { webhookUrl, post: { fetch } })).rejects.toBeInstanceOf(
      SlackDeliveryError,
    );
    expect(webhookUrl.invalidate).toHaveBeenCalledTimes(1);
  });

  it('keeps the URL and throws on 429', async () => {
    const { fetch } = fakeFetch(429);
    const webhookUrl = { get: async () => URL_TEXT, invalidate: jest.fn() };
    await expect(forwardRecord(record('x'), { webhookUrl, post: { fetch } })).rejects.toMatchObject({ status: 429 });
    expect(webhookUrl.invalidate).not.toHaveBeenCalled();
  });
});
