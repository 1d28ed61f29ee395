import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableDependencyError } from '../../../lambda/adapters/errors.js';
import { S3ObjectWriter } from '../../../lambda/adapters/s3-object-writer.js';
import { recordingSleep } from '../../helpers/aws-fault-injection.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

const BUCKET = 'hookstream-events';
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

function internalError(): S3ServiceException {
  return new S3ServiceException({
    name: 'InternalError',
    message: 'injected: we encountered an internal error',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

describe('S3ObjectWriter', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['s3'] });
    await emulators.createBucket(BUCKET);
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  async function read(key: string) {
    const got = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { body: Buffer.from(await got.Body!.transformToByteArray()), got };
  }

  it('writes byte-identical objects with content type and encoding', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET });
    const body = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 255);
    const key = 'events/dt=2026-11-28/hour=06/batch-1.jsonl.gz';

    await writer.put(key, body, { contentType: 'application/x-ndjson', contentEncoding: 'gzip' });

    const { body: stored, got } = await read(key);
    expect(stored.equals(Buffer.from(body))).toBe(true);
    expect(got.ContentType).toBe('application/x-ndjson');
    expect(got.ContentEncoding).toBe('gzip');
    expect(writer.requestCount).toBe(1);
  });

  it('writes a view into a larger buffer without the bytes around it', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET });
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);

    await writer.put('views/slice.bin', backing.subarray(2, 5), { contentType: 'application/octet-stream' });

    expect([...(await read('views/slice.bin')).body]).toEqual([1, 2, 3]);
  });

  it('replaces an existing object (a retried batch overwrites its own output)', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET });
    await writer.put('overwrite.txt', Buffer.from('first'), { contentType: 'text/plain' });

    await writer.put('overwrite.txt', Buffer.from('second'), { contentType: 'text/plain' });

    expect((await read('overwrite.txt')).body.toString()).toBe('second');
  });

  it('deletes an object', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET });
    await writer.put('stale/attempt-1.jsonl', Buffer.from('stale'), { contentType: 'application/x-ndjson' });
    await writer.put('stale/attempt-1.jsonl.keep', Buffer.from('kept'), { contentType: 'application/x-ndjson' });
    const operations: string[] = [];
    const deleting = new S3ObjectWriter({
      client: emulators.clients.s3,
      bucket: BUCKET,
      onRequest: (op) => operations.push(op),
    });

    await deleting.delete('stale/attempt-1.jsonl');

    await expect(read('stale/attempt-1.jsonl')).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect((await read('stale/attempt-1.jsonl.keep')).body.toString()).toBe('kept');
    expect(operations).toEqual(['DeleteObject']);
    expect(deleting.requestCount).toBe(1);
  });

  it('succeeds in deleting a key that does not exist (and one already deleted)', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET });
    await writer.put('twice.txt', Buffer.from('x'), { contentType: 'text/plain' });

    await expect(writer.delete('never/written.jsonl.gz')).resolves.toBeUndefined();
    await writer.delete('twice.txt');
    await expect(writer.delete('twice.txt')).resolves.toBeUndefined();

    await expect(read('twice.txt')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('does not hide a delete that fails (a missing bucket is not a missing key)', async () => {
    const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: 'no-such-bucket', retry: fast });

    await expect(writer.delete('x.txt')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  describe('faults (injected)', () => {
    function faultyClient() {
      const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      const stub = mockClient(client);
      const forward = (input: ConstructorParameters<typeof PutObjectCommand>[0]) =>
        emulators.clients.s3.send(new PutObjectCommand(input));
      return { client, stub, forward };
    }

    it('retries 500s, then succeeds', async () => {
      const { client, stub, forward } = faultyClient();
      stub.on(PutObjectCommand).rejectsOnce(internalError()).rejectsOnce(internalError()).callsFake(forward);
      const { sleep, delays } = recordingSleep();
      const writer = new S3ObjectWriter({ client, bucket: BUCKET, retry: { ...fast, sleep } });

      await writer.put('retried.txt', Buffer.from('ok'), { contentType: 'text/plain' });

      expect((await read('retried.txt')).body.toString()).toBe('ok');
      expect(delays).toHaveLength(2);
      expect(writer.requestCount).toBe(3);
    });

    it('retries a delete that fails with a 500, then deletes', async () => {
      await new S3ObjectWriter({ client: emulators.clients.s3, bucket: BUCKET }).put(
        'retried-delete.txt',
        Buffer.from('x'),
        {
          contentType: 'text/plain',
        },
      );
      const { client, stub } = faultyClient();
      stub
        .on(DeleteObjectCommand)
        .rejectsOnce(internalError())
        .callsFake((input: ConstructorParameters<typeof DeleteObjectCommand>[0]) =>
          emulators.clients.s3.send(new DeleteObjectCommand(input)),
        );
      const { sleep, delays } = recordingSleep();
      const writer = new S3ObjectWriter({ client, bucket: BUCKET, retry: { ...fast, sleep } });

      await writer.delete('retried-delete.txt');

      await expect(read('retried-delete.txt')).rejects.toMatchObject({ name: 'NoSuchKey' });
      expect(delays).toHaveLength(1);
      expect(writer.requestCount).toBe(2);
    });

    it('throws RetryableDependencyError when 500s outlast the retries', async () => {
      const { client, stub } = faultyClient();
      stub.on(PutObjectCommand).rejects(internalError());
      const writer = new S3ObjectWriter({ client, bucket: BUCKET, retry: { ...fast, maxAttempts: 3 } });

      const put = writer.put('never.txt', Buffer.from('x'), { contentType: 'text/plain' });

      await expect(put).rejects.toBeInstanceOf(RetryableDependencyError);
      await expect(put).rejects.toThrow(/s3:PutObject: still failing after 3 attempts: InternalError/);
      expect(writer.requestCount).toBe(3);
    });

    it('does not retry client errors such as a missing bucket', async () => {
      const writer = new S3ObjectWriter({ client: emulators.clients.s3, bucket: 'no-such-bucket', retry: fast });

      const put = writer.put('x.txt', Buffer.from('x'), { contentType: 'text/plain' });

      await expect(put).rejects.toThrow();
      await expect(put).rejects.not.toBeInstanceOf(RetryableDependencyError);
      expect(writer.requestCount).toBe(1);
    });
  });
});
